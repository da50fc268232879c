"""Empirical forecast-error quantiles: what makes the intervals honest.

For each method, history length n, spacing of the observed years (1 = consecutive, 5 = one
point every five years, as plan documents report them) and horizon h (years after the last
observation), the table holds quantiles of log(actual / forecast) measured by rolling origins
on the yearly series of the M1, M3 and Tourism competitions. A forecast's quantiles are
point * exp(q), the errors scaled to the series' own smoothness (`smoothness_factor`). This
module only looks the table up; scripts/build_calibration.py builds it.
Imports nothing of the package.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

PROBS = np.array([0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                  0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995])
N_BUCKETS = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (7, 9), (10, 15)]
SPACINGS = (1, 5)
MAX_H = 10
MIN_COUNT = 40
TABLE_PATH = Path(__file__).with_name("calibration_table.csv")
# the same errors not divided by the smoothness factor: the calibrated trend model of models.combine
UNSCALED_TABLE_PATH = Path(__file__).with_name("calibration_table_unscaled.csv")
CALIBRATED_METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "comb")


def n_bucket(n: int) -> int:
    for lo, hi in N_BUCKETS:
        if lo <= n <= hi:
            return lo
    return N_BUCKETS[-1][0]


def qcols() -> list[str]:
    """The table's quantile column names, one per PROBS."""
    return [f"q{p:.3f}" for p in PROBS]


@lru_cache(maxsize=8)
def load_table(path: str | None = None) -> pd.DataFrame:
    return pd.read_csv(path or TABLE_PATH)


def unscaled_table() -> pd.DataFrame:
    """The table of raw log errors (no smoothness scaling), built with the bundled one."""
    return load_table(str(UNSCALED_TABLE_PATH))


def _index(table: pd.DataFrame) -> dict:
    """(method, spacing, bucket) -> (horizons, quantile matrix) of the rows with enough cases.

    Built once per table and kept in its attrs: a forecast looks it up many times.
    """
    if "_index" not in table.attrs:
        ok = table[table["count"] >= MIN_COUNT].sort_values(["method", "spacing", "n_bucket", "h"])
        table.attrs["_index"] = {
            key: (g["h"].to_numpy(int), g[qcols()].to_numpy(float))
            for key, g in ok.groupby(["method", "spacing", "n_bucket"], sort=False)}
    return table.attrs["_index"]


def _lookup(table: pd.DataFrame, method: str, n: int, spacing: int):
    """Horizons and quantile rows for (method, bucket, spacing); falls back to smaller buckets if sparse."""
    m = "drift" if method == "logistic" else method
    if n <= 1:
        m = "naive"
    idx = _index(table)
    for bb in [lo for lo, _ in N_BUCKETS if lo <= n_bucket(n)][::-1]:
        for sp in (spacing, 1):
            if (m, sp, bb) in idx:
                return idx[(m, sp, bb)]
    raise KeyError(f"no calibration rows for {(m, spacing)}")


# Median spread (sd) of the yearly log growth of the corpus's histories of the last n points
# (M1, M3 and Tourism yearly; `python scripts/build_calibration.py --spreads` recomputes them): what a
# "typical" series of that length looks like.
SPREAD_MEDIANS = {3: 0.0451, 5: 0.0717, 8: 0.0892}
SMOOTH_POWER = 0.5          # the own spread of a short history is noisy: take its square root
SMOOTH_CLIP = (0.5, 2.0)    # and never narrow or widen by more than a factor two


def growth_spread(t, y) -> float | None:
    """Spread of a series' annualised log growth (each interval weighted by its length), or None
    with fewer than two intervals or a non-positive value."""
    t, y = np.asarray(t, float), np.asarray(y, float)
    if len(y) < 3 or np.any(y <= 0):
        return None
    dt = np.diff(t)
    g = np.diff(np.log(y)) / dt
    mu = float((g * dt).sum() / dt.sum())
    return float(np.sqrt((dt * (g - mu) ** 2).sum() / (len(g) - 1)))


def smoothness_factor(t, y) -> float:
    """How much wider (> 1) or narrower (< 1) than the table a series' intervals are: its own growth
    spread relative to the corpus median for its length, to the power SMOOTH_POWER, clipped."""
    own = growth_spread(t, y)
    if own is None:
        return 1.0
    n = len(y)
    typical = float(np.interp(n, list(SPREAD_MEDIANS), list(SPREAD_MEDIANS.values())))
    return float(np.clip((max(own, 1e-6) / typical) ** SMOOTH_POWER, *SMOOTH_CLIP))


def smoothness_factors(t, Y) -> np.ndarray:
    """smoothness_factor of each row of Y (series observed in the same years t), the same numbers:
    the spreads in arrays (row sums as numpy sums one row), the power and clip per row as above."""
    t, Y = np.asarray(t, float), np.asarray(Y, float)
    out = np.ones(len(Y))
    rows = np.flatnonzero(~(Y <= 0).any(axis=1)) if Y.ndim == 2 and Y.shape[1] >= 3 else []
    if not len(rows):
        return out
    dt = np.diff(t)
    g = np.diff(np.log(Y[rows]), axis=1) / dt
    mu = (g * dt).sum(axis=1) / dt.sum()
    own = np.sqrt((dt * (g - mu[:, None]) ** 2).sum(axis=1) / (g.shape[1] - 1))
    typical = float(np.interp(Y.shape[1], list(SPREAD_MEDIANS), list(SPREAD_MEDIANS.values())))
    out[rows] = [float(np.clip((max(o, 1e-6) / typical) ** SMOOTH_POWER, *SMOOTH_CLIP)) for o in own.tolist()]
    return out


def scale_errors(errq: np.ndarray, factor) -> np.ndarray:
    """Error quantiles (..., len(PROBS)) times `factor` (scalar or array broadcasting against
    errq): the table holds log errors divided by each history's smoothness_factor
    (scripts/build_calibration.py), so a series' own factor gives its errors back."""
    return errq * np.asarray(factor, float)


def error_quantiles(method: str, n: int, spacing: int, horizons, table: pd.DataFrame | None = None):
    """Quantiles of log(actual/forecast), shape (len(horizons), len(PROBS)); for one observation
    centred on 0 (the median is the held value).

    Beyond the longest horizon in the table, spread grows with sqrt(h) from the last row. The table
    is in units of smoothness: callers scale the quantiles to a series with
    `scale_errors(errq, smoothness_factor(t, y))`.
    """
    table = load_table() if table is None else table
    hs, q = _lookup(table, method, n, spacing)
    if n == 1:
        # one observation shows no direction: the errors of one-point forecasts in the table lean
        # upward (the reference series mostly grew), which would move the median of a series with no
        # trend; their spread is kept around the held value
        q = q - q[:, PROBS == 0.5]
    h = np.rint(np.atleast_1d(horizons)).astype(int)
    pos = np.searchsorted(hs, h, side="right") - 1  # the longest tabled horizon <= h
    pos = np.clip(pos, 0, len(hs) - 1)
    base = q[pos]
    exact = hs[pos] == h
    med = base[:, PROBS == 0.5]
    scale = np.sqrt(np.maximum(h, 1) / hs[pos])[:, None]
    return PROBS, np.where(exact[:, None], base, med + (base - med) * scale)
