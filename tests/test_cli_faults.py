"""The command under faults: exit statuses, one-line errors, the budget, and no lost work.

Faults are injected where they happen in real use (a task that raises MemoryError, Ctrl-C
between or inside tasks, an unwritable disk, an unreachable scheduler) and each test checks the
exit status, that the message is one line without a traceback, and what was kept.
"""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from rates import budget, cli, executors, registry
from rates.cli import main
from rates.executors import Task

FAST = "handbook-gd-strongly-convex"  # a fraction of a second per task with its control
SMALL = ["--set", "d=50"]


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _entries(directory, claim_id=FAST):
    """The finished entries (not a temporary file being written: those start with a dot)."""
    folder = directory / claim_id
    return sorted(p for p in folder.glob("*.npz") if not p.name.startswith(".")) if (
        folder.is_dir()) else []


@pytest.fixture
def cache_dir(tmp_path):
    d = tmp_path / "cache"
    return d


# --- exit statuses and their documentation ----------------------------------------------------

def test_help_documents_every_exit_status_and_the_budget(capsys):
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for status, words in [("0", "every check holds"), ("1", "a claim failed"), ("2", "usage"),
                          ("4", "environment"), ("130", "interrupted")]:
        assert f"{status} {words}" in out
    assert f"{budget.WORK_BUDGET:.0e} run-steps x dimension" in out and "4 GiB" in out
    assert "--force" in out


def test_the_readme_documents_the_same_exit_statuses():
    readme = (cli.Path(cli.__file__).resolve().parents[1] / "README.md").read_text()
    for status in ("| 0 |", "| 1 |", "| 2 |", "| 4 |", "| 130 |"):
        assert status in readme
    assert "--force" in readme and "5e10" in readme


@pytest.mark.parametrize("argv, message", [
    (["check", FAST, "--seed", str(2**64)], "--seed: must be an integer in [0, 2^64 - 1]"),
    (["check", FAST, "--seed", "1e3"], "--seed: must be an integer"),
    (["sweep", FAST, "--seeds", f"0-{2**64}"], "seeds in [0, 2^64 - 1]"),
    (["sweep", FAST, "--seeds", "0-10000000000"], "names 10000000001 seeds"),
    (["sweep", FAST, "--seeds", "4-2"], "runs backwards"),
    (["sweep", FAST, "--seeds", "-3"], "--seeds takes seeds >= 0"),
    (["sweep", FAST, "--grid", "d=10,20", "--grid", "d=30"], "given twice"),
    (["sweep", FAST, "--grid", "d="], "NAME=V1,V2"),
    (["sweep", FAST, "--grid", "nope=1,2"], "unknown parameter 'nope'"),
    (["check", FAST, "--workers", "0"], "--workers: must be an integer >= 1"),
])
def test_bad_seeds_grids_and_workers_are_usage_errors_not_tracebacks(argv, message, capsys):
    registry.all_claims()  # imported once, outside the timing
    start = time.perf_counter()
    assert main(argv) == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert time.perf_counter() - start < 2  # refused at once: no list of 10^10 seeds


def test_a_huge_grid_is_refused_before_it_is_built(capsys):
    values = ",".join(str(v) for v in range(10, 60))
    argv = ["sweep", FAST, "--grid", f"d={values}", "--grid", f"horizon={values}",
            "--grid", f"mu={','.join(str(0.01 + 1e-4 * i) for i in range(50))}"]
    assert main(argv) == 2
    assert "the grid has 125000 points" in _one_line(capsys.readouterr().err)


# --- output paths are probed before anything runs ----------------------------------------------

@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if any task is run (the command must stop before computing)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a task ran before the output path was probed")

    monkeypatch.setattr(executors, "run_task", refuse)


def test_json_to_a_directory_is_refused_before_computing(tmp_path, cache_dir, capsys, no_run):
    assert main(["check", FAST, *SMALL, "--json", str(tmp_path), "--cache-dir",
                 str(cache_dir)]) == 2
    assert "is a directory; give the name of a file" in _one_line(capsys.readouterr().err)


def test_json_under_a_file_is_refused_before_computing(tmp_path, capsys, no_run):
    (tmp_path / "f").write_text("")
    assert main(["sweep", FAST, "--json", str(tmp_path / "f" / "out.json")]) == 2
    assert "a part of the path is a file" in _one_line(capsys.readouterr().err)


def test_json_to_an_unwritable_place_is_an_environment_error(tmp_path, capsys, no_run,
                                                              monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.tempfile, "mkstemp", denied)  # what a read-only directory does
    assert main(["check", FAST, "--json", str(tmp_path / "out.json")]) == 4
    assert "cannot write in" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["figures", "report"])
def test_out_naming_a_file_is_refused_before_computing(tmp_path, command, capsys, no_run):
    (tmp_path / "a-file").write_text("")
    assert main([command, FAST, "--out", str(tmp_path / "a-file")]) == 2
    assert "is a file; give a directory" in _one_line(capsys.readouterr().err)


def test_bench_json_is_probed_before_timing(tmp_path, capsys, monkeypatch):
    from rates import bench

    monkeypatch.setattr(bench, "run_all", lambda *a, **k: pytest.fail("benchmarked first"))
    assert main(["bench", "--json", str(tmp_path)]) == 2
    assert "is a directory" in _one_line(capsys.readouterr().err)


def test_a_disk_that_fails_at_the_end_is_an_environment_error(tmp_path, cache_dir, capsys,
                                                              monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.Path, "write_text", full)
    assert main(["check", FAST, *SMALL, "--json", str(tmp_path / "o.json"),
                 "--cache-dir", str(cache_dir)]) == 4
    assert "No space left on device" in _one_line(capsys.readouterr().err)
    assert len(_entries(cache_dir)) == 1  # the verdict itself was kept


# --- the budget ----------------------------------------------------------------------------------

def test_a_run_for_hours_is_refused_with_its_estimate(capsys, no_run):
    argv = ["check", "handbook-sgd-switching", "--set", "runs=100000", "--set",
            "horizon=100000000", "--no-cache"]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    # 10^5 runs x 10^8 steps x d = 20, claim and control: 4e14
    assert "about 4e+14 run-steps x dimension" in line and "--force" in line


def test_a_run_that_cannot_fit_in_memory_is_refused_with_its_estimate(capsys, no_run):
    argv = ["check", "handbook-sgd-switching", "--set", "n=1000000", "--set", "d=10000"]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert "74.5 GiB for the largest check" in line  # n x d float64: 8e10 bytes


def test_force_lifts_the_budget():
    task = Task.make("handbook-sgd-switching", 0, {"runs": 100000, "horizon": 100000000})
    with pytest.raises(cli.UsageError, match="over the budget"):
        cli.check_budget([task])
    cli.check_budget([task], force=True)


def test_the_whole_default_catalogue_is_well_inside_the_budget():
    tasks = [Task.make(c) for c in registry.all_claims()]
    cli.check_budget(tasks)  # does not raise
    work = sum(c.cost(c.resolve())[0] for c in registry.all_claims().values())
    assert work < budget.WORK_BUDGET / 10


def test_a_claim_can_state_its_own_cost(monkeypatch):
    import dataclasses

    claim = registry.get(FAST)
    costly = dataclasses.replace(claim, cost_model=lambda p: (1.0, 2.0 * budget.MEMORY_BUDGET))
    monkeypatch.setitem(registry.all_claims(), FAST, costly)
    assert costly.cost(costly.resolve()) == (1.0, 2.0 * budget.MEMORY_BUDGET)
    with pytest.raises(cli.UsageError, match="8 GiB for the largest check"):
        cli.check_budget([Task.make(FAST)])


def test_default_cost_reads_runs_steps_and_sizes():
    work, memory = budget.default_cost({"runs": 10, "horizon": 1000, "window": 100, "d": 7,
                                        "n": 50, "gamma": 0.5, "schedule": "constant"})
    assert work == 10 * 1000 * 7
    assert memory == 8 * (50 * 7 + 10 * (3 * 7 + 1000))
    assert budget.default_cost({}) == (1000.0, 8 * (1 + 1003))


def test_only_tasks_missing_from_the_cache_count(cache_dir, capsys, monkeypatch):
    argv = ["check", FAST, *SMALL, "--cache-dir", str(cache_dir)]
    assert main(argv) == 0
    monkeypatch.setattr(budget, "WORK_BUDGET", 0.0)
    assert main(argv) == 0  # served from the cache: nothing to run, nothing to refuse
    assert main([*argv, "--seed", "1"]) == 2
    assert "over the budget" in capsys.readouterr().err


# --- no lost work: each task stored as it finishes ---------------------------------------------

def _fail_on(monkeypatch, n, error):
    """Make the n-th task run in this process raise ``error`` (the ones before run for real)."""
    real, count = executors.run_task, {"n": 0}

    def run_task(task, numba_threads=None):
        count["n"] += 1
        if count["n"] == n:
            raise error
        return real(task, numba_threads)

    monkeypatch.setattr(executors, "run_task", run_task)


SWEEP = ["sweep", FAST, *SMALL, "--grid", "gamma_L=0.5,0.75,1.0"]


@pytest.mark.parametrize("error, status, words", [
    (KeyboardInterrupt(), 130, "interrupted: 2 of 3 tasks had finished and are kept"),
    (MemoryError("Unable to allocate 74.5 GiB for an array"), 4, "out of memory: Unable"),
    (ValueError("n must be >= d"), 2, "n must be >= d (2 of 3 tasks had finished and are kept"),
    (OSError(5, "Input/output error"), 4, "Input/output error"),
    (BrokenProcessPool("a worker died"), 4,
     "BrokenProcessPool: a worker died (2 of 3 tasks had finished and are kept"),
    (RuntimeError("no zero of the Adam field found"), 2, "no zero of the Adam field found"),
])
def test_a_sweep_stopped_by_a_fault_keeps_what_finished_and_resumes(cache_dir, capsys,
                                                                    monkeypatch, error, status,
                                                                    words):
    argv = [*SWEEP, "--cache-dir", str(cache_dir)]
    _fail_on(monkeypatch, 3, error)
    assert main(argv) == status
    assert words in _one_line(capsys.readouterr().err)
    assert len(_entries(cache_dir)) == 2  # stored as they finished, before the fault
    monkeypatch.undo()
    assert main(argv) == 0
    assert "2 of 3 verdicts from the results cache" in capsys.readouterr().out
    assert len(_entries(cache_dir)) == 3


def test_a_system_error_from_an_interrupt_in_a_kernel_is_an_interrupt(cache_dir, capsys,
                                                                      monkeypatch):
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:  # what CPython does when C code swallows one
            raise SystemError("<built-in function x> returned a result with an exception "
                              "set") from interrupt
    except SystemError as e:
        chained = e
    _fail_on(monkeypatch, 2, chained)
    assert main([*SWEEP, "--cache-dir", str(cache_dir)]) == 130
    assert "interrupted: 1 of 3 tasks" in _one_line(capsys.readouterr().err)


def test_an_unrelated_system_error_is_not_hidden(cache_dir, monkeypatch):
    _fail_on(monkeypatch, 1, SystemError("a real bug"))
    with pytest.raises(SystemError, match="a real bug"):
        main([*SWEEP, "--cache-dir", str(cache_dir)])


def test_every_grid_point_is_validated_before_any_runs(cache_dir, capsys, no_run):
    argv = ["sweep", FAST, "--grid", "gamma_L=0.5,1.0,9.0", "--cache-dir", str(cache_dir)]
    assert main(argv) == 2  # the last point is out of range: nothing runs (no_run)
    assert "gamma_L must be a real number in [0.001, 3], got 9.0" in capsys.readouterr().err
    with pytest.raises(cli.UsageError, match="at seed 0 with mu=0.9: parameter mu must be"):
        cli.validate([Task.make(FAST, 0, {"mu": 0.02}), Task.make(FAST, 0, {"mu": 0.9})])


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_is_one_line_and_status_4(cache_dir, capsys, monkeypatch):
    pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1)
    argv = ["check", FAST, *SMALL, "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
            "--cache-dir", str(cache_dir)]
    assert main(argv) == 4
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in _one_line(
        capsys.readouterr().err)


@pytest.mark.slow
def test_a_task_that_raises_in_a_worker_process_keeps_the_others(cache_dir, capsys):
    # n < d is rejected by the least-squares generator inside the experiment, in the worker
    argv = ["sweep", "handbook-sgd-switching", "--grid", "n=100,10", "--seeds", "0-1",
            "--set", "horizon=1000", "--set", "window_start=100", "--set", "runs=2",
            "--executor", "processes", "--workers", "1", "--cache-dir", str(cache_dir)]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert "n must be >= d" in line and "2 of 4 tasks had finished and are kept" in line
    assert len(_entries(cache_dir, "handbook-sgd-switching")) == 2


@pytest.mark.slow
def test_ctrl_c_stops_a_sweep_within_a_second_with_status_130_and_resumes(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "RATES_CACHE_DIR": str(cache)}
    argv = [sys.executable, "-m", "rates.cli", "sweep", FAST, *SMALL, "--seeds", "0-400"]
    # the default SIGINT action in the child, even where this suite runs with SIGINT ignored
    # (a background job of a non-interactive shell): Python keeps an inherited SIG_IGN
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(_entries(cache)) < 3 and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.05)
    assert p.poll() is None, p.communicate()
    p.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = p.communicate(timeout=30)
    stopped = time.monotonic() - start
    assert p.returncode == 130, err
    assert stopped < 1.0, stopped
    line = _one_line(err)
    assert "interrupted:" in line and "tasks had finished and are kept" in line
    kept = len(_entries(cache))
    assert kept >= 3 and f"{kept} of 401 tasks" in line
    # resume: the kept tasks are not recomputed
    again = subprocess.run([*argv[:-1], "0-" + str(kept - 1)], env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{kept} of {kept} verdicts from the results cache" in again.stdout


@pytest.mark.slow
def test_ctrl_c_inside_one_long_kernel_stops_within_a_second(tmp_path):
    """A task whose kernel alone runs for minutes (4 x 10^8 SGD steps): the interrupt is not
    held until the kernel returns, since the kernel runs in a worker thread without the GIL."""
    cache = tmp_path / "cache"
    env = {**os.environ, "RATES_CACHE_DIR": str(cache)}
    argv = [sys.executable, "-m", "rates.cli", "check", "polyak-heavy-ball",
            "handbook-sgd-switching", "--set", "horizon=100000000", "--set", "runs=4", "--force"]
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    # the first claim's entry marks the start of the second, whose kernel is the same GD kernel
    while not _entries(cache, "polyak-heavy-ball") and time.monotonic() < deadline and \
            p.poll() is None:
        time.sleep(0.05)
    time.sleep(3.0)  # its problem is drawn in milliseconds: by now the kernel has run seconds
    assert p.poll() is None, p.communicate()
    p.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = p.communicate(timeout=60)
    stopped = time.monotonic() - start
    assert p.returncode == 130, err
    assert stopped < 1.0, stopped
    assert "interrupted: 1 of 2 tasks had finished and are kept" in _one_line(err)


# --- figures and report for a subset or with overrides go elsewhere, and say so ----------------

@pytest.mark.slow
def test_a_custom_report_goes_to_figures_custom_and_states_its_overrides(tmp_path, cache_dir,
                                                                         monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["report", FAST, *SMALL, "--cache-dir", str(cache_dir)]) == 0
    assert not (tmp_path / "figures" / "report.md").exists()
    page = (tmp_path / "figures" / "custom" / "report.md").read_text()
    total = len(registry.all_claims())
    assert f"A subset of the catalogue: 1 of its {total} claims." in page
    assert f"Parameters changed from the defaults (--set): {FAST}: d=50." in page
    html = (tmp_path / "figures" / "custom" / "report.html").read_text()
    assert f"{FAST}: d=50" in html


@pytest.mark.slow
def test_custom_figures_go_to_figures_custom(tmp_path, cache_dir, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["figures", FAST, *SMALL, "--format", "png", "--cache-dir", str(cache_dir)]) == 0
    assert (tmp_path / "figures" / "custom" / f"{FAST}.png").exists()
    assert not (tmp_path / "figures" / f"{FAST}.png").exists()


@pytest.mark.parametrize("argv, where", [
    (["report"], "figures"),
    (["report", FAST], "figures/custom"),
    (["report", "--set", "d=50"], "figures/custom"),
    (["figures", "--seed", "3"], "figures/custom"),
    (["figures", FAST, "--out", "elsewhere"], "elsewhere"),
])
def test_the_default_output_directory(argv, where):
    assert cli.default_out(cli.build_parser().parse_args(argv)) == where


def test_the_json_records_still_carry_everything(tmp_path, cache_dir):
    path = tmp_path / "out.json"
    assert main(["check", FAST, *SMALL, "--json", str(path), "--cache-dir", str(cache_dir)]) == 0
    (rec,) = json.loads(path.read_text())
    assert rec["parameters"]["d"] == 50 and rec["verdict"] == "holds"
