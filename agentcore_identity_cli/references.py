"""Secret references: the one grammar `run`, `inject` and `env` read.

    agentcore://api-key/PROVIDER[?workload=W&user=U]
    agentcore://oauth2/PROVIDER[?flow=M2M|USER_FEDERATION&scopes=a,b&user=U&workload=W&resources=..&audiences=..]
    agentcore://workload-token/WORKLOAD[?user=U]

A reference names a credential and holds none, so it can be committed (`.env.agentcore`),
logged and shown in errors. Anything that starts with `agentcore:` is read as a reference;
one that does not parse is refused with what was expected (and a did-you-mean), before
anything is resolved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from agentcore_identity_cli.errors import UsageError

SCHEME = "agentcore"
PREFIX = f"{SCHEME}://"
API_KEY = "api-key"
OAUTH2 = "oauth2"
WORKLOAD_TOKEN = "workload-token"
KINDS = (API_KEY, OAUTH2, WORKLOAD_TOKEN)
FLOWS = ("M2M", "USER_FEDERATION")
EXCHANGE_FLOW = "ON_BEHALF_OF_TOKEN_EXCHANGE"

# The query parameters each kind takes.
PARAMETERS: dict[str, tuple[str, ...]] = {
    API_KEY: ("workload", "user"),
    OAUTH2: ("flow", "scopes", "user", "workload", "resources", "audiences"),
    WORKLOAD_TOKEN: ("user",),
}
# Names as the API allows them (provider names are the stricter subset).
_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}")
_MAX_LENGTH = 8192
Refuse = Callable[..., UsageError]

GRAMMAR = (
    "agentcore://api-key/PROVIDER, agentcore://oauth2/PROVIDER[?flow=M2M&scopes=a,b&user=U&workload=W] "
    "or agentcore://workload-token/WORKLOAD[?user=U]"
)


@dataclass(frozen=True)
class Reference:
    """One parsed reference; equal references are resolved once."""

    kind: str
    name: str
    workload: str | None = None
    user: str | None = None
    flow: str | None = None
    scopes: tuple[str, ...] | None = None
    resources: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()

    def __str__(self) -> str:
        """The canonical text of the reference (never a secret)."""
        query: list[str] = []
        for key, value in (("flow", self.flow), ("user", self.user), ("workload", self.workload)):
            if value is not None:
                query.append(f"{key}={value}")
        for key, values in (("scopes", self.scopes), ("resources", self.resources), ("audiences", self.audiences)):
            if values:
                query.append(f"{key}={','.join(values)}")
        return f"{PREFIX}{self.kind}/{self.name}" + ("?" + "&".join(query) if query else "")


def is_reference(value: str) -> bool:
    """Whether a value is meant as a reference (and so must parse as one)."""
    return value[: len(SCHEME) + 1].lower() == SCHEME + ":"


def parse_reference(text: str, where: str = "") -> Reference:
    """Parse a reference; UsageError (252) naming `where` and the expected forms otherwise."""
    place = f" in {where}" if where else ""

    def refuse(problem: str, hint: str | None = None) -> UsageError:
        return UsageError(f"Bad secret reference{place}: {problem}", hint=hint or f"the forms are {GRAMMAR}")

    if len(text) > _MAX_LENGTH:
        raise refuse(f"it is longer than {_MAX_LENGTH} characters.")
    if not text.lower().startswith(PREFIX):
        raise refuse(f"'{_shown(text)}' does not start with {PREFIX}.", hint=f"write {PREFIX}KIND/NAME ({GRAMMAR})")
    rest = text[len(PREFIX) :]
    if "#" in rest:
        raise refuse(f"'{_shown(text)}' has a fragment (#); references take none.")
    path, _, query = rest.partition("?")
    parts = path.split("/")
    kind = parts[0]
    if kind not in KINDS:
        close = difflib.get_close_matches(kind.lower().replace("_", "-"), KINDS, n=1, cutoff=0.5)
        hint = f"did you mean '{PREFIX}{close[0]}/{'/'.join(parts[1:])}'?" if close else None
        raise refuse(f"unknown kind '{kind}'; the kinds are {', '.join(KINDS)}.", hint=hint)
    if len(parts) != 2 or not parts[1]:
        what = "workload identity" if kind == WORKLOAD_TOKEN else "credential provider"
        raise refuse(f"'{_shown(text)}' must name one {what}: {PREFIX}{kind}/NAME.")
    name = unquote(parts[1])
    if not _NAME.fullmatch(name):
        raise refuse(f"'{_shown(name)}' is not a valid name (letters, digits, '-', '_' and '.').")
    values = _query(query, kind, refuse)
    return _build(kind, name, values, refuse)


def _query(query: str, kind: str, refuse: Refuse) -> dict[str, str]:
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise refuse(f"the query '{_shown(query)}' is not KEY=VALUE pairs joined by '&'.") from None
    allowed = PARAMETERS[kind]
    values: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed:
            close = difflib.get_close_matches(key.lower(), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"{kind} takes {', '.join(allowed)}"
            raise refuse(f"unknown parameter '{_shown(key)}' for {kind}; it takes {', '.join(allowed)}.", hint=hint)
        if key in values:
            raise refuse(f"the parameter '{key}' is given twice.")
        if not value:
            raise refuse(f"the parameter '{key}' is empty.")
        values[key] = value
    return values


def _build(kind: str, name: str, values: dict[str, str], refuse: Refuse) -> Reference:
    if "workload" in values and not _NAME.fullmatch(values["workload"]):
        raise refuse(f"'{_shown(values['workload'])}' is not a valid workload identity name.")
    flow = values.get("flow")
    if flow is not None:
        flow = flow.upper()
        if flow == EXCHANGE_FLOW:
            raise refuse(
                f"flow={EXCHANGE_FLOW} exchanges a user's JWT, which a reference cannot carry.",
                hint="use `agentcore-identity token PROVIDER --user-token -` or the Python API",
            )
        if flow not in FLOWS:
            close = difflib.get_close_matches(flow, FLOWS, n=1, cutoff=0.5)
            hint = f"did you mean 'flow={close[0]}'?" if close else None
            raise refuse(f"unknown flow '{_shown(values['flow'])}'; the flows are {', '.join(FLOWS)}.", hint=hint)
    return Reference(
        kind=kind,
        name=name,
        workload=values.get("workload"),
        user=values.get("user"),
        flow=flow,
        scopes=_list(values["scopes"]) if "scopes" in values else None,
        resources=_list(values.get("resources", "")),
        audiences=_list(values.get("audiences", "")),
    )


def _list(value: str) -> tuple[str, ...]:
    # Commas as the grammar says; spaces too, as `token --scopes "a b"` splits them.
    return tuple(item for item in re.split(r"[,\s]+", value) if item)


def _shown(text: str) -> str:
    return text if len(text) <= 120 else text[:120] + "..."


# --- templates (inject) ---------------------------------------------------------------

# `{{ agentcore://... }}`, spaces inside the braces optional. Other `{{ ... }}` are left alone,
# so a template for another tool keeps its own placeholders.
TEMPLATE_REFERENCE = re.compile(r"\{\{\s*(" + SCHEME + r":[^\s{}]*)\s*\}\}", re.IGNORECASE)


def template_references(template: str, source: str) -> list[tuple[re.Match[str], Reference]]:
    """Every `{{ agentcore://... }}` of a template with its parsed reference, in order."""
    found: list[tuple[re.Match[str], Reference]] = []
    for match in TEMPLATE_REFERENCE.finditer(template):
        line = template.count("\n", 0, match.start()) + 1
        found.append((match, parse_reference(match.group(1), f"{source}, line {line}")))
    return found
