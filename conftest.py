"""Suite-wide test setup: every test of ``paper_checks/`` is in the slow tier.

Those tests run whole claims (experiments with their controls, seconds to minutes each), so the
fast tier, ``pytest -m "not slow"``, leaves them out; ``pytest`` and ``.ci/run`` run them all.
Tests elsewhere mark themselves with ``@pytest.mark.slow``.
"""

from pathlib import Path

import pytest

_PAPER_CHECKS = Path(__file__).resolve().parent / "paper_checks"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _PAPER_CHECKS in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)
