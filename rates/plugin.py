"""pytest as the front door: ``pytest --rates`` checks claims as test items.

Registered through the ``pytest11`` entry point, so installing ``rates`` makes it available;
it does nothing unless ``--rates`` is given (a plain ``pytest`` run is unchanged).

* ``pytest --rates`` adds one item per claim (the catalogue, ``rates.claims`` entry points, and
  the files or folders of ``--rates-claims PATH``) and seed, named ``claim-id[seed=3]``, marked
  ``rates_claim`` (so ``pytest --rates -m rates_claim`` runs only those, ``-k`` picks some);
* ``--rates-seeds 0-4`` (or ``0,3,7``; default 0) gives the seeds;
* an item passes when the claim holds and every control fails; otherwise the failure says the
  stated and the measured value, the CI, the accepted interval and the reasons
  (:func:`rates.testing.explain`);
* verdicts go through the results cache (``--rates-no-cache``, ``--rates-cache-dir DIR``), as
  ``rates check`` does: a claim checked before, unchanged, is not run again.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

MARKER = "rates_claim"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rates", "convergence-rate claims (rates)")
    group.addoption("--rates", action="store_true", default=False,
                    help="collect every claim as a test item, claim-id[seed=N]")
    group.addoption("--rates-seeds", default="0", metavar="SEEDS",
                    help="seeds for the claim items, e.g. 0-4 or 0,3,7 (default 0)")
    group.addoption("--rates-claims", action="append", default=[], metavar="PATH",
                    help="also read claims from PATH (a .py file or a folder; repeatable)")
    group.addoption("--rates-no-cache", action="store_true", default=False,
                    help="recompute claims, neither reading nor writing the results cache")
    group.addoption("--rates-cache-dir", default=None, metavar="DIR",
                    help="results cache directory (default as for `rates check`)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a convergence-rate claim (pytest --rates)")
    if not config.getoption("rates"):
        return
    from rates import cli, registry

    config._rates_env = os.environ.get(registry.ENV)  # type: ignore[attr-defined]
    try:
        config._rates_seeds = cli.parse_seeds(  # type: ignore[attr-defined]
            config.getoption("rates_seeds"), limit=10_000)
        registry.use_paths(config.getoption("rates_claims"))
        registry.all_claims()
    except (ValueError, cli.UsageError) as e:
        raise pytest.UsageError(f"rates: {e}") from None
    config._rates_hits = [0, 0]  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "_rates_env"):
        return
    from rates import registry

    old = config._rates_env
    if old is None:
        os.environ.pop(registry.ENV, None)
    else:
        os.environ[registry.ENV] = old


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: they apply to claim items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    if not config.getoption("rates"):
        return

    from _pytest.runner import collect_one_node

    # collected as a node of the session, so the terminal counts the items ("N collected")
    report = collect_one_node(Claims.from_parent(session, name="rates", nodeid="rates"))
    added = [x for x in report.result if isinstance(x, ClaimItem)]
    for item in added:
        item.ihook.pytest_itemcollected(item=item)
    session.ihook.pytest_collectreport(report=report)
    items.extend(added)


class Claims(pytest.Collector):
    """Every registered claim at every seed of ``--rates-seeds``."""

    def collect(self) -> list[pytest.Item]:
        from rates import registry

        found: list[pytest.Item] = []
        for claim_id in registry.all_claims():
            for seed in self.config._rates_seeds:
                name = f"{claim_id}[seed={seed}]"
                item = ClaimItem.from_parent(self, name=name, nodeid=name, claim_id=claim_id,
                                             seed=seed)
                item.add_marker(MARKER)
                found.append(item)
        return found


class ClaimItem(pytest.Item):
    """One claim at one seed: passes when the claim holds and every control fails."""

    def __init__(self, *, claim_id: str, seed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim_id = claim_id
        self.seed = seed

    def runtest(self) -> None:
        from rates.testing import ClaimFailed, check, explain

        config = self.config
        verdict, hit = check(self.claim_id, seed=self.seed,
                             use_cache=not config.getoption("rates_no_cache"),
                             cache_dir=config.getoption("rates_cache_dir"))
        config._rates_hits[0] += 1
        config._rates_hits[1] += int(hit)
        self.user_properties.append(("verdict", verdict.status))
        self.user_properties.append(("from_cache", hit))
        if verdict.status != "holds":
            raise ClaimFailed(explain(verdict), verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        from rates.testing import ClaimFailed

        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[str, int | None, str]:
        from rates import registry

        found = registry.source(self.claim_id)
        return (found.where if found else "rates"), None, self.name


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    hits = getattr(config, "_rates_hits", None)
    if hits and hits[0]:
        terminalreporter.write_line(f"rates: {hits[0]} claim check(s), {hits[1]} from the "
                                    f"results cache")
