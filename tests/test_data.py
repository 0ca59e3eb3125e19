"""``rates check --save DIR``: each claim's trace as a table pandas reads back, with its record;
the values are checked against an independent computation of the tiny claim's iteration."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from problems import quadratic
from rates import cli, data, registry

sys.path.insert(0, str(Path(__file__).parent))
from test_user_claims import _tiny  # noqa: E402  (GD at step 1/L on a 4-d quadratic)

pd = pytest.importorskip("pandas")  # installed with the test extra (through rates[data])


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.setenv(registry.ENV, "")
    registry._discover.cache_clear()
    yield
    registry._discover.cache_clear()


@pytest.fixture
def claim_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(_tiny()))
    return path


def _gd_squared_distance(seed: int, step: float, ks: np.ndarray) -> np.ndarray:
    """||x_k - x*||^2 for GD on the tiny claim's quadratic, in closed form: each eigen-component
    of x0 - x* (x0 = x* + N(0, I) from the seed, as rates.spec.gaussian_start draws it) is
    multiplied by (1 - step lam) per step."""
    q = quadratic(4, L=1.0, mu=0.5)
    e0 = np.random.default_rng(seed).standard_normal((1, 4))[0]
    factors = (1 - step * q.eigenvalues) ** 2
    return np.array([np.sum(factors ** k * e0 ** 2) for k in ks])


def test_check_save_writes_a_table_pandas_reads(tmp_path, claim_file, capsys):
    out = tmp_path / "saved"
    status = cli.main(["check", "--claims", str(claim_file), "tiny-user-claim", "--seed", "2",
                       "--no-cache", "--save", str(out), "--save-format", "csv"])
    assert status == 0, capsys.readouterr()
    df = pd.read_csv(out / "tiny-user-claim.csv")
    rec = json.loads((out / "tiny-user-claim.json").read_text())
    assert list(df.columns) == list(data.COLUMNS) == rec["columns"]
    assert rec["table"] == "tiny-user-claim.csv" and rec["verdict"] == "holds"
    assert set(df.role) == {"claim", "control"} and set(df.claim) == {"tiny-user-claim"}
    assert set(df.seed) == {2} and set(df.run) == {0}  # the tiny claim does one run
    assert df.in_window.dtype == bool
    for role, step in (("claim", 1.0), ("control", 0.01)):
        part = df[df.role == role]
        x = part.x.to_numpy()
        np.testing.assert_array_equal(x, np.arange(21))  # a geometric law records every step
        expected = _gd_squared_distance(2, step, x.astype(int))
        np.testing.assert_allclose(part.value, expected, rtol=1e-10)
        np.testing.assert_allclose(part.statistic, expected, rtol=1e-10)  # one run: its mean
        np.testing.assert_allclose(part.bound, 0.25 ** x, rtol=1e-12)  # the bound (1/4)^k
    claim = df[df.role == "claim"]
    # the fitted line is C rho^x with rho the measured factor of the record
    slope = np.polyfit(claim.x, np.log(claim.fit), 1)[0]
    assert slope == pytest.approx(np.log(rec["measured"]), rel=1e-9)
    lo, hi = rec["window"]
    np.testing.assert_array_equal(claim.in_window, (claim.x >= lo) & (claim.x <= hi))
    assert claim.in_window.any() and not claim.in_window.all()


def test_several_seeds_of_one_claim_get_their_own_files(tmp_path, claim_file):
    registry.use_paths([claim_file])
    claim = registry.get("tiny-user-claim")
    verdicts = [claim.check(seed=s) for s in (0, 1)]
    paths = data.save(verdicts, tmp_path, "csv")
    assert [p.name for p in paths] == ["tiny-user-claim-seed0.csv", "tiny-user-claim-seed1.csv"]
    for seed, path in zip((0, 1), paths, strict=True):
        df = pd.read_csv(path)
        first = df[(df.role == "claim")].value.to_numpy()
        np.testing.assert_allclose(first, _gd_squared_distance(seed, 1.0, np.arange(21)),
                                   rtol=1e-10)
        assert (tmp_path / path.name.replace(".csv", ".json")).exists()


def test_missing_values_are_empty_cells(tmp_path):
    assert data._cell(float("nan")) == "" and data._cell(True) == "true"
    assert data._cell(0.1) == "0.1" and float(data._cell(1 / 3)) == 1 / 3
    path = tmp_path / "t.csv"
    columns = {c: [] for c in data.COLUMNS}
    for c, value in zip(data.COLUMNS, ("a", 0, "claim", 0, 1.0, float("nan"), 2.0, float("nan"),
                                       0.5, False), strict=True):
        columns[c].append(value)
    data._write_csv(path, columns)
    df = pd.read_csv(path)
    assert np.isnan(df.value[0]) and np.isnan(df.fit[0]) and df.statistic[0] == 2.0


def test_parquet_needs_pyarrow_and_auto_falls_back_to_csv(monkeypatch, tmp_path, claim_file,
                                                          capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    assert data.resolve_format("auto") == "csv"
    with pytest.raises(ValueError, match="needs pyarrow"):
        data.resolve_format("parquet")
    with pytest.raises(ValueError, match="format must be one of auto, csv, parquet"):
        data.resolve_format("xlsx")
    status = cli.main(["check", "--claims", str(claim_file), "tiny-user-claim", "--no-cache",
                       "--save", str(tmp_path / "p"), "--save-format", "parquet"])
    assert status == 2 and "needs pyarrow" in capsys.readouterr().err


def test_parquet_round_trip(tmp_path, claim_file):
    pytest.importorskip("pyarrow")  # installed with the test extra (through rates[data])
    assert data.resolve_format("auto") == "parquet"
    registry.use_paths([claim_file])
    v = registry.get("tiny-user-claim").check(seed=0)
    [path] = data.save([v], tmp_path, "parquet")
    df = pd.read_parquet(path)
    assert list(df.columns) == list(data.COLUMNS)
    claim = df[df.role == "claim"]
    np.testing.assert_allclose(claim.value, _gd_squared_distance(0, 1.0, np.arange(21)),
                               rtol=1e-10)
