"""Property-based fuzzing of the whole command tree: whatever a user types ends in a clean exit.

For every command the tree registers, Hypothesis draws a value for each option and argument from
its type (text, int, list, flag) and from what such a value is for (names, ARNs, durations, URLs,
JSON and shorthand structures, file:// references, JMESPath), mixing in boundary lengths
(0, 1, 48, 64, 256, 2048 characters and past them), deep nesting, bytes that are not UTF-8, huge
and negative numbers, and omitted required options. Each invocation runs the real CLI in this
process on a fresh copy of a seeded home (one API-key provider, one workload identity) and must:

- exit 0, 252, 253 or 254 (255 only for a --query that does not fit its result, and 1 only for
  `configure get` of a setting that is not set, both as the AWS CLI);
- never print "An unexpected error occurred" or a traceback;
- never echo a secret given on the command line or on stdin (but `inject` prints its template,
  which it reads from stdin), nor the seeded API key outside the commands whose job is to print it.

`serve` and `login` are left out: they wait on a network peer by design. So is `run`: it starts
whatever program it is given, and drawn words would be programs to start; tests/test_run_options.py
gives its option parsing the bad inputs instead. `--backend aws`,
`--endpoint-url` and `--debug` are not drawn (the first two reach the network, the last prints
tracebacks on purpose), and URLs are only ever invalid or loopback ones.

A second property writes random bytes over the vault file (1 to 4 runs of up to 512 bytes at
random offsets) and runs a read, a secret read, `audit verify` or a write: the same promises,
with damage reported as 253, or 254 for a sealed value (100 examples by default, a third of
AGENTCORE_FUZZ_EXAMPLES above).

The default run (2,000 invocations and 666 damaged vaults, about two minutes) is what CI runs;
it is deterministic, so a failure there repeats. AGENTCORE_FUZZ_EXAMPLES sets the count (a
smaller one for a quick local check); AGENTCORE_FUZZ_RANDOM=1 draws new examples on every run
instead, to explore (about 27 invocations a second):

    AGENTCORE_FUZZ_RANDOM=1 AGENTCORE_FUZZ_EXAMPLES=20000 python -m pytest -q -p no:cacheprovider tests/test_fuzz_cli.py
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args
from unittest import mock

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcore_identity_cli.cli.app import load_commands, main
from agentcore_identity_cli.cli.root import app

DEFAULT_EXAMPLES = 2000
EXAMPLES = int(os.environ.get("AGENTCORE_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
RANDOM = os.environ.get("AGENTCORE_FUZZ_RANDOM") == "1"

SEEDED_SECRET = "sk-seeded-3f9c1e7a5b"
FUZZ_SECRET = "fuzz-secret-8d2b6c"
# serve and login wait on a network peer; run starts the program it is given (see the docstring).
SKIPPED_COMMANDS = {("serve",), ("login",), ("run",)}
# Options whose value is a secret (or carries one): a value drawn for them holds FUZZ_SECRET.
SECRET_OPTIONS = {
    "--api-key",
    "--user-token",
    "--workload-identity-token",
    "--oauth2-provider-config-input",
    "--provider-configuration-input",
    "--payment-token-request",
}
# Commands whose output is a secret by design.
SECRET_PRINTERS = {
    "api-key",
    "token",
    "get-resource-api-key",
    "get-resource-oauth2-token",
    "get-resource-payment-token",
    "env",
    "inject",
}
# Commands that print what they read on stdin (a template): a secret-looking stdin may come back.
STDIN_PRINTERS = {"inject"}
QUERY_MISFIT = "could not be applied"

WORK = Path(tempfile.mkdtemp(prefix="agentcore-fuzz-"))
atexit.register(shutil.rmtree, WORK, True)
FILES = {
    "binary": b"\xff\xfe\x00\x80binary",
    "nested.json": b'{"a":' * 3000,
    "shorthand": b"a={" * 3000,
    "empty": b"",
    "text": b"hello\n",
}
for _name, _content in FILES.items():
    (WORK / _name).write_bytes(_content)


def _undecodable(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _nested(depth: int) -> list[str]:
    return ["a={" * depth, '{"a":' * depth + "1" + "}" * depth, "[" * depth, "a=" + "[" * depth]


LENGTHS = [0, 1, 2, 47, 48, 49, 63, 64, 65, 100, 255, 256, 257, 2047, 2048, 2049, 100_000]
KNOWN = [
    "prov1",
    "work1",
    "missing",
    "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/apikeycredentialprovider/prov1",
    "arn:aws:bedrock-agentcore:local:000000000000:workload-identity-directory/default/workload-identity/work1",
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:bogus/x",
    "default",
    "90d",
    "0s",
    "-1d",
    "1w",
    "999999d",
    "9999999999d",
    "2025-01-31T12:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00",
    "json",
    "table",
    "text",
    "csv",
    "yaml",
    "M2M",
    "USER_FEDERATION",
    "ON_BEHALF_OF_TOKEN_EXCHANGE",
    "GithubOauth2",
    "CustomOauth2",
    "GoogleOauth2",
    "CoinbaseCDP",
    "StripePrivy",
    "output",
    "region",
    "-",
    "--",
    "--help",
    "Key=Value",
    "Key=Value,Key2=",
    '{"Key": "Value"}',
    "[]",
    "{}",
    "null",
    '"\\ud800"',
    "a,b,c",
    "\x00",
    "\n",
    " ",
    "é",
    "\U0001f600",
]
URLS = [
    "https://256.256.256.256/",
    "http://[::1",
    "http://[::1]:9/",
    "http://127.0.0.1:9/",
    "https://127.0.0.1:9/x",
    "http://localhost:1/cb",
    "ftp://127.0.0.1/",
    "https://",
    "https://[fe80::1%25eth0]/",
    "https://xn--/",
    "https://a..b/",
    "javascript:alert(1)",
    "https://127.0.0.1:99999/",
    "https://" + "a" * 300 + "/",
]
QUERIES = [
    "sort_by(@, &x)",
    "max_by(@, &name)",
    "length(@)",
    "[",
    "@.*",
    "to_number(@)",
    "sum(@)",
    "*.name | sort(@)",
    "reverse(@)",
    "abs(@)",
    "join(',', @)",
    "foo(@)",
    "[?name > `1`]",
]
FILE_REFS = [f"file://{WORK / name}" for name in FILES] + [f"file://{WORK / 'missing'}", "file://", "file:///dev/null"]

texts = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=40),
    st.binary(min_size=1, max_size=12).map(_undecodable),
    st.builds(lambda n, c: c * n, st.sampled_from(LENGTHS), st.sampled_from(["a", "é", "-", "{", "\U0001f600"])),
    st.sampled_from([1, 31, 32, 33, 200, 1000, 5000]).flatmap(lambda d: st.sampled_from(_nested(d))),
    st.sampled_from(URLS),
    st.sampled_from(QUERIES),
    st.sampled_from(FILE_REFS),
)
numbers = st.one_of(
    st.sampled_from([-(2**63), -1, 0, 1, 2, 99, 100, 101, 1000, 86_400, 86_401, 2**31, 2**63, 10**30]).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "0.001", "1e-400"]),
    st.integers().map(str),
    texts,
)
secrets = st.one_of(
    st.just(FUZZ_SECRET),
    st.just(FUZZ_SECRET),
    st.just("-"),
    st.sampled_from(
        [
            f"clientSecret={FUZZ_SECRET}",
            f'{{"clientSecret": "{FUZZ_SECRET}"}}',
            f'{{"customOauth2ProviderConfig": {{"clientId": "x", "clientSecret": "{FUZZ_SECRET}"}}}}',
            f"{FUZZ_SECRET}={{",
            f'{{"{FUZZ_SECRET}": ',
            f"a={{b={FUZZ_SECRET}",
            f"eyJ{FUZZ_SECRET}.e30.sig",
        ]
    ),
    texts.map(lambda t: FUZZ_SECRET + t),
)


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    load_commands(None)
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        children = getattr(node, "commands", None)
        if children:
            for name, child in sorted(children.items()):
                walk(child, (*path, name))
        elif path not in SKIPPED_COMMANDS:
            found.append((path, node))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


def _annotation(param: Any) -> Any:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    args = [a for a in get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 and annotation.__class__.__name__ == "UnionType" else annotation


# Values that pass parsing for common options, so most invocations reach the backend.
PROVIDER_ARN = KNOWN[3]
PLAUSIBLE = {
    "--name": ["prov1", "work1", "new-name-1", "abc"],
    "provider": ["prov1", "missing"],
    "--resource-credential-provider-name": ["prov1"],
    "--workload-name": ["work1"],
    "--user-id": ["user-1"],
    "--tags": ["Key=Value", '{"k": "v"}'],
    "--tag-keys": ["Key"],
    "--resource-arn": [PROVIDER_ARN, KNOWN[4]],
    "--since": ["7d", "2025-01-31T12:00:00Z"],
    "--until": ["1h"],
    "--max-age": ["90d"],
    "--unused-for": ["30d"],
    "--format": ["json", "csv"],
    "--credential-provider-vendor": ["CustomOauth2", "GithubOauth2", "CoinbaseCDP"],
    "--issuer": ["http://127.0.0.1:9/"],
    "--audiences": ["api"],
    "key": ["output", "region", "vault_path"],
    "value": ["json", "us-east-1"],
    "--token-vault-id": ["default"],
    "--operation": ["CreateApiKeyCredentialProvider"],
    "--env": ["A=agentcore://api-key/prov1", "B=agentcore://workload-token/work1"],
}


def _value(param: Any, flag: str) -> st.SearchStrategy[str]:
    annotation = _annotation(param)
    name = flag or getattr(param, "name", "")
    if name in PLAUSIBLE:
        good = st.sampled_from(PLAUSIBLE[name])
        fuzz = secrets if flag in SECRET_OPTIONS else numbers if annotation is int else texts
        return st.one_of(good, good, fuzz)
    if flag in SECRET_OPTIONS:
        return secrets
    if annotation is int:
        return numbers
    if annotation is Path:
        return st.sampled_from(["backup", "missing", "binary", "nested.json", "sub/dir/b", _undecodable(b"\xff")]).map(
            lambda name: str(WORK / "paths" / name) if name != "binary" else str(WORK / name)
        )
    return texts


Invocation = tuple[list[str], str, tuple[str, ...]]  # argv, stdin, the command's path


@st.composite
def invocations(draw: st.DrawFn) -> Invocation:
    path, command = draw(st.sampled_from(COMMANDS))
    args: list[str] = []
    # Most invocations fuzz one parameter and keep the others plausible, so that they get past
    # parsing into the backend; one in four fuzzes every parameter at once.
    chaos = draw(st.integers(0, 3)) == 3
    target = draw(st.integers(0, max(len(command.params) - 1, 0)))
    for index, param in enumerate(command.params):
        opts = list(getattr(param, "opts", []) or [])
        flag = next((o for o in opts if o.startswith("--")), None)
        if flag in ("--help",) or (flag and flag.startswith("--no-") and len(opts) == 1):
            continue
        if getattr(param, "is_flag", False):
            if draw(st.booleans()):
                args.append(flag or opts[0])
            continue
        required = bool(getattr(param, "required", False))
        fuzzed = chaos or index == target
        name = flag or getattr(param, "name", "")
        if not fuzzed and not required and name not in PLAUSIBLE:
            continue
        if not draw(st.booleans() if not required else st.sampled_from([True] * 7 + [False])):
            continue
        annotation = _annotation(param)
        many = getattr(annotation, "__origin__", None) is list
        element = _value(param, flag or "") if fuzzed or name not in PLAUSIBLE else st.sampled_from(PLAUSIBLE[name])
        values = draw(st.lists(element, min_size=0 if flag else 1, max_size=3)) if many else [draw(element)]
        if flag is None:  # a positional argument
            args.extend(values)
        elif draw(st.booleans()) and values:
            args.extend(f"{flag}={v}" for v in values[:1])
        else:
            args.append(flag)
            args.extend(values)
    if draw(st.integers(0, 19)) == 19:
        args.append(draw(st.sampled_from(["--bogus", "extra", "--name"])))
    globals_: list[str] = []
    if draw(st.booleans()):
        globals_ += ["--output", draw(st.sampled_from(["json", "table", "text", "json", "table", "text", "yaml"]))]
    if draw(st.integers(0, 4)) == 4:
        queries = st.sampled_from(QUERIES)
        globals_ += ["--query", draw(st.one_of(queries, queries, queries, texts))]
    if draw(st.integers(0, 9)) == 9:
        globals_ += ["--profile", draw(texts)]
    if draw(st.integers(0, 4)) == 4:
        globals_ += [draw(st.sampled_from(["--cli-read-timeout", "--cli-connect-timeout"])), draw(numbers)]
    if draw(st.integers(0, 5)) == 5:
        globals_.append("--no-color")
    stdin = draw(st.one_of(st.just(""), st.just(FUZZ_SECRET), st.text(max_size=20)))
    return [*globals_, *path, *args], stdin, path


def _seed_home() -> Path:
    template = WORK / "template"
    with _environment(template):
        for args, stdin in (
            (["create-api-key-credential-provider", "--name", "prov1", "--api-key", "-"], SEEDED_SECRET),
            (["create-workload-identity", "--name", "work1"], ""),
        ):
            code, _, err = _run(args, stdin)
            assert code == 0, err
    return template


@contextmanager
def _environment(home: Path) -> Iterator[None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTCORE_IDENTITY_", "AWS_")) and k != "NO_COLOR"}
    env.update(
        AGENTCORE_IDENTITY_HOME=str(home),
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
    )
    with mock.patch.dict(os.environ, env, clear=True):
        yield


def _run(args: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(sys, "stdin", io.StringIO(stdin)), mock.patch.object(sys, "stdout", out):
        with mock.patch.object(sys, "stderr", err):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


TEMPLATE = _seed_home()


# pytest's 300 s per test is for a test stuck on a peer; this one works the whole time, and on a
# loaded two-core machine 2,000 invocations can take longer than that.
FUZZ_TIMEOUT = max(300, EXAMPLES * 0.6)


@pytest.mark.timeout(FUZZ_TIMEOUT)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(invocations())
def test_any_invocation_exits_cleanly_without_echoing_secrets(
    invocation: tuple[list[str], str, tuple[str, ...]],
) -> None:
    args, stdin, path = invocation
    (WORK / "paths").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        home = Path(scratch) / "home"
        shutil.copytree(TEMPLATE, home)
        with _environment(home):
            code, out, err = _run(args, stdin)
    shutil.rmtree(WORK / "paths", ignore_errors=True)
    shown = repr(args)[:500]
    assert "unexpected error" not in err, f"{shown}\n{err}"
    assert "Traceback" not in err and "Traceback" not in out, f"{shown}\n{err}"
    allowed = code in (0, 252, 253, 254) or (code == 255 and QUERY_MISFIT in err)
    # `configure get` exits 1 for a setting that is not set, as `aws configure get` does.
    allowed = allowed or (code == 1 and path == ("configure", "get") and not err)
    assert allowed, f"{shown} -> {code}\n{err}"
    assert FUZZ_SECRET not in err, f"{shown} echoed a secret\n{err}"
    if not (path[0] in STDIN_PRINTERS and FUZZ_SECRET in stdin):
        assert FUZZ_SECRET not in out, f"{shown} echoed a secret\n{out}"
    assert SEEDED_SECRET not in err, f"{shown}\n{err}"
    if path[0] not in SECRET_PRINTERS:
        assert SEEDED_SECRET not in out, f"{shown} printed the stored API key"


DAMAGE_COMMANDS = [
    ["list-api-key-credential-providers"],
    ["get-api-key-credential-provider", "--name", "prov1"],
    ["api-key", "prov1", "--workload-name", "work1"],
    ["audit", "verify"],
    ["create-api-key-credential-provider", "--name", "prov2", "--api-key", "-"],
]


@pytest.mark.timeout(FUZZ_TIMEOUT)
@settings(
    max_examples=max(100, EXAMPLES // 3),
    deadline=None,
    database=None,
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    damage=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=512)), min_size=1, max_size=4
    ),
    args=st.sampled_from(DAMAGE_COMMANDS),
)
def test_any_damage_to_the_vault_file_exits_cleanly(damage: list[tuple[float, bytes]], args: list[str]) -> None:
    """Random bytes written over the vault file: the same promises, damage reported as 253 or 254."""
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        home = Path(scratch) / "home"
        shutil.copytree(TEMPLATE, home)
        vault = home / "vault.db"
        size = vault.stat().st_size
        with vault.open("r+b") as handle:
            for where, data in damage:
                handle.seek(int(where * size))
                handle.write(data)
        with _environment(home):
            code, out, err = _run(args, "k" * 40)
    assert "unexpected error" not in err and "Traceback" not in err, f"{args}\n{err}"
    assert code in (0, 253, 254), f"{args} -> {code}\n{err}"
    assert SEEDED_SECRET not in err
    if args[0] != "api-key":
        assert SEEDED_SECRET not in out
