"""Suite-wide test setup: every test of ``paper_checks/`` is in the slow tier; one BLAS thread.

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


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One BLAS thread for the whole session, as inside ``Claim.check``: the tests' dense algebra
    is small, and BLAS threads only contend with numba's and the other test worker's."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
