"""The lessons in lessons/: each runs (as `python lessons/<name>.py` would) and what it measured
is what its text says it measures.

Each lesson keeps what it measured in a module-level ``RESULTS`` dict; these tests run every
lesson in this process (``runpy``: numba's kernels are loaded once for all six) with its figures
written to a temporary directory, and assert values, not that it ran.
"""

import math
import re
import runpy
from pathlib import Path

import pytest

from figures import teaching
from rates import registry

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
FILES = sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def test_there_are_at_least_six_lessons_in_jupytext_percent_form():
    assert len(FILES) >= 6
    for path in FILES:
        text = path.read_text()
        assert text.startswith("# ---\n# jupyter:\n#   jupytext:"), path.name
        assert "format_name: percent" in text and text.count("# %% [markdown]") >= 4, path.name
        exercises = re.findall(r"^# \*\*(\d)\. ", text, flags=re.M)
        assert len(exercises) >= 2 and exercises[:2] == ["1", "2"], path.name
        assert text.count("# *Answer:*") >= len(exercises), path.name


def test_lessons_teach_from_the_claims_not_a_copy():
    for path in FILES:
        text = path.read_text()
        ids = set(re.findall(r'teaching\.(?:run|theorem)\("([a-z0-9-]+)"', text))
        assert ids, path.name
        for claim_id in ids:
            registry.get(claim_id)  # every claim a lesson names is in the catalogue
            assert f'teaching.theorem("{claim_id}")' in text, (path.name, claim_id)


def test_the_theorem_is_the_claims_own():
    text = teaching.theorem("handbook-gd-convex")
    claim = registry.get("handbook-gd-convex")
    assert claim.statement[:40] in text.replace("\n", " ")
    assert "R_0**2/(2*gamma*k)" in text and "stated rate 1" in text
    assert "Theorem 3.4" in text and claim.tolerance.reason[:30] in text.replace("\n", " ")


def test_a_lesson_opens_as_a_notebook_with_jupytext():
    jupytext = pytest.importorskip("jupytext", reason="jupytext is optional (the lessons extra)")
    notebook = jupytext.read(FILES[0])
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds.count("code") >= 4 and kinds.count("markdown") >= 4


# --- every lesson runs, and measures what it says ---------------------------------------------

def _near(x, target, tol):
    return x is not None and math.isfinite(x) and abs(x - target) <= tol


def check_01(r):
    assert _near(r["convex_slope"], 1.0, 0.05) and r["convex_status"] == "holds"
    assert r["strong_rho"] <= r["strong_stated"] + 1e-12
    assert _near(r["half_step_slope"], 1.0, 0.05) and _near(r["half_step_gap_ratio"], 2.0, 0.1)
    assert r["mu_edge_slope"] > 1.5 and r["mu_edge_verdict"] == "fails"
    assert _near(r["mu_0.1_rho"], 0.81, 0.02)


def check_02(r):
    assert _near(r["floor_slope"], 1.0, 0.1) and r["switching_slope"] >= 0.9
    assert abs(r["constant_slope"]) < 0.2
    assert _near(r["loud_slope"], 1.0, 0.1) and _near(r["loud_floor_ratio"], 4.0, 0.8)
    assert r["clean_slope"] > 2 and r["clean_control"] == "holds" and r["clean_status"] == "fails"
    assert abs(r["stalled_slope"]) < 0.2 and r["stalled_verdict"] == "fails"


def check_03(r):
    assert _near(r["peg_slope"], 1.0, 0.1) and r["gda_diverged_at"] is not None
    assert _near(r["eg_slope"], 1.0, 0.1)
    assert _near(r["strong_slope"], 2.0, 0.1) and r["strong_verdict"] == "fails"
    assert _near(r["half_step_slope"], 1.0, 0.15) and 1.6 <= r["half_step_gap_ratio"] <= 2.8


def check_04(r):
    zero = r["field_zero"]
    assert r["skewed_offset"] < -0.004 and abs(r["skewed_offset"] - zero) < 0.3 * abs(zero)
    assert abs(r["symmetric_offset"]) < 0.004
    assert r["two_point_zero"] == 0.0 and abs(r["two_point_offset"]) < 0.004
    assert 0.15 <= r["batch4_offset"] / r["skewed_offset"] <= 0.4
    assert abs(r["batch4_offset"] - r["batch4_zero"]) < 0.3 * abs(r["batch4_zero"])


def check_05(r):
    assert _near(r["heavy_ball_rho"], r["stated"], 1e-3) and r["gd_rho"] > r["heavy_ball_rho"]
    assert _near(r["hard_rho"], 99 / 101, 1e-3) and r["hard_gd_rho"] > r["hard_rho"]
    assert r["plain_verdict"] == "fails" and r["plain_rho"] > 0.98


def check_06(r):
    assert _near(r["stated"], 0.5, 1e-12) and _near(r["slope"], 0.5, 0.1)
    assert _near(r["crude_stated"], 0.2, 1e-12) and 0.15 < r["crude_slope"] < r["slope"]
    assert _near(r["constant_stated"], 0.0, 1e-12) and abs(r["constant_slope"]) < 0.1
    assert _near(r["steep_stated"], 0.3, 1e-12) and r["steep_slope"] > 0.5
    assert r["steep_verdict"] == "fails"


CHECKS = {"01": check_01, "02": check_02, "03": check_03, "04": check_04, "05": check_05,
          "06": check_06}


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_lesson_runs_and_measures_what_it_says(path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(teaching.OUT_ENV, str(tmp_path))
    found = runpy.run_path(str(path), run_name="__main__")
    printed = capsys.readouterr().out
    results = found["RESULTS"]
    CHECKS[path.name[:2]](results)
    # it printed the theorem from the claim, each run's summary, and where its figures are
    assert "paper: " in printed and "-> claim " in printed
    figures = re.findall(r"^figure: (.+\.png)$", printed, flags=re.M)
    assert figures and all(Path(f).exists() and Path(f).parent == tmp_path for f in figures)
