"""A ratio held by a policy rule: the forecast of a ratio the office sets rather than observes
(特困 standard = k × the previous year's 低保 standard, k fixed by a rule), as the last observed
ratio held, with a log random-walk spread whose yearly scale comes from the ratio's own history,
shrunk toward a prior (`held_sigma`), and `held_forecast`, the Forecast object of that model.

Why not a trend: the two standards are set together, so the quotient of two independent forecasts
spreads far wider than the ratio ever moves (one observation of 特困 gave 0.5×–5× by 2030), and a
trend model read on a few years of a ratio can rebound above the last value. Held at its last value
the median neither rebounds nor drifts, and the band widens only as the ratio's own moves say.
Imports calibration (the probability grid) and the package's Forecast.
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from .. import calibration
from ..messages.notes import Note

# Prior yearly scale of the ratio's log change: a judgement, not a fit. data/reference holds no
# 特困 ÷ previous-year 低保 series to fit it on. The rural ÷ urban 低保 ratios there move 0.026-0.118 a
# year (root-mean-square log change; Jilin 0.026, Shanghai 0.030, Guizhou 0.032, national 0.051,
# Changchun 0.057, Beijing 0.118, the last two over catch-up years). A ratio a rule fixes is taken to
# move like the steadiest of those, about 0.03 (tests/test_rule_ratio.py recomputes Shanghai's and
# Guizhou's); with one observation the band and the probability rest on this prior alone, and the
# note says so.
PRIOR_SIGMA = 0.03
PRIOR_YEARS = 3  # the prior counts as this many years of observed changes


def held_sigma(years, values) -> float:
    """Yearly scale of the log ratio: (Σ Δ² + PRIOR_YEARS σ0²) / (Σ years between + PRIOR_YEARS), Δ the
    log changes between observed years; the prior alone for one observation."""
    t, v = np.asarray(years, float), np.asarray(values, float)
    d, dl = np.diff(t), np.diff(np.log(v))
    return float(np.sqrt((np.sum(dl ** 2) + PRIOR_YEARS * PRIOR_SIGMA ** 2) / (np.sum(d) + PRIOR_YEARS)))


def held_forecast(hist: pd.Series, until: int, bounds=None, rule: float | None = None):
    """Forecast of a rule-held ratio `hist` (observed years -> positive values) to `until`: point the
    last value, quantiles last × exp(σ √h z) on calibration.PROBS, inside `bounds`; the note names
    the rule value and σ."""
    from . import Forecast  # the package defines it; imported here so the package may import this module
    s = hist.dropna().sort_index()
    t, y = np.asarray(s.index, float), s.to_numpy(float)
    last_year, last = int(t[-1]), float(y[-1])
    years = np.arange(last_year + 1, int(until) + 1)
    sigma = held_sigma(t, y)
    probs = calibration.PROBS
    z = np.array([NormalDist().inv_cdf(float(p)) for p in probs])
    Q = last * np.exp(sigma * np.sqrt(years - last_year)[:, None] * z[None, :])
    point = np.full(len(years), last)
    if bounds is not None:  # the point too: a last value outside the target's bounds is not the forecast
        lo, hi = bounds
        Q = np.clip(Q, -np.inf if lo is None else lo, np.inf if hi is None else hi)
        point = np.clip(point, -np.inf if lo is None else lo, np.inf if hi is None else hi)
    note = Note("ratio_rule_held", rule=float(rule) if rule is not None else float("nan"), sigma=sigma * 100,
                years=len(y))
    return Forecast(s, "held", years, point, probs, Q, "level", [note], None,
                    tuple(bounds) if bounds is not None else None)
