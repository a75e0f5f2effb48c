"""Request models: oauth2, generated from botocore 1.44.8.

Do not edit: run `python scripts/generate_models.py`. A test fails when this file is stale.
"""
# ruff: noqa: N815, E501, F401
# No `from __future__ import annotations`: evaluated annotations spare pydantic from
# compiling a string per field at import, which is most of this module's import time.

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr

from agentcore_identity_cli.models.base import AwsModel, AwsUnion
from agentcore_identity_cli.models.constraints import Constraint

from agentcore_identity_cli.models.generated.common import SecretReference


class Oauth2AuthorizationServerMetadata(AwsModel):
    """AWS shape Oauth2AuthorizationServerMetadata."""
    issuer: str
    authorizationEndpoint: str
    tokenEndpoint: str
    responseTypes: list[str] | None = Field(None)
    tokenEndpointAuthMethods: Annotated[list[Annotated[str, Constraint('string', pattern='(client_secret_post|client_secret_basic)')]], Constraint('list', min=1, max=2)] | None = Field(None)


class Oauth2Discovery(AwsUnion):
    """AWS shape Oauth2Discovery."""
    discoveryUrl: Annotated[str, Constraint('string', pattern='[^\\s?#]+/\\.well-known/(openid-configuration|oauth-authorization-server)(/[^\\s?#]+)?')] | None = Field(None)
    authorizationServerMetadata: Oauth2AuthorizationServerMetadata | None = Field(None)


class TokenExchangeGrantTypeConfigType(AwsModel):
    """AWS shape TokenExchangeGrantTypeConfigType."""
    actorTokenContent: Annotated[str, Constraint('string', enum=('NONE', 'M2M', 'AWS_IAM_ID_TOKEN_JWT'))]
    actorTokenScopes: list[Annotated[str, Constraint('string', min=1, max=128)]] | None = Field(None)


class OnBehalfOfAuthenticationConfig(AwsModel):
    """AWS shape OnBehalfOfAuthenticationConfig."""
    clientAuthenticationMethod: Annotated[str, Constraint('string', enum=('NO_CLIENT',))]


class OnBehalfOfTokenExchangeConfigType(AwsModel):
    """AWS shape OnBehalfOfTokenExchangeConfigType."""
    grantType: Annotated[str, Constraint('string', enum=('TOKEN_EXCHANGE', 'JWT_AUTHORIZATION_GRANT'))]
    tokenExchangeGrantTypeConfig: TokenExchangeGrantTypeConfigType | None = Field(None)
    onBehalfOfAuthenticationConfig: OnBehalfOfAuthenticationConfig | None = Field(None)


class KmsKeySourceType(AwsModel):
    """AWS shape KmsKeySourceType."""
    kmsKeyArn: Annotated[str, Constraint('string', min=1, max=2048, pattern='arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}')]


class PrivateKeySource(AwsUnion):
    """AWS shape PrivateKeySource."""
    kmsKeySource: KmsKeySourceType | None = Field(None)


class PrivateKeyJwtConfig(AwsModel):
    """AWS shape PrivateKeyJwtConfig."""
    privateKeySource: PrivateKeySource | None = Field(None)
    signingAlgorithm: Annotated[str, Constraint('string', enum=('RS256', 'PS256', 'ES256'))] | None = Field(None)
    additionalHeaderClaims: Annotated[dict[Annotated[str, Constraint('string', min=1, max=255, pattern='[A-Za-z0-9_.:#-]+')], Annotated[SecretStr, Constraint('string', min=1, max=2048)]], Constraint('map', min=1, max=10)] | None = Field(None)
    additionalPayloadClaims: Annotated[dict[Annotated[str, Constraint('string', min=1, max=255, pattern='[A-Za-z0-9_.:#-]+')], Annotated[SecretStr, Constraint('string', min=1, max=2048)]], Constraint('map', min=1, max=10)] | None = Field(None)


class SelfManagedLatticeResource(AwsUnion):
    """AWS shape SelfManagedLatticeResource."""
    resourceConfigurationIdentifier: Annotated[str, Constraint('string', min=20, max=2048, pattern='((rcfg-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:resourceconfiguration/rcfg-[0-9a-z]{17}))')] | None = Field(None)


class ManagedVpcResource(AwsModel):
    """AWS shape ManagedVpcResource."""
    vpcIdentifier: Annotated[str, Constraint('string', pattern='vpc-(([0-9a-z]{8})|([0-9a-z]{17}))')]
    subnetIds: list[Annotated[str, Constraint('string', pattern='subnet-[0-9a-zA-Z]{8,17}')]]
    endpointIpAddressType: Annotated[str, Constraint('string', enum=('IPV4', 'IPV6'))]
    securityGroupIds: Annotated[list[Annotated[str, Constraint('string', pattern='sg-(([0-9a-z]{8})|([0-9a-z]{17}))')]], Constraint('list', min=0, max=5)] | None = Field(None)
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)
    routingDomain: Annotated[str, Constraint('string', min=3, max=255)] | None = Field(None)


class PrivateEndpoint(AwsUnion):
    """AWS shape PrivateEndpoint."""
    selfManagedLatticeResource: SelfManagedLatticeResource | None = Field(None)
    managedVpcResource: ManagedVpcResource | None = Field(None)


class PrivateEndpointOverride(AwsModel):
    """AWS shape PrivateEndpointOverride."""
    domain: Annotated[str, Constraint('string', min=1, max=253)]
    privateEndpoint: PrivateEndpoint


class S3CertificateConfiguration(AwsModel):
    """AWS shape S3CertificateConfiguration."""
    uri: Annotated[str, Constraint('string', pattern='s3://.{1,2043}')]
    bucketOwnerAccountId: Annotated[str, Constraint('string', pattern='[0-9]{12}')] | None = Field(None)


class SecretsManagerCertificateConfiguration(AwsModel):
    """AWS shape SecretsManagerCertificateConfiguration."""
    secretArn: Annotated[str, Constraint('string', pattern='arn:aws(-[^:]+)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+')]


class CertificateConfiguration(AwsUnion):
    """AWS shape CertificateConfiguration."""
    s3: S3CertificateConfiguration | None = Field(None)
    secretsManager: SecretsManagerCertificateConfiguration | None = Field(None)


class CustomOauth2ProviderConfigInput(AwsModel):
    """AWS shape CustomOauth2ProviderConfigInput."""
    oauthDiscovery: Oauth2Discovery
    clientId: Annotated[str, Constraint('string', min=0, max=256)] | None = Field(None)
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    onBehalfOfTokenExchangeConfig: OnBehalfOfTokenExchangeConfigType | None = Field(None)
    clientAuthenticationMethod: Annotated[str, Constraint('string', enum=('CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'AWS_IAM_ID_TOKEN_JWT', 'PRIVATE_KEY_JWT'))] | None = Field(None)
    privateKeyJwtConfig: PrivateKeyJwtConfig | None = Field(None)
    privateEndpoint: PrivateEndpoint | None = Field(None)
    privateEndpointOverrides: Annotated[list[PrivateEndpointOverride], Constraint('list', min=0, max=5)] | None = Field(None)
    certificateConfigurations: Annotated[list[CertificateConfiguration], Constraint('list', min=1, max=1)] | None = Field(None)


class GoogleOauth2ProviderConfigInput(AwsModel):
    """AWS shape GoogleOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class GithubOauth2ProviderConfigInput(AwsModel):
    """AWS shape GithubOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class SlackOauth2ProviderConfigInput(AwsModel):
    """AWS shape SlackOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class SalesforceOauth2ProviderConfigInput(AwsModel):
    """AWS shape SalesforceOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class MicrosoftOauth2ProviderConfigInput(AwsModel):
    """AWS shape MicrosoftOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    tenantId: Annotated[str, Constraint('string', min=1, max=2048)] | None = Field(None)


class AtlassianOauth2ProviderConfigInput(AwsModel):
    """AWS shape AtlassianOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class LinkedinOauth2ProviderConfigInput(AwsModel):
    """AWS shape LinkedinOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)


class IncludedOauth2ProviderConfigInput(AwsModel):
    """AWS shape IncludedOauth2ProviderConfigInput."""
    clientId: Annotated[str, Constraint('string', min=1, max=256)]
    clientSecret: Annotated[SecretStr, Constraint('string', min=0, max=2048)] | None = Field(None)
    clientSecretConfig: SecretReference | None = Field(None)
    clientSecretSource: Annotated[str, Constraint('string', enum=('MANAGED', 'EXTERNAL'))] | None = Field(None)
    issuer: str | None = Field(None)
    authorizationEndpoint: str | None = Field(None)
    tokenEndpoint: str | None = Field(None)


class Oauth2ProviderConfigInput(AwsUnion):
    """AWS shape Oauth2ProviderConfigInput."""
    customOauth2ProviderConfig: CustomOauth2ProviderConfigInput | None = Field(None)
    googleOauth2ProviderConfig: GoogleOauth2ProviderConfigInput | None = Field(None)
    githubOauth2ProviderConfig: GithubOauth2ProviderConfigInput | None = Field(None)
    slackOauth2ProviderConfig: SlackOauth2ProviderConfigInput | None = Field(None)
    salesforceOauth2ProviderConfig: SalesforceOauth2ProviderConfigInput | None = Field(None)
    microsoftOauth2ProviderConfig: MicrosoftOauth2ProviderConfigInput | None = Field(None)
    atlassianOauth2ProviderConfig: AtlassianOauth2ProviderConfigInput | None = Field(None)
    linkedinOauth2ProviderConfig: LinkedinOauth2ProviderConfigInput | None = Field(None)
    includedOauth2ProviderConfig: IncludedOauth2ProviderConfigInput | None = Field(None)


class CreateOauth2CredentialProviderRequest(AwsModel):
    """AWS shape CreateOauth2CredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    credentialProviderVendor: Annotated[str, Constraint('string', enum=('GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2', 'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2', 'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2', 'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2', 'CognitoOauth2'))]
    oauth2ProviderConfigInput: Oauth2ProviderConfigInput
    tags: Annotated[dict[Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\s._:/=+@-]*')], Annotated[str, Constraint('string', min=0, max=256, pattern='[a-zA-Z0-9\\s._:/=+@-]*')]], Constraint('map', min=0, max=50)] | None = Field(None)


class DeleteOauth2CredentialProviderRequest(AwsModel):
    """AWS shape DeleteOauth2CredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class GetOauth2CredentialProviderRequest(AwsModel):
    """AWS shape GetOauth2CredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]


class ListOauth2CredentialProvidersRequest(AwsModel):
    """AWS shape ListOauth2CredentialProvidersRequest."""
    nextToken: str | None = Field(None)
    maxResults: Annotated[int, Constraint('integer', min=1, max=20)] | None = Field(None)


class UpdateOauth2CredentialProviderRequest(AwsModel):
    """AWS shape UpdateOauth2CredentialProviderRequest."""
    name: Annotated[str, Constraint('string', min=1, max=128, pattern='[a-zA-Z0-9\\-_]+')]
    credentialProviderVendor: Annotated[str, Constraint('string', enum=('GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2', 'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2', 'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2', 'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2', 'CognitoOauth2'))]
    oauth2ProviderConfigInput: Oauth2ProviderConfigInput
