"""The OAuth 2.0 vendor catalogue matches the AgentCore API model and yields usable endpoints."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

import botocore.session  # type: ignore[import-untyped]
import pytest

from agentcore_identity_cli.oauth.catalogue import ENDPOINT_FIELDS, Vendor, vendor, vendors

CUSTOM = "CustomOauth2"
INCLUDED = "includedOauth2ProviderConfig"
AUTH_METHODS = {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"}


@cache
def service_model() -> Any:
    return botocore.session.get_session().get_service_model("bedrock-agentcore-control")


def enum_values() -> list[str]:
    return list(service_model().shape_for("CredentialProviderVendorType").enum)


def union_members() -> set[str]:
    return set(service_model().shape_for("Oauth2ProviderConfigInput").members)


def all_vendors() -> list[Vendor]:
    return list(vendors().values())


def test_every_api_vendor_has_an_entry_and_nothing_else() -> None:
    assert sorted(vendors()) == sorted(enum_values())


@pytest.mark.parametrize("entry", all_vendors(), ids=lambda v: v.name)
def test_config_member_is_in_the_api_union(entry: Vendor) -> None:
    members = union_members()
    assert entry.config_member in members
    # A vendor with its own member in the union uses it; every other vendor uses the generic one.
    own = entry.name[0].lower() + entry.name[1:] + "ProviderConfig"
    assert entry.config_member == (own if own in members else INCLUDED)


def test_included_config_accepts_the_catalogue_endpoints() -> None:
    members = set(service_model().shape_for("IncludedOauth2ProviderConfigInput").members)
    assert {"issuer", "authorizationEndpoint", "tokenEndpoint"} <= members


@pytest.mark.parametrize("entry", all_vendors(), ids=lambda v: v.name)
def test_endpoints_are_https(entry: Vendor) -> None:
    templates = entry.endpoint_templates()
    assert tuple(templates) == ENDPOINT_FIELDS
    for field, template in templates.items():
        assert template is None or template.startswith("https://"), f"{entry.name}.{field}: {template}"
    dummy = {name: "example.com" for name in entry.template_placeholders()}
    for field, url in entry.endpoints(dummy).items():
        if url is not None:
            parts = urlsplit(url)
            assert parts.scheme == "https", f"{entry.name}.{field}: {url}"
            assert parts.hostname, f"{entry.name}.{field}: {url}"


@pytest.mark.parametrize("entry", all_vendors(), ids=lambda v: v.name)
def test_placeholders_are_declared_and_used(entry: Vendor) -> None:
    assert entry.template_placeholders() == set(entry.placeholders)
    for name, placeholder in entry.placeholders.items():
        assert placeholder.name == name
        assert placeholder.description


@pytest.mark.parametrize("entry", all_vendors(), ids=lambda v: v.name)
def test_entry_values_are_sane(entry: Vendor) -> None:
    assert entry.display_name
    assert entry.docs.startswith("https://")
    assert entry.response_types == ("code",)
    assert entry.token_endpoint_auth_methods
    assert set(entry.token_endpoint_auth_methods) <= AUTH_METHODS
    assert entry.refresh_tokens in (True, False, "rotating")
    assert entry.scope_separator in (" ", ",")
    if entry.name == CUSTOM:
        assert all(url is None for url in entry.endpoint_templates().values())
    else:
        assert entry.issuer and entry.authorization_endpoint and entry.token_endpoint


def test_microsoft_tenant_defaults_to_common() -> None:
    microsoft = vendor("MicrosoftOauth2")
    assert microsoft.endpoints({})["authorizationEndpoint"] == (
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    )
    filled = microsoft.endpoints({"tenantId": "contoso.onmicrosoft.com", "domain": "unused.example.com"})
    assert filled["tokenEndpoint"] == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert filled["revocationEndpoint"] is None


def test_okta_without_a_domain_raises() -> None:
    okta = vendor("OktaOauth2")
    with pytest.raises(ValueError, match="'domain'"):
        okta.endpoints({})
    with pytest.raises(ValueError, match="'domain'"):
        okta.endpoints({"domain": ""})
    assert okta.endpoints({"domain": "dev-1.okta.com"})["tokenEndpoint"] == "https://dev-1.okta.com/oauth2/v1/token"


@pytest.mark.parametrize("value", ["evil.example/x", "evil.example#", "user@evil.example", "a b", "{domain}"])
def test_values_cannot_change_the_url_structure(value: str) -> None:
    with pytest.raises(ValueError, match="invalid value"):
        vendor("Auth0Oauth2").endpoints({"domain": value})


def test_custom_has_no_endpoints_to_fill() -> None:
    assert set(vendor(CUSTOM).endpoints({}).values()) == {None}


def test_unknown_vendor_raises_key_error() -> None:
    with pytest.raises(KeyError, match="NopeOauth2"):
        vendor("NopeOauth2")


def test_catalogue_is_cached_and_read_only() -> None:
    assert vendor("GithubOauth2") is vendor("GithubOauth2")
    copy = vendors()
    copy.clear()
    assert len(vendors()) == len(enum_values())
    quirks = vendor("GoogleOauth2").quirks
    with pytest.raises(TypeError):
        quirks["acceptJson"] = True  # type: ignore[index]
    assert quirks["extraAuthorizeParams"] == {"access_type": "offline", "prompt": "consent"}
