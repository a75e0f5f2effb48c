"""Every identity operation of the service has a command, a local implementation and an aws mapping.

The identity operations are those of both service models under /identities/ or /tags/:
credential providers of every kind, consent portals, workload identities, the token vault, tags
and the data plane. Each operation must also be driven end to end on the local backend by some test,
and sent through botocore's Stubber on the aws backend (tests/test_aws_backend.py).
"""

from __future__ import annotations

import re
import sys

import botocore
import botocore.session

from agentcore_identity_cli.backends.base import operations, snake_case
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
try:
    import generate_models
finally:
    sys.path.pop(0)


def _identity_operations() -> dict[str, str]:
    """operation -> service, for every identity operation of the pinned models."""
    found = {}
    for service in generate_models.SERVICES:
        for name in generate_models.load_copy(service)["operations"]:
            found[name] = service
    return found


def _command(operation: str) -> str:
    return snake_case(operation).replace("_", "-")


def test_the_copy_is_the_installed_models_identity_api_when_versions_match():
    copy_version = generate_models.copy_version()
    if botocore.__version__ != copy_version:
        return  # a newer botocore is reported by test_generated_models, not failed
    session = botocore.session.get_session()
    for service in generate_models.SERVICES:
        installed = {
            name
            for name, op in session.get_service_data(service)["operations"].items()
            if generate_models.is_identity(op)
        }
        assert installed == set(generate_models.load_copy(service)["operations"])


def test_every_identity_operation_is_spoken():
    assert set(operations()) == set(_identity_operations())


def test_every_operation_has_a_command_a_local_implementation_and_an_aws_mapping():
    from agentcore_identity_cli.backends.local.backend import LocalBackend
    from agentcore_identity_cli.cli.app import COMMAND_MODULES

    session = botocore.session.get_session()
    problems = []
    for operation, spec in operations().items():
        if _command(operation) not in COMMAND_MODULES:
            problems.append(f"{operation}: no command {_command(operation)}")
        if not callable(getattr(LocalBackend, snake_case(operation), None)):
            problems.append(f"{operation}: no local implementation {snake_case(operation)}")
        client_methods = {
            botocore.xform_name(name) for name in session.get_service_model(spec["service"]).operation_names
        }
        if snake_case(operation) not in client_methods:
            problems.append(f"{operation}: no boto3 method {snake_case(operation)} for the aws backend")
    assert not problems, "\n".join(problems)


def test_every_operation_has_an_end_to_end_local_test_and_an_aws_stubber_test():
    from tests.test_aws_backend import CASES

    stubbed = {case.operation for case in CASES if case.argv is not None}
    local_sources = "\n".join(
        path.read_text() for path in (ROOT / "tests").glob("test_*.py") if not path.name.startswith("test_aws")
    )
    problems = []
    for operation in operations():
        if operation not in stubbed:
            problems.append(f"{operation}: no Stubber case driven through its command")
        if not re.search(rf"[\"']{re.escape(_command(operation))}[\"']", local_sources):
            problems.append(f"{operation}: no local test runs {_command(operation)}")
    assert not problems, "\n".join(problems)
