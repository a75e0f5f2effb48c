"""The token vault itself: its identity, how its key is protected, and key rotation.

Locally, `keyType` says who holds the vault key: `ServiceManagedKey`, the tool keeps it in
a key file beside the vault; `CustomerManagedKey`, the user holds it (a passphrase, or
the key itself in AGENTCORE_IDENTITY_VAULT_KEY). There is no KMS, so `kmsKeyArn` is refused.
"""

from __future__ import annotations

from typing import Any

from agentcore_identity_cli.backends.local import arns
from agentcore_identity_cli.backends.local.core import LocalCore, timestamp
from agentcore_identity_cli.backends.local.signing import SigningMixin
from agentcore_identity_cli.errors import ConfigError, not_found


class TokenVaultMixin(LocalCore):
    """GetTokenVault, SetTokenVaultCMK, ResetTokenVaultKeyMaterial."""

    def _check_vault_id(self, params: dict[str, Any]) -> None:
        vault_id = params.get("tokenVaultId") or arns.TOKEN_VAULT
        self.audit_target(arns.token_vault_arn())
        if vault_id != arns.TOKEN_VAULT:
            raise not_found("Token vault", vault_id, hint="the local backend has one vault: 'default'")

    def key_type(self) -> str:
        """CustomerManagedKey when the user holds the key, else ServiceManagedKey."""
        source = self.store.meta("key_source")
        if source is None and self.store.meta("wrapped_key"):
            source = "passphrase"
        return "CustomerManagedKey" if source in ("passphrase", "environment") else "ServiceManagedKey"

    def token_vault(self) -> dict[str, Any]:
        """The GetTokenVault response for the local vault."""
        modified = float(self.store.meta("key_updated") or self.store.meta("created") or 0)
        return {
            "tokenVaultId": arns.TOKEN_VAULT,
            "kmsConfiguration": {"keyType": self.key_type()},
            "lastModifiedDate": timestamp(modified),
        }

    def get_token_vault(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetTokenVault."""
        self._check_vault_id(params)
        return self.token_vault()

    def set_token_vault_cmk(self, params: dict[str, Any]) -> dict[str, Any]:
        """SetTokenVaultCMK: CustomerManagedKey puts the key under a passphrase,
        ServiceManagedKey back into the key file."""
        self._check_vault_id(params)
        kms = params["kmsConfiguration"]  # a kmsKeyArn was refused before (local_refusals.json)
        if kms["keyType"] == self.key_type():
            return self.token_vault()
        if self.keys.source == "environment" or self.store.meta("key_source") == "environment":
            raise ConfigError(
                "The vault key comes from AGENTCORE_IDENTITY_VAULT_KEY; unset it to change how it is kept."
            )
        if kms["keyType"] == "CustomerManagedKey":
            import os

            passphrase = os.environ.get("AGENTCORE_IDENTITY_PASSPHRASE")
            if not passphrase and self.keys.prompt is not None:
                passphrase = self.keys.prompt("New vault passphrase")
            if not passphrase:
                raise ConfigError(
                    "CustomerManagedKey needs a passphrase.",
                    hint="set AGENTCORE_IDENTITY_PASSPHRASE, or run on a terminal to be asked",
                )
            self.keys.use_passphrase(passphrase)
        else:
            self.keys.use_key_file()
        return self.token_vault()

    def reset_token_vault_key_material(self, params: dict[str, Any]) -> dict[str, Any]:
        """ResetTokenVaultKeyMaterial: a new vault key; every secret re-sealed in one transaction."""
        self._check_vault_id(params)

        def reseal(old: bytes, new: bytes) -> None:
            self.reseal_all(old, new)
            self.audit.reseal(old, new)  # the audit chain's seal moves to the new key too
            # Tokens signed before the rotation must stop working: a new signing key.
            if isinstance(self, SigningMixin):
                self.new_signing_key(new)

        self.keys.rotate(reseal)
        return self.token_vault()
