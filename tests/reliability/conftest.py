"""The reliability suite's fixtures: trials seeded from the run's seed and named after the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.reliability.support import Trials, run_seed, scaled


@pytest.fixture
def trials(request: pytest.FixtureRequest) -> Callable[[int], Trials]:
    """trials(default_count) -> the Trials of this test, scaled by AGENTCORE_RELIABILITY_SCALE."""

    def make(default: int) -> Trials:
        return Trials(request.node.nodeid, scaled(default), run_seed())

    return make
