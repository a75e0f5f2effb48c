"""Typed, cached access to the OAuth 2.0 vendor catalogue in ``vendors.json``.

The catalogue has one entry per value of the AgentCore Identity ``credentialProviderVendor`` enum. Endpoints that
depend on a customer's tenant or domain are stored as templates such as ``https://{domain}/oauth2/v1/authorize``;
:meth:`Vendor.endpoints` fills them in.

>>> vendor("MicrosoftOauth2").endpoints({})["tokenEndpoint"]
'https://login.microsoftonline.com/common/oauth2/v2.0/token'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

__all__ = ["ENDPOINT_FIELDS", "Placeholder", "RefreshTokens", "Vendor", "vendor", "vendors"]

ENDPOINT_FIELDS: Final[tuple[str, ...]] = (
    "issuer",
    "authorizationEndpoint",
    "tokenEndpoint",
    "deviceAuthorizationEndpoint",
    "revocationEndpoint",
    "userinfoEndpoint",
    "discoveryUrl",
)
"""Names of the endpoint fields of a catalogue entry, in the order :meth:`Vendor.endpoints` returns them."""

RefreshTokens: TypeAlias = bool | Literal["rotating"]
"""Whether a vendor issues refresh tokens; ``"rotating"`` when each refresh replaces the refresh token."""

_RESOURCE: Final = "vendors.json"
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
# A placeholder value is spliced into a URL, so it must not be able to change the URL's structure.
_UNSAFE_VALUE: Final = re.compile(r"[/\\?#@{}\s]")


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A value the customer chooses (tenant, domain, ...) that fills ``{name}`` in endpoint templates."""

    name: str
    default: str | None
    description: str


@dataclass(frozen=True, slots=True)
class Vendor:
    """One catalogue entry: how to talk OAuth 2.0 to a credential provider vendor.

    ``quirks`` holds read-only vendor-specific hints (see the ``_comment`` of ``vendors.json`` for the keys).
    """

    name: str
    display_name: str
    config_member: str
    issuer: str | None
    authorization_endpoint: str | None
    token_endpoint: str | None
    device_authorization_endpoint: str | None
    revocation_endpoint: str | None
    userinfo_endpoint: str | None
    discovery_url: str | None
    placeholders: Mapping[str, Placeholder]
    default_scopes: tuple[str, ...]
    token_endpoint_auth_methods: tuple[str, ...]
    response_types: tuple[str, ...]
    pkce: bool
    refresh_tokens: RefreshTokens
    scope_separator: str
    quirks: Mapping[str, object]
    docs: str

    def endpoint_templates(self) -> dict[str, str | None]:
        """Return the raw endpoint templates keyed by their catalogue (camelCase) names."""
        return {
            "issuer": self.issuer,
            "authorizationEndpoint": self.authorization_endpoint,
            "tokenEndpoint": self.token_endpoint,
            "deviceAuthorizationEndpoint": self.device_authorization_endpoint,
            "revocationEndpoint": self.revocation_endpoint,
            "userinfoEndpoint": self.userinfo_endpoint,
            "discoveryUrl": self.discovery_url,
        }

    def template_placeholders(self) -> frozenset[str]:
        """Return the names of every ``{placeholder}`` used in this vendor's endpoint templates."""
        return frozenset(
            match
            for template in self.endpoint_templates().values()
            if template is not None
            for match in _PLACEHOLDER.findall(template)
        )

    def endpoints(self, values: Mapping[str, str] | None = None) -> dict[str, str | None]:
        """Return this vendor's endpoints with every placeholder filled in.

        Each ``{name}`` takes ``values[name]`` when given and non-empty, else the placeholder's default. Keys of
        ``values`` this vendor does not use are ignored, so one mapping can serve several vendors.

        Raises:
            ValueError: a placeholder has neither a value nor a default (the message names it), or a value
                contains a character that would change the URL's structure (``/``, ``?``, ``#``, ``@``, ...).
        """
        supplied = values or {}
        resolved: dict[str, str] = {}
        for name in sorted(self.template_placeholders()):
            placeholder = self.placeholders.get(name)
            value = supplied.get(name) or (placeholder.default if placeholder else None)
            if not value:
                hint = f" ({placeholder.description})" if placeholder else ""
                raise ValueError(f"{self.name}: missing value for placeholder '{name}'{hint}")
            if _UNSAFE_VALUE.search(value):
                raise ValueError(f"{self.name}: invalid value {value!r} for placeholder '{name}'")
            resolved[name] = value
        return {
            field: None if template is None else _PLACEHOLDER.sub(lambda m: resolved[m.group(1)], template)
            for field, template in self.endpoint_templates().items()
        }


def vendor(name: str) -> Vendor:
    """Return the catalogue entry for a ``credentialProviderVendor`` value such as ``"GithubOauth2"``.

    Raises:
        KeyError: ``name`` is not a vendor of the catalogue.
    """
    try:
        return _catalogue()[name]
    except KeyError:
        raise KeyError(f"unknown OAuth 2.0 credential provider vendor: {name!r}") from None


def vendors() -> dict[str, Vendor]:
    """Return every catalogue entry keyed by vendor name (a new dict; the entries themselves are shared)."""
    return dict(_catalogue())


@lru_cache(maxsize=1)
def _catalogue() -> Mapping[str, Vendor]:
    """Load, validate and freeze ``vendors.json`` once per process."""
    text = resources.files(__package__ or "agentcore_identity_cli.oauth").joinpath(_RESOURCE).read_text("utf-8")
    document = json.loads(text)
    entries = _object(document, "catalogue").get("vendors")
    return MappingProxyType(
        {name: _parse_vendor(name, _object(raw, name)) for name, raw in _object(entries, "vendors").items()}
    )


def _parse_vendor(name: str, raw: Mapping[str, object]) -> Vendor:
    """Build a :class:`Vendor` from its JSON object, raising ``ValueError`` on a malformed entry."""

    def opt_str(key: str) -> str | None:
        value = raw.get(key)
        if value is None or isinstance(value, str):
            return value
        raise ValueError(f"{name}.{key}: expected a string or null, got {value!r}")

    def req_str(key: str) -> str:
        value = opt_str(key)
        if value is None:
            raise ValueError(f"{name}.{key}: missing")
        return value

    def str_tuple(key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(str(item) for item in value)
        raise ValueError(f"{name}.{key}: expected a list of strings, got {value!r}")

    pkce = raw.get("pkce")
    if not isinstance(pkce, bool):
        raise ValueError(f"{name}.pkce: expected true or false, got {pkce!r}")
    refresh = raw.get("refreshTokens")
    if not (isinstance(refresh, bool) or refresh == "rotating"):
        raise ValueError(f"{name}.refreshTokens: expected true, false or 'rotating', got {refresh!r}")

    placeholders: dict[str, Placeholder] = {}
    for key, spec in _object(raw.get("placeholders", {}), f"{name}.placeholders").items():
        fields = _object(spec, f"{name}.placeholders.{key}")
        default, description = fields.get("default"), fields.get("description", "")
        if not (default is None or isinstance(default, str)) or not isinstance(description, str):
            raise ValueError(f"{name}.placeholders.{key}: malformed {fields!r}")
        placeholders[key] = Placeholder(name=key, default=default, description=description)

    return Vendor(
        name=name,
        display_name=req_str("displayName"),
        config_member=req_str("configMember"),
        issuer=opt_str("issuer"),
        authorization_endpoint=opt_str("authorizationEndpoint"),
        token_endpoint=opt_str("tokenEndpoint"),
        device_authorization_endpoint=opt_str("deviceAuthorizationEndpoint"),
        revocation_endpoint=opt_str("revocationEndpoint"),
        userinfo_endpoint=opt_str("userinfoEndpoint"),
        discovery_url=opt_str("discoveryUrl"),
        placeholders=MappingProxyType(placeholders),
        default_scopes=str_tuple("defaultScopes"),
        token_endpoint_auth_methods=str_tuple("tokenEndpointAuthMethods"),
        response_types=str_tuple("responseTypes"),
        pkce=pkce,
        refresh_tokens="rotating" if refresh == "rotating" else bool(refresh),
        scope_separator=req_str("scopeSeparator"),
        quirks=_object(_freeze(raw.get("quirks", {})), f"{name}.quirks"),
        docs=req_str("docs"),
    )


def _object(value: object, where: str) -> Mapping[str, object]:
    """Return ``value`` as a string-keyed mapping, raising ``ValueError`` naming ``where`` otherwise."""
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return value
    raise ValueError(f"{where}: expected a JSON object")


def _freeze(value: object) -> object:
    """Return a read-only deep copy of parsed JSON (objects become mapping proxies, arrays tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value
