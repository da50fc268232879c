"""A ratio of two administered standards that no rule fixes (rural ÷ urban 低保): the forecast of its
log as a growth series whose growth fades to 0, with paths that stay at the upper bound (parity) once
they reach it. Owns `ratio_stats`, `ratio_quantiles` and `ratio_forecast` (the Forecast of that model).

Why this model (bench/domain_calibration.py, ratio family; docs/methods.md "Ratios of two standards"):
the two standards are set together and converge (城乡统筹), so the ratio rises while it is below
parity and stops there. The calibrated trend model's M1/M3/Tourism errors spread it as widely as a
company's sales (Changchun's rural ÷ urban 低保 from 70 % in 2020 to 49 %-100 % by 2030 at 80 %);
held at its last value (models.held) it covers barely a third of the outcomes, since every
reference ratio rose.

  location   the ratio's own recency-weighted log growth, shrunk toward the ratio family's mean
             growth (growth.FAMILY_PRIORS["ratio"], fitted on the rural ÷ urban 低保 ratios of
             data/reference; one observation: that prior), fading toward 0 on FADE years;
  spread     as the growth model's (growth.growth_stats): year-to-year spread, drift of the growth
             rate (AR(1) fading on growth.REVERT years), and how well the location is known;
  never cut  paths do not fall (the gap between the standards is not widened), and the ratio may
             stay where it is (Shanghai's held 2006-2008);
  parity     a path that reaches parity (the two standards unified, 并轨) stays there, and no path
             leaves the target's bounds. A ratio above parity keeps the calibrated trend model.

Seeded (growth.SEED): every path that reads the Forecast (assess, fans, propose, draft, regions)
sees the same numbers. Imports calibration (PROBS), growth and messages.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import growth
from ..calibration import PROBS
from ..messages.notes import Note

FAMILY = "ratio"
# years over which the ratio's growth fades to 0: a stated prior, growth.FADE's plan period for standards
# (a five-year plan resets the convergence target); bench/domain_calibration.py prints the other fades
FADE = growth.FADE["standard"]
N_DRAWS = growth.N_DRAWS


def ratio_stats(t, y) -> dict:
    """The growth model's location and spreads of the log ratio (growth.growth_stats, family "ratio")."""
    return growth.growth_stats(np.asarray(t, float), np.asarray(y, float), FAMILY)


def converging(hist: pd.Series, parity: float) -> bool:
    """The model applies to a ratio at or below parity in every observed year (the lower standard ÷ the
    higher, rising toward it); a ratio above parity keeps the calibrated trend model."""
    v = hist.dropna().to_numpy(float)
    return len(v) >= 1 and bool((v > 0).all() and (v <= parity).all())


def ratio_paths(t, y, horizons, bounds=None, parity: float = 100.0, fade: float = FADE, n: int = N_DRAWS,
                seed: int = growth.SEED) -> tuple[np.ndarray, dict]:
    """Sample paths (draws, horizons) of the ratio `horizons` years after its last observation, and the stats.

    Yearly log growth g_k = (mu + tau a) exp(-k / fade) + d_k + s e_k (k = 0, 1, ...), a, e ~ N(0, 1),
    d_k = phi d_(k-1) + q N(0, 1), phi = exp(-1 / growth.REVERT); a path never falls (its running maximum,
    from the last ratio on), one that reaches `parity` stays there, and every path is clipped to `bounds`."""
    t, y = np.asarray(t, float), np.asarray(y, float)
    st = ratio_stats(t, y)
    idx = np.rint(np.asarray(horizons, float)).astype(int) - 1
    H = int(idx.max()) + 1
    rng = np.random.default_rng(seed)
    # year by year (year-major): a year's draws do not depend on how many years are forecast, so a target's
    # probability (paths to simulate.HORIZON_CAP) and its fan (to the target year) read the same paths
    a0, z = rng.standard_normal(n), rng.standard_normal((H, 2, n))
    z_year, z_drift = z[:, 0], z[:, 1]
    phi = float(np.exp(-1.0 / growth.REVERT))
    lead = st["mu"] + st["tau"] * a0
    fades = np.exp(-np.arange(H) / fade) if np.isfinite(fade) else np.ones(H)
    d = np.zeros(n)
    g = np.empty((H, n))
    for k in range(H):
        d = phi * d + st["q"] * z_drift[k]
        g[k] = lead * fades[k] + d + st["s"] * z_year[k]
    V = y[-1] * np.exp(np.clip(np.cumsum(g, axis=0), -30.0, 30.0))
    # the gap is never widened: no path falls below the last ratio or from one year to the next (the largest fall
    # of a reference ratio is 0.5 %, Guizhou 2012-2013); unified standards are not split again
    V = np.maximum.accumulate(np.maximum(V, y[-1]), axis=0)
    V = np.where(V >= parity, parity, V)
    lo, hi = (None, None) if bounds is None else bounds
    V = np.clip(V, -np.inf if lo is None else lo, np.inf if hi is None else hi)
    return V[idx].T, st


def ratio_quantiles(t, y, horizons, bounds=None, parity: float = 100.0, fade: float = FADE):
    """(median, PROBS, quantile grid (len(horizons), len(PROBS)), stats) of the ratio's paths."""
    V, st = ratio_paths(t, y, horizons, bounds, parity, fade)
    Q = np.quantile(V, PROBS, axis=0).T
    return np.median(V, axis=0), PROBS, Q, st


def ratio_forecast(hist: pd.Series, until: int, bounds=None, parity: float = 100.0):
    """Forecast of the ratio of two standards `hist` (observed years -> positive values, at or below
    `parity`: 100 in percent, 1 as a multiple) to `until`; the note says what the location and the
    spread rest on."""
    from . import Forecast  # the package defines it; imported here so the package may import this module
    s = hist.dropna().sort_index()
    t, y = np.asarray(s.index, float), s.to_numpy(float)
    years = np.arange(int(t[-1]) + 1, int(until) + 1)
    point, probs, Q, st = ratio_quantiles(t, y, years - t[-1], bounds, parity)
    code = "ratio_standards" if st["n_intervals"] else "ratio_standards_one"
    note = Note(code, mu=st["mu"] * 100, prior=growth.FAMILY_PRIORS[FAMILY][0] * 100, fade=FADE,
                s=float(np.hypot(st["s"], st["q"])) * 100, years=len(y))
    return Forecast(s, "ratio_growth", years, point, probs, Q, "level", [note], "nondecreasing",
                    tuple(bounds) if bounds is not None else None)
