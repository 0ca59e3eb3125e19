"""Results as data: each verdict's trace as a table that pandas and polars read, with its record.

``rates check --save DIR`` writes, per claim, ``DIR/<claim id>.parquet`` (when pyarrow is
installed) or ``DIR/<claim id>.csv``, and ``DIR/<claim id>.json`` beside it (the verdict record
of ``rates check --json``, plus the table's file name and its columns).  The table is tidy: one
row per (role, run, point), with the columns of :data:`COLUMNS`:

=============  ==============================================================================
claim, seed    the claim id and the seed
role           ``claim``, ``control``, then ``control-2``, ... for further controls
run            the run index (0 .. runs - 1); one run is one start / one random stream
x              the abscissa: iteration k, or the swept parameter's value
value          the measured quantity of that run at x (empty where a run diverged)
statistic      the statistic over runs the line is fitted to (mean, median, ...) at x
fit            the fitted line at x (empty when nothing was fitted)
bound          the paper's bound with this instance's constants at x (empty if not evaluable)
in_window      whether x lies in the fit window
=============  ==============================================================================

``statistic``, ``fit``, ``bound`` and ``in_window`` depend on (role, x) only and repeat across
runs: ``df[df.run == 0]`` is the per-point table.  CSV needs nothing beyond the standard library
(floats are written with ``repr``, so they read back exactly; a missing value is an empty cell,
read as NaN by pandas and null by polars); Parquet needs ``pyarrow``.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rates.claim import Outcome, Verdict
from rates.fit import STATISTICS
from rates.records import record

COLUMNS = ("claim", "seed", "role", "run", "x", "value", "statistic", "fit", "bound",
           "in_window")
FORMATS = ("auto", "csv", "parquet")


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def _roles(v: Verdict) -> list[tuple[str, Outcome]]:
    roles = [("claim", v.outcome)]
    controls = [] if v.control is None else [v.control, *v.more_controls]
    roles += [("control" if i == 0 else f"control-{i + 1}", o) for i, o in enumerate(controls)]
    return roles


def _per_point(o: Outcome) -> dict[str, np.ndarray]:
    m = o.measurement
    x = np.asarray(m.trace.x, dtype=float)
    values = np.atleast_2d(np.asarray(m.trace.values, dtype=float))
    fit = m.fit
    name = fit.statistic if fit is not None else "mean"
    with np.errstate(all="ignore"):
        statistic = np.asarray(STATISTICS[name](values, axis=0), dtype=float)
        line = fit.predict(x) if fit is not None else np.full(x.shape, np.nan)
    bound = (np.asarray(m.trace.bound, dtype=float) if m.trace.bound is not None
             else np.full(x.shape, np.nan))
    in_window = (np.zeros(x.shape, bool) if fit is None
                 else (x >= fit.window[0]) & (x <= fit.window[1]))
    return {"x": x, "values": values, "statistic": statistic, "fit": line,
            "bound": np.broadcast_to(bound, x.shape), "in_window": in_window}


def table(v: Verdict) -> dict[str, list[Any]]:
    """The verdict's traces as columns (see :data:`COLUMNS`): one row per (role, run, x)."""
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for role, o in _roles(v):
        p = _per_point(o)
        runs, points = p["values"].shape
        for r in range(runs):
            columns["claim"] += [v.claim.id] * points
            columns["seed"] += [v.seed] * points
            columns["role"] += [role] * points
            columns["run"] += [r] * points
            columns["x"] += p["x"].tolist()
            columns["value"] += p["values"][r].tolist()
            columns["statistic"] += p["statistic"].tolist()
            columns["fit"] += p["fit"].tolist()
            columns["bound"] += p["bound"].tolist()
            columns["in_window"] += p["in_window"].tolist()
    return columns


def _cell(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("" if math.isnan(value) else
                                                         ("inf" if value > 0 else "-inf"))
    return str(value)


def _write_csv(path: Path, columns: dict[str, list[Any]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in zip(*(columns[c] for c in COLUMNS), strict=True):
            writer.writerow([_cell(value) for value in row])


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"claim": pa.string(), "seed": pa.uint64(), "role": pa.string(),
             "run": pa.int64(), "in_window": pa.bool_()}
    arrays = {c: pa.array(columns[c], type=types.get(c, pa.float64()),
                          from_pandas=c not in types)  # float NaN -> null, as in the CSV
              for c in COLUMNS}
    pq.write_table(pa.table(arrays), path)


def resolve_format(fmt: str) -> str:
    """``auto`` -> parquet when pyarrow is importable, else csv; ``parquet`` needs pyarrow."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "auto":
        return "parquet" if _has_pyarrow() else "csv"
    if fmt == "parquet" and not _has_pyarrow():
        raise ValueError("format 'parquet' needs pyarrow (pip install pyarrow); 'csv' needs "
                         "nothing")
    return fmt


def save(verdicts: Sequence[Verdict], directory: str | os.PathLike[str],
         fmt: str = "auto") -> list[Path]:
    """Write each verdict's table and record into ``directory``; returns the tables' paths.

    Two verdicts of the same claim (several seeds) are told apart by ``-seed<N>`` in the name.
    """
    fmt = resolve_format(fmt)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.claim.id] = counts.get(v.claim.id, 0) + 1
    written = []
    for v in verdicts:
        stem = v.claim.id if counts[v.claim.id] == 1 else f"{v.claim.id}-seed{v.seed}"
        path = out / f"{stem}.{fmt}"
        columns = table(v)
        (_write_parquet if fmt == "parquet" else _write_csv)(path, columns)
        rec = {**record(v), "table": path.name, "columns": list(COLUMNS),
               "statistic": (v.outcome.measurement.fit.statistic
                             if v.outcome.measurement.fit is not None else "mean")}
        (out / f"{stem}.json").write_text(json.dumps(rec, indent=2) + "\n")
        written.append(path)
    return written
