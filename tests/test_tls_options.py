"""--ca-bundle, AWS_CA_BUNDLE, --no-verify-ssl and --no-sign-request, against real HTTPS servers on 127.0.0.1.

The OAuth engine (local backend) is driven against the test authorization server over HTTPS;
the aws backend against `serve` behind a TLS-terminating proxy, which also keeps what the
client sent. Every certificate comes from a CA made by the test (tests/tls_support.py), which
nothing on the machine trusts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.oauth_server import AuthServer, create_provider
from tests.serve_support import Served, serve_fixture  # noqa: F401
from tests.tls_support import TestCA, TlsProxy

WARNING = "InsecureRequestWarning: Unverified HTTPS request is being made to host '127.0.0.1'."


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA.create(tmp_path / "ca")


def _https_server(ca: TestCA) -> AuthServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = AuthServer().start(ssl_context=ca.server_context())
    server.add_client()
    return server


@pytest.fixture
def https_server(ca: TestCA) -> Iterator[AuthServer]:
    """The test authorization server over HTTPS, with a certificate of the test CA."""
    server = _https_server(ca)
    try:
        yield server
    finally:
        server.stop()


def _provider_on_token_endpoint(cli: Any, server: AuthServer) -> None:
    """A provider with explicit endpoints: the token endpoint is the first URL contacted."""
    result = cli(
        "create-oauth2-credential-provider",
        "--name",
        "corp",
        "--credential-provider-vendor",
        "CustomOauth2",
        "--issuer",
        server.url,
        "--authorization-endpoint",
        server.url + "/authorize",
        "--token-endpoint",
        server.url + "/token",
        "--client-id",
        "app",
        "--client-secret",
        "-",
        input="s3cret-client",
    )
    assert result.exit_code == 0, result.stderr


# --- the OAuth engine ----------------------------------------------------------------------


def test_oauth_token_endpoint_of_a_private_ca_is_refused_naming_the_endpoint_and_the_problem(cli, https_server):
    _provider_on_token_endpoint(cli, https_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 255, result.stderr
    assert result.stdout == ""
    assert f"{https_server.url}/token" in result.stderr
    assert "TLS certificate" in result.stderr and "could not be verified" in result.stderr
    assert "unable to get local issuer certificate" in result.stderr
    assert "Hint: trust the server's CA with --ca-bundle FILE (or AWS_CA_BUNDLE)" in result.stderr
    assert "s3cret-client" not in result.stderr
    assert https_server.stats["token:client_credentials"] == 0


def test_oauth_token_endpoint_is_trusted_with_ca_bundle(cli, https_server, ca):
    _provider_on_token_endpoint(cli, https_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--ca-bundle", str(ca.ca_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("at-")
    assert result.stderr == ""
    assert https_server.stats["token:client_credentials"] == 1


def test_ca_bundle_before_the_command_name_works_too(cli, https_server, ca):
    _provider_on_token_endpoint(cli, https_server)
    result = cli("--ca-bundle", str(ca.ca_file), "token", "corp", "--oauth2-flow", "M2M")
    assert result.exit_code == 0, result.stderr


def test_oauth_token_endpoint_is_trusted_with_aws_ca_bundle(cli, https_server, ca):
    _provider_on_token_endpoint(cli, https_server)
    result = cli("token", "corp", "--oauth2-flow", "M2M", env={"AWS_CA_BUNDLE": str(ca.ca_file)})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("at-")
    assert result.stderr == ""


def test_discovery_and_token_requests_trust_the_bundle(cli, https_server, ca):
    create_provider(cli, https_server)  # discovery URL: two requests, both over HTTPS
    refused = cli("token", "corp", "--oauth2-flow", "M2M")
    assert refused.exit_code == 255
    assert https_server.discovery_url in refused.stderr
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--ca-bundle", str(ca.ca_file))
    assert result.exit_code == 0, result.stderr
    assert https_server.stats["token:client_credentials"] == 1


def test_ca_bundle_adds_to_the_default_trust_rather_than_replacing_it(cli, tmp_path, monkeypatch):
    """Discovery on a server of one CA (trusted by default here, through SSL_CERT_FILE), tokens on a
    server of another (trusted through --ca-bundle): both are reached in one command."""
    first, second = TestCA.create(tmp_path / "ca1", "first CA"), TestCA.create(tmp_path / "ca2", "second CA")
    metadata_server, token_server = _https_server(first), _https_server(second)
    try:
        metadata_server.metadata_overrides["token_endpoint"] = token_server.url + "/token"
        create_provider(cli, metadata_server)
        monkeypatch.setenv("SSL_CERT_FILE", str(first.ca_file))
        only_default = cli("token", "corp", "--oauth2-flow", "M2M")
        assert only_default.exit_code == 255
        assert f"{token_server.url}/token" in only_default.stderr
        result = cli("token", "corp", "--oauth2-flow", "M2M", "--ca-bundle", str(second.ca_file))
        assert result.exit_code == 0, result.stderr
        assert token_server.stats["token:client_credentials"] == 1
    finally:
        metadata_server.stop()
        token_server.stop()


def test_no_verify_ssl_is_accepted_with_the_aws_cli_warning_printed_once(cli, https_server):
    create_provider(cli, https_server)  # discovery and token: two requests to one host
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--no-verify-ssl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("at-")
    assert result.stderr.splitlines() == [WARNING + " Adding certificate verification is strongly advised."]
    assert https_server.stats["token:client_credentials"] == 1


def test_no_verify_ssl_wins_over_a_ca_bundle(cli, https_server, tmp_path):
    _provider_on_token_endpoint(cli, https_server)
    missing = tmp_path / "missing.pem"
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--no-verify-ssl", "--ca-bundle", str(missing))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("InsecureRequestWarning") == 1


def test_ca_bundle_that_is_not_a_file_is_a_usage_error(cli, https_server, tmp_path):
    _provider_on_token_endpoint(cli, https_server)
    missing = tmp_path / "missing.pem"
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--ca-bundle", str(missing))
    assert result.exit_code == 252
    assert f"The CA bundle {missing} named by --ca-bundle is not a file." in result.stderr


def test_ca_bundle_without_a_certificate_is_a_usage_error(cli, https_server, tmp_path):
    _provider_on_token_endpoint(cli, https_server)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    result = cli("token", "corp", "--oauth2-flow", "M2M", "--ca-bundle", str(junk))
    assert result.exit_code == 252
    assert f"The CA bundle {junk} named by --ca-bundle holds no usable PEM certificate" in result.stderr


def test_aws_ca_bundle_that_is_not_a_file_is_a_configuration_error(cli, https_server, tmp_path):
    _provider_on_token_endpoint(cli, https_server)
    missing = tmp_path / "missing.pem"
    result = cli("token", "corp", "--oauth2-flow", "M2M", env={"AWS_CA_BUNDLE": str(missing)})
    assert result.exit_code == 253
    assert f"The CA bundle {missing} named by AWS_CA_BUNDLE is not a file." in result.stderr
    assert "unset AWS_CA_BUNDLE" in result.stderr


def test_trusted_issuer_discovery_names_the_certificate_problem(cli, https_server, ca):
    add = ("trusted-issuer", "add", "--discovery-url", https_server.discovery_url, "--audiences", "agents")
    refused = cli(*add)
    assert refused.exit_code == 254
    assert f"Could not fetch the discovery document {https_server.discovery_url}" in refused.stderr
    assert "the TLS certificate could not be verified (unable to get local issuer certificate)" in refused.stderr
    assert "Hint: trust the server's CA with --ca-bundle FILE" in refused.stderr
    accepted = cli(*add, "--ca-bundle", str(ca.ca_file))
    assert "TLS" not in accepted.stderr and "certificate" not in accepted.stderr, accepted.stderr


def test_no_sign_request_on_the_local_backend_says_it_has_no_meaning(cli):
    result = cli("list-workload-identities", "--no-sign-request", "--output", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"workloadIdentities": []}
    assert result.stderr.splitlines() == [
        "Warning: --no-sign-request is ignored by the local backend; use --backend aws."
    ]


# --- the aws backend, against serve behind TLS ---------------------------------------------


@pytest.fixture
def tls_serve(serve: Served, ca: TestCA) -> Iterator[tuple[Served, TlsProxy]]:
    """serve, and a TLS-terminating proxy in front of it with a certificate of the test CA."""
    proxy = TlsProxy(ca, serve.port).start()
    try:
        yield serve, proxy
    finally:
        proxy.stop()


def _aws(served: Served, proxy: TlsProxy) -> tuple[list[str], dict[str, str]]:
    """The global options and environment that send the aws backend to the proxy."""
    env = {name: served.env[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    args = ["--backend", "aws", "--region", served.env["AWS_REGION"], "--endpoint-url", proxy.url]
    return args, env


def test_aws_backend_refuses_a_server_of_a_private_ca(cli, tls_serve):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    result = cli(*args, "list-workload-identities", env=env)
    assert result.exit_code == 255
    assert f"SSL validation failed for {proxy.url}/" in result.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert "Hint: trust the server's CA with --ca-bundle FILE" in result.stderr
    assert env["AWS_SECRET_ACCESS_KEY"] not in result.stderr


def test_aws_backend_trusts_ca_bundle(cli, tls_serve, ca):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    result = cli(*args, "list-workload-identities", "--ca-bundle", str(ca.ca_file), "--output", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"workloadIdentities": []}
    assert result.stderr == ""
    assert b"\r\nauthorization: aws4-hmac-sha256 " in proxy.received().lower()  # signed, as usual


def test_aws_backend_trusts_aws_ca_bundle(cli, tls_serve, ca):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    result = cli(*args, "list-workload-identities", "--output", "json", env={**env, "AWS_CA_BUNDLE": str(ca.ca_file)})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_aws_backend_trusts_the_aws_profiles_ca_bundle(cli, tls_serve, ca, tmp_path):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    (tmp_path / "aws-config").write_text(f"[profile tls]\nca_bundle = {ca.ca_file}\n")
    result = cli(*args, "list-workload-identities", "--output", "json", env={**env, "AWS_PROFILE": "tls"})
    assert result.exit_code == 0, result.stderr
    refused = cli(*args, "list-workload-identities", "--output", "json", env=env)
    assert refused.exit_code == 255


def test_aws_backend_with_no_verify_ssl_warns_once_however_many_requests(cli, tls_serve):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    for name in ("one", "two", "three"):
        assert cli("create-workload-identity", "--name", name).exit_code == 0
    # --page-size 1: three requests to the one host
    result = cli(*args, "list-workload-identities", "--page-size", "1", "--no-verify-ssl", "--output", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert sorted(w["name"] for w in result.json()["workloadIdentities"]) == ["one", "three", "two"]
    assert proxy.received().count(b" HTTP/1.1\r\n") == 3
    assert result.stderr.splitlines() == [WARNING + " Adding certificate verification is strongly advised."]


def test_aws_backend_no_sign_request_sends_no_authorization_header(cli, tls_serve, ca):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    result = cli(*args, "list-workload-identities", "--ca-bundle", str(ca.ca_file), "--no-sign-request", env=env)
    assert result.exit_code == 254, result.stderr
    assert "MissingAuthenticationTokenException" in result.stderr
    assert "--no-sign-request" in result.stderr  # the hint says why
    sent = proxy.received().lower()
    assert sent.startswith(b"post /identities/listworkloadidentities http/1.1\r\n")
    assert b"\r\nauthorization:" not in sent
    assert b"\r\nx-amz-date:" not in sent


def test_aws_backend_ca_bundle_that_is_not_a_file_is_a_usage_error(cli, tls_serve, tmp_path):
    served, proxy = tls_serve
    args, env = _aws(served, proxy)
    missing = tmp_path / "missing.pem"
    result = cli(*args, "list-workload-identities", "--ca-bundle", str(missing), env=env)
    assert result.exit_code == 252
    assert f"The CA bundle {missing} named by --ca-bundle is not a file." in result.stderr
    assert proxy.received() == b""
