"""A vault holding every kind of resource identities-as-code manages, made through the CLI.

`populate(cli)` fills the vault the CLI uses and returns the secret of each env: reference
`export` names for it, so a test can apply the exported file elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.payment_support import APP_SECRET, create_cdp, create_privy, keys

OPENAI_KEY = "sk-openai-test-0001"
GITHUB_SECRET = "gh-client-s3cret"
CORP_SECRET = "corp-client-s3cret"
OKTA_SECRET = "okta-client-s3cret"
ISSUER = "https://login.example.com"

EXCHANGE = {
    "grantType": "TOKEN_EXCHANGE",
    "tokenExchangeGrantTypeConfig": {"actorTokenContent": "M2M", "actorTokenScopes": ["act"]},
    "onBehalfOfAuthenticationConfig": {"clientAuthenticationMethod": "NO_CLIENT"},
}


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def populate(cli: Any, folder: Path, *flags: str) -> dict[str, str]:
    """Every resource kind in the vault of `flags` (e.g. --profile src); the secrets by env name."""
    ok(
        cli(
            *flags,
            "create-api-key-credential-provider",
            "--name",
            "openai",
            "--api-key",
            "-",
            "--tags",
            "team=ai",
            input=OPENAI_KEY,
        )
    )
    ok(
        cli(
            *flags,
            "create-oauth2-credential-provider",
            "--name",
            "github",
            "--credential-provider-vendor",
            "GithubOauth2",
            "--client-id",
            "Iv1.abc",
            "--client-secret",
            "-",
            "--scopes",
            "repo read:user",
            "--tags",
            "owner=platform",
            input=GITHUB_SECRET,
        )
    )
    custom = {
        "customOauth2ProviderConfig": {
            "oauthDiscovery": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"},
            "clientId": "corp-app",
            "clientAuthenticationMethod": "CLIENT_SECRET_POST",
            "onBehalfOfTokenExchangeConfig": EXCHANGE,
        }
    }
    config_file = folder / "corp.json"
    config_file.write_text(json.dumps(custom))
    ok(
        cli(
            *flags,
            "create-oauth2-credential-provider",
            "--name",
            "corp",
            "--credential-provider-vendor",
            "CustomOauth2",
            "--oauth2-provider-config-input",
            f"file://{config_file}",
            "--client-secret",
            "-",
            "--scopes",
            "openid",
            input=CORP_SECRET,
        )
    )
    ok(
        cli(
            *flags,
            "create-oauth2-credential-provider",
            "--name",
            "okta",
            "--credential-provider-vendor",
            "OktaOauth2",
            "--client-id",
            "okta-app",
            "--client-secret",
            "-",
            "--issuer",
            "https://acme.okta.com",
            "--authorization-endpoint",
            "https://acme.okta.com/oauth2/v1/authorize",
            "--token-endpoint",
            "https://acme.okta.com/oauth2/v1/token",
            input=OKTA_SECRET,
        )
    )
    create_cdp(cli, "cdp", *flags)
    create_privy(cli, "privy", *flags, "--tags", "rail=privy")
    ok(
        cli(
            *flags,
            "create-workload-identity",
            "--name",
            "agent-1",
            "--allowed-resource-oauth2-return-urls",
            "https://app.example.com/callback",
            "https://app.example.com/other",
            "--tags",
            "env=dev",
        )
    )
    ok(cli(*flags, "create-workload-identity", "--name", "agent-2"))
    ok(
        cli(
            *flags,
            "trusted-issuer",
            "add",
            "--issuer",
            ISSUER,
            "--jwks-url",
            f"{ISSUER}/jwks.json",
            "--audiences",
            "api://agents",
        )
    )
    k = keys()
    return {
        "AGENTCORE_SECRET_OPENAI_API_KEY": OPENAI_KEY,
        "AGENTCORE_SECRET_GITHUB_CLIENT_SECRET": GITHUB_SECRET,
        "AGENTCORE_SECRET_CORP_CLIENT_SECRET": CORP_SECRET,
        "AGENTCORE_SECRET_OKTA_CLIENT_SECRET": OKTA_SECRET,
        "AGENTCORE_SECRET_CDP_API_KEY_SECRET": k.cdp_pem.rstrip("\n"),  # as stdin gave it
        "AGENTCORE_SECRET_CDP_WALLET_SECRET": k.wallet_secret,
        "AGENTCORE_SECRET_PRIVY_APP_SECRET": APP_SECRET,
        "AGENTCORE_SECRET_PRIVY_AUTHORIZATION_PRIVATE_KEY": k.privy_key,
    }
