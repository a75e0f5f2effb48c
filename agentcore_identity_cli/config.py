"""Where state lives, and the settings of one invocation.

Precedence for every setting: command-line flag > environment variable > profile in the
config file > built-in default. ``AGENTCORE_IDENTITY_HOME`` moves config, vault and key
file into one folder; otherwise platformdirs' per-user folders are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcore_identity_cli.errors import ConfigError

APP_NAME = "agentcore-identity"
ENV_HOME = "AGENTCORE_IDENTITY_HOME"
ENV_BACKEND = "AGENTCORE_IDENTITY_BACKEND"
ENV_PROFILE = "AGENTCORE_IDENTITY_PROFILE"
ENV_OUTPUT = "AGENTCORE_IDENTITY_OUTPUT"
ENV_REGION = "AGENTCORE_IDENTITY_REGION"
ENV_VAULT = "AGENTCORE_IDENTITY_VAULT"
ENV_CONFIG = "AGENTCORE_IDENTITY_CONFIG_FILE"
ENV_VAULT_KEY = "AGENTCORE_IDENTITY_VAULT_KEY"
ENV_PASSPHRASE = "AGENTCORE_IDENTITY_PASSPHRASE"

BACKENDS = ("local", "aws")
# AWS CLI v2's output formats (awscli/formatter.py CLI_OUTPUT_FORMATS) and --color values.
OUTPUTS = ("json", "table", "text", "yaml", "yaml-stream", "off")
COLORS = ("on", "off", "auto")
# cli_timestamp_format, as AWS CLI v2's awscli/customizations/timestampformat.py reads it.
TIMESTAMP_FORMATS = ("iso8601", "wire")
# --cli-binary-format and cli_binary_format (awscli/data/cli.json); cli_auto_prompt and
# AWS_CLI_AUTO_PROMPT, as AWS CLI v2's clidriver resolves them.
BINARY_FORMATS = ("base64", "raw-in-base64-out")
AUTO_PROMPT_MODES = ("on", "on-partial", "off")
# --cli-error-format, AWS_CLI_ERROR_FORMAT and cli_error_format, as v2's clidriver chains them;
# the values are awscli/errorhandler.py's VALID_ERROR_FORMATS, in its order.
ERROR_FORMATS = ("legacy", "json", "yaml", "text", "table", "enhanced")
ENV_ERROR_FORMAT = "AWS_CLI_ERROR_FORMAT"
# The keys a profile may hold, with what each means; `configure` refuses others.
PROFILE_KEYS: dict[str, str] = {
    "backend": "local or aws",
    "output": "json, table, text, yaml, yaml-stream or off",
    "cli_pager": "pager for output to a terminal, e.g. less (unset or empty: none; AWS_PAGER wins)",
    "cli_timestamp_format": "iso8601 (the default) or wire",
    "cli_auto_prompt": "on, on-partial or off: ask for a command's parameters on a terminal (AWS_CLI_AUTO_PROMPT wins)",
    "cli_binary_format": "base64 (the default) or raw-in-base64-out; these APIs have no binary members",
    "cli_error_format": "how errors print on stderr: enhanced (the default), legacy, json, yaml, text or table "
    "(AWS_CLI_ERROR_FORMAT wins)",
    "region": "AWS region for the aws backend",
    "endpoint_url": "endpoint for the aws backend",
    "aws_profile": "AWS named profile for the aws backend (default: the same name)",
    "vault_path": "path of the local vault file",
    "workload_name": "workload identity that api-key, token and the Python API act as",
    "user_id": "user id that api-key, token and the Python API act for",
}


def _data_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    import platformdirs  # imported here: only needed without AGENTCORE_IDENTITY_HOME

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    """The TOML file holding named profiles."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_vault_path() -> Path:
    """The vault file used when neither the environment nor a profile names one."""
    return _data_dir() / "vault.db"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The parsed config file, or an empty one when there is none."""
    path = path or config_path()
    try:
        if not path.exists():
            return {}  # the usual case: no parser needed
    except OSError as exc:  # a folder on the way that we may not enter
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    import tomllib

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The config file {path} is not valid TOML: {exc}",
            hint=f"fix it by hand, or move it aside and run '{APP_NAME} configure'",
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise ConfigError(f"The config file {path} must hold [profiles.NAME] tables.")
    return data


@dataclass(frozen=True)
class Source:
    """Where one setting's value came from: what `configure list` shows, and what decides
    whether an option was typed on this command line."""

    kind: str  # "flag", "environment", "profile" or "default"
    location: str | None = None  # the flag, the variable, the profile and its file, or why the default

    @property
    def from_flag(self) -> bool:
        """True when the value was given on this command line."""
        return self.kind == "flag"


DEFAULT = Source("default")


@dataclass
class Settings:
    """The resolved settings of one invocation."""

    profile: str = "default"
    profile_explicit: bool = False
    profile_found: bool = True  # the named profile is in the config file
    profile_values: dict[str, Any] = field(default_factory=dict)  # its settings, as read
    backend: str = "local"
    output: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    aws_profile: str | None = None
    vault_path: Path = field(default_factory=default_vault_path)
    debug: bool = False
    no_color: bool = False
    color: str = "auto"  # --color: on, off or auto (colour on a terminal); --no-color and NO_COLOR: off
    no_cli_pager: bool = False
    query: str | None = None
    read_timeout: float | None = None
    connect_timeout: float | None = None
    # TLS and signing (tls.py): a CA bundle (--ca-bundle, AWS_CA_BUNDLE), verification, SigV4.
    ca_bundle: str | None = None
    verify_ssl: bool = True
    sign_request: bool = True
    # --cli-binary-format / cli_binary_format: validated; no member of these APIs is a blob.
    binary_format: str = "base64"
    # --cli-auto-prompt / --no-cli-auto-prompt, AWS_CLI_AUTO_PROMPT, cli_auto_prompt (cli/autoprompt.py)
    auto_prompt: str = "off"
    # --cli-error-format, AWS_CLI_ERROR_FORMAT, cli_error_format (errorformat.py prints with it)
    error_format: str = "enhanced"
    # setting -> where its value came from (flag > environment > profile > default)
    sources: dict[str, Source] = field(default_factory=dict)

    def source(self, name: str) -> Source:
        """Where a setting's value came from; the default when nothing set it."""
        return self.sources.get(name, DEFAULT)


# setting -> its global option, where the option's name is not the setting's
_FLAG_NAMES = {
    "read_timeout": "--cli-read-timeout",
    "connect_timeout": "--cli-connect-timeout",
    "cli_binary_format": "--cli-binary-format",
    "cli_error_format": "--cli-error-format",
}


def _flag_name(name: str) -> str:
    return _FLAG_NAMES.get(name, "--" + name.replace("_", "-"))


def resolve_settings(flags: dict[str, Any]) -> Settings:
    """Combine flags, environment and the selected profile into Settings."""
    env = os.environ
    sources: dict[str, Source] = {}
    if flags.get("profile"):
        profile, sources["profile"] = flags["profile"], Source("flag", "--profile")
    elif env.get(ENV_PROFILE):
        profile, sources["profile"] = env[ENV_PROFILE], Source("environment", ENV_PROFILE)
    else:
        profile = "default"
    profile_explicit = "profile" in sources
    path = config_path()
    profiles = load_config(path).get("profiles", {})
    # A profile missing from the file is no error: for the aws backend --profile may name
    # only an AWS profile, which botocore checks.
    values: dict[str, Any] = profiles.get(profile, {})
    in_profile = Source("profile", f"[profiles.{profile}] in {path}")

    def pick(name: str, env_names: tuple[str, ...] = (), *, flag: bool = True) -> Any:
        if flag and flags.get(name) is not None:
            sources[name] = Source("flag", _flag_name(name))
            return flags[name]
        for env_name in env_names:
            if env.get(env_name):
                sources[name] = Source("environment", env_name)
                return env[env_name]
        if values.get(name) is not None:
            sources[name] = in_profile
        return values.get(name)

    backend = pick("backend", (ENV_BACKEND,)) or "local"
    if backend not in BACKENDS:
        raise ConfigError(f"Unknown backend '{backend}': choose one of {', '.join(BACKENDS)}.")
    output = pick("output", (ENV_OUTPUT,))
    if output is not None and output not in OUTPUTS:
        raise ConfigError(f"Unknown output format '{output}': choose one of {', '.join(OUTPUTS)}.")
    vault = pick("vault_path", (ENV_VAULT,), flag=False)
    if vault is None:
        sources["vault_path"] = Source("default", ENV_HOME if env.get(ENV_HOME) else "the user data folder")
    ca_bundle = pick("ca_bundle", ("AWS_CA_BUNDLE",))
    for name in ("read_timeout", "connect_timeout", "debug", "no_color", "query", "no_verify_ssl", "no_sign_request"):
        if flags.get(name) not in (None, False):
            sources[name] = Source("flag", _flag_name(name))
    no_color = bool(flags.get("no_color")) or flags.get("color") == "off"
    # NO_COLOR (set and not empty, no-color.org) gives way to --color on, as a flag should.
    if not no_color and flags.get("color") != "on" and env.get("NO_COLOR"):
        no_color, sources["no_color"] = True, Source("environment", "NO_COLOR")
    color = "off" if no_color else flags.get("color") or "auto"
    binary_format = pick("cli_binary_format") or "base64"
    if binary_format not in BINARY_FORMATS:
        raise ConfigError(
            f"Unknown cli_binary_format '{binary_format}' in the profile: choose one of {', '.join(BINARY_FORMATS)}."
        )
    auto_prompt = _auto_prompt(flags, pick, sources)
    error_format = _error_format(pick, sources)
    return Settings(
        profile=profile,
        profile_explicit=profile_explicit,
        profile_found=profile in profiles,
        profile_values=dict(values),
        backend=backend,
        output=output,
        region=pick("region", (ENV_REGION, "AWS_REGION", "AWS_DEFAULT_REGION")),
        endpoint_url=pick("endpoint_url"),
        aws_profile=pick("aws_profile", flag=False),
        vault_path=Path(vault).expanduser() if vault else default_vault_path(),
        debug=bool(flags.get("debug")),
        no_color=no_color,
        color=color,
        no_cli_pager=bool(flags.get("no_cli_pager")),
        query=flags.get("query"),
        read_timeout=flags.get("read_timeout"),
        connect_timeout=flags.get("connect_timeout"),
        ca_bundle=ca_bundle or None,
        verify_ssl=not flags.get("no_verify_ssl"),
        sign_request=not flags.get("no_sign_request"),
        binary_format=binary_format,
        auto_prompt=auto_prompt,
        error_format=error_format,
        sources=sources,
    )


def _auto_prompt(flags: dict[str, Any], pick: Any, sources: dict[str, Source]) -> str:
    """As AWS CLI v2's resolve_auto_prompt_mode: --no-cli-auto-prompt, --cli-auto-prompt,
    AWS_CLI_AUTO_PROMPT, the profile's cli_auto_prompt, off. A value other than on, on-partial
    or off is refused rather than read as off, so that a typo does not pass unnoticed."""
    if flags.get("no_cli_auto_prompt"):
        sources["cli_auto_prompt"] = Source("flag", "--no-cli-auto-prompt")
        return "off"
    if flags.get("cli_auto_prompt"):
        sources["cli_auto_prompt"] = Source("flag", "--cli-auto-prompt")
        return "on"
    value = pick("cli_auto_prompt", ("AWS_CLI_AUTO_PROMPT",), flag=False)
    if value is None:
        return "off"
    mode = str(value).lower()
    if mode not in AUTO_PROMPT_MODES:
        where = sources["cli_auto_prompt"].location
        raise ConfigError(
            f"Unknown auto-prompt mode '{value}' in {where}: choose one of {', '.join(AUTO_PROMPT_MODES)}."
        )
    return mode


def _error_format(pick: Any, sources: dict[str, Source]) -> str:
    """As AWS CLI v2: --cli-error-format, AWS_CLI_ERROR_FORMAT, the profile's cli_error_format,
    enhanced. v2 reads the last two case-insensitively and falls back to enhanced on a value it
    does not know; here that value is a configuration error (253), so that a typo is seen."""
    value = pick("cli_error_format", (ENV_ERROR_FORMAT,))
    if value is None:
        return "enhanced"
    fmt = str(value) if sources["cli_error_format"].from_flag else str(value).lower()
    if fmt not in ERROR_FORMATS:
        where = sources["cli_error_format"].location
        raise ConfigError(f"Unknown cli_error_format '{value}' in {where}: choose one of {', '.join(ERROR_FORMATS)}.")
    return fmt
