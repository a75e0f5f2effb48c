"""The definition file: read (TOML, or YAML by suffix), checked, and written back.

    version = 1
    [api_key_providers.openai]
    api_key = "env:AGENTCORE_SECRET_OPENAI_API_KEY"
    [oauth2_providers.github]
    vendor = "GithubOauth2"
    scopes = ["repo"]
    config = { clientId = "Iv1.x", clientSecret = "env:AGENTCORE_SECRET_GITHUB_CLIENT_SECRET" }
    [workload_identities.agent]
    allowed_return_urls = ["https://app.example.com/callback"]

The file's own keys are snake_case; `config` is the vendor's member of the API's config
input, with the API's own (camelCase) names, so the API reference documents it.
Every resource is kept in a canonical form (defaults filled in) so that two definitions
compare member by member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcore_identity_cli.ascode import kinds
from agentcore_identity_cli.ascode.secretrefs import check_reference
from agentcore_identity_cli.errors import UsageError

VERSION = 1
YAML_SUFFIXES = (".yaml", ".yml")
HEADER = (
    "# Identities as code for agentcore-identity (docs/as-code.md).\n"
    "# Secrets are references only: env:NAME, file:PATH, prompt, agentcore://api-key/NAME.\n"
    "# JSON Schema: agentcore-identity schema\n"
)

# Each kind's own keys: name -> (type, required, default).
_FIELDS: dict[str, dict[str, tuple[type, bool, Any]]] = {
    "apikey": {"api_key": (str, True, None), "secret_version": (str, False, None), "tags": (dict, False, {})},
    "oauth2": {
        "vendor": (str, True, None),
        "config": (dict, True, None),
        "scopes": (list, False, []),
        "secret_version": (str, False, None),
        "tags": (dict, False, {}),
    },
    "payment": {
        "vendor": (str, True, None),
        "config": (dict, True, None),
        "secret_version": (str, False, None),
        "tags": (dict, False, {}),
    },
    "workload": {"allowed_return_urls": (list, False, []), "tags": (dict, False, {})},
    "accesspolicy": {"policy": (dict, True, None)},
    "issuer": {
        "jwks_url": (str, True, None),
        "discovery_url": (str, False, None),
        "audiences": (list, False, []),
        "allowed_clients": (list, False, []),
    },
}


@dataclass
class Definition:
    """Every resource of a file (or of a backend), by (kind key, name), in canonical form."""

    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def of(self, kind: kinds.Kind) -> dict[str, dict[str, Any]]:
        """The resources of one kind, by name."""
        return {name: spec for (key, name), spec in sorted(self.resources.items()) if key == kind.key}

    def to_document(self) -> dict[str, Any]:
        """The file's structure: empty members left out."""
        document: dict[str, Any] = {"version": VERSION}
        for kind in kinds.KINDS:
            section = {name: _compact(spec) for name, spec in self.of(kind).items()}
            if section:
                document[kind.section] = section
        return document


def _compact(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if value not in (None, [], {})}


def load(path: Path) -> Definition:
    """Read and check a definition file; UsageError (252) naming what is wrong."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise UsageError(f"Cannot read the definition file {path}: {exc.strerror}.") from None
    return parse(text, str(path), yaml=path.suffix.lower() in YAML_SUFFIXES)


def parse(text: str, source: str, *, yaml: bool = False) -> Definition:
    """A definition from the text of a file."""
    document: Any
    if yaml:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            document = YAML(typ="safe", pure=True).load(text)
        except YAMLError as exc:
            raise UsageError(f"{source} is not valid YAML: {exc}") from None
    else:
        import tomllib

        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{source} is not valid TOML: {exc}") from None
    if not isinstance(document, dict):
        raise UsageError(f"{source} must hold a table of resources.")
    return from_document(document, source)


def from_document(document: dict[str, Any], source: str) -> Definition:
    """Check a parsed document and put each resource in canonical form."""
    version = document.get("version", VERSION)
    if version != VERSION:
        raise UsageError(f"{source}: version {version!r} is not supported; this release reads version {VERSION}.")
    unknown = sorted(set(document) - {"version", *kinds.BY_SECTION})
    if unknown:
        raise UsageError(f"{source}: unknown section {unknown[0]!r}; the sections are {', '.join(kinds.BY_SECTION)}.")
    definition = Definition()
    for section, kind in kinds.BY_SECTION.items():
        entries = document.get(section) or {}
        if not isinstance(entries, dict):
            raise UsageError(f"{source}: [{section}] must be a table of resources by name.")
        for name, spec in entries.items():
            where = f"{source}: {section}.{name}"
            if not isinstance(spec, dict):
                raise UsageError(f"{where} must be a table.")
            definition.resources[(kind.key, str(name))] = canonical(kind, str(name), spec, where)
    return definition


def canonical(kind: kinds.Kind, name: str, spec: dict[str, Any], where: str) -> dict[str, Any]:
    """One resource checked, with every key of its kind present (defaults filled in)."""
    fields = _FIELDS[kind.key]
    unknown = sorted(set(spec) - set(fields))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; {kind.label}s take {', '.join(fields)}.")
    out: dict[str, Any] = {}
    for key, (typ, required, default) in fields.items():
        value = spec.get(key)
        if value is None:
            if required:
                raise UsageError(f"{where}: '{key}' is required.")
            value = type(default)(default) if default is not None else None
        elif not isinstance(value, typ):
            raise UsageError(f"{where}.{key} must be a {'table' if typ is dict else typ.__name__}.")
        out[key] = value
    for key in ("tags",):
        if key in out and not all(isinstance(v, str) for v in out[key].values()):
            raise UsageError(f"{where}.tags: every tag value must be a string.")
    for key in ("scopes", "allowed_return_urls", "audiences", "allowed_clients"):
        if key in out and not all(isinstance(v, str) for v in out[key]):
            raise UsageError(f"{where}.{key} must be a list of strings.")
    if kind is kinds.API_KEY:
        out["api_key"] = check_reference(out["api_key"], f"{where}.api_key")
    if kind is kinds.ACCESS_POLICY:
        _check_policy(out["policy"], f"{where}.policy")
    if kind in (kinds.OAUTH2, kinds.PAYMENT):
        _check_config(kind, out, where)
    if kind is kinds.OAUTH2 and kinds.SCOPES_TAG in out["tags"]:
        raise UsageError(f"{where}.tags: give the default scopes as 'scopes', not as the {kinds.SCOPES_TAG} tag.")
    if kinds.SECRET_VERSION_TAG in out.get("tags", {}):
        raise UsageError(f"{where}.tags: give 'secret_version', not the {kinds.SECRET_VERSION_TAG} tag.")
    return out


def _check_policy(policy: dict[str, Any], where: str) -> None:
    """The policy checked as put-workload-access-policy checks it, but as a usage error of the file."""
    from agentcore_identity_cli.errors import ServiceError
    from agentcore_identity_cli.policy.document import parse_policy

    try:
        parse_policy(policy)
    except ServiceError as exc:
        raise UsageError(f"{where}: {exc.message}") from None


def _check_config(kind: kinds.Kind, out: dict[str, Any], where: str) -> None:
    try:
        member = kinds.config_member(kind, out["vendor"])
    except KeyError:
        raise UsageError(
            f"{where}.vendor: unknown vendor {out['vendor']!r}; the vendors are {', '.join(kinds.vendors(kind))}."
        ) from None
    shape = kinds.config_shape(kind, member)
    unknown = sorted(set(out["config"]) - set(shape.members))
    if unknown:
        raise UsageError(
            f"{where}.config: {unknown[0]!r} is not a member of {member}; it takes {', '.join(shape.members)}."
        )
    for secret in kinds.secret_members(kind.key, member):
        if secret in out["config"]:
            out["config"][secret] = check_reference(out["config"][secret], f"{where}.config.{secret}")


def dump(definition: Definition, *, yaml: bool = False) -> str:
    """The text of a definition file."""
    document = definition.to_document()
    if yaml:
        import io

        from ruamel.yaml import YAML

        stream = io.StringIO()
        writer = YAML(typ="safe", pure=True)
        writer.default_flow_style = False
        writer.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
        writer.dump(document, stream)
        return HEADER + stream.getvalue()
    import tomli_w

    return HEADER + tomli_w.dumps(document)
