"""The --update-golden option: rewrite the golden files from the current output, deliberately.

Run it as `pytest tests/golden --update-golden`, then review the diff: pytest reads the options of
a sub-folder's conftest only when that folder is named on the command line.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/basic/ from the current build instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
