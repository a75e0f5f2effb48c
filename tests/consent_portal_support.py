"""Consent portals made through the CLI, for the tests that need one.

`create_idp(cli)` makes the OAuth2 credential provider end users sign in with (a CustomOauth2
provider; by default on a discovery URL nobody fetches), `create_portal(cli, name, *extra)`
a portal signing in with it, on one agentcore-gateway source.
"""

from __future__ import annotations

from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/consent-portal"
GATEWAY_ID = "support-gateway-abcde12345"
IDP_DISCOVERY = "https://idp.example.com/.well-known/openid-configuration"
IDP_ARN = "arn:aws:bedrock-agentcore:local:000000000000:token-vault/default/oauth2credentialprovider/"


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def create_idp(cli: Any, name: str = "corp-idp", discovery_url: str = IDP_DISCOVERY, client_id: str = "app") -> str:
    """An OAuth2 credential provider for the portal's sign-in; returns its ARN."""
    created = ok(
        cli(
            "create-oauth2-credential-provider",
            "--name",
            name,
            "--credential-provider-vendor",
            "CustomOauth2",
            "--discovery-url",
            discovery_url,
            "--client-id",
            client_id,
            "--client-secret",
            "-",
            input="s3cret-client",
        )
    )
    return str(created.json()["credentialProviderArn"])


def create_portal(cli: Any, name: str = "support", *extra: str, idp_arn: str | None = None) -> Any:
    """A consent portal signing in with `idp_arn` (default: the provider create_idp makes)."""
    arn = idp_arn or IDP_ARN + "corp-idp"
    return ok(
        cli(
            "create-consent-portal",
            "--name",
            name,
            "--execution-role-arn",
            ROLE_ARN,
            "--idp-config",
            f"credentialProviderArn={arn},scopes=[openid,email]",
            "--sources",
            f"identifier={GATEWAY_ID},type=agentcore-gateway",
            *extra,
        )
    )
