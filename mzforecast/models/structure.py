"""The structural rules of a forecast, for one series and for many at once: never-cut standards
only rise or hold (`monotone`), shares and ratios stay within their bounds; the notes that say so.
Imports only leaves (messages.notes).
"""
from __future__ import annotations

import numpy as np

from ..messages.notes import Note


def bounds_params(bounds) -> dict:
    """A forecast's bounds as the kept_within note shows them ('-inf' / 'inf' for an open side)."""
    lo, hi = bounds
    return dict(lo="-inf" if lo is None else f"{lo:g}", hi="inf" if hi is None else f"{hi:g}")


def structure_many(P: np.ndarray, Q: np.ndarray, last: np.ndarray, monotone, bounds):
    """Enforce an indicator's structure on point forecasts P (series, years) and quantile grids Q
    (series, years, probs) of series whose last values are `last`; returns P, Q and which series
    sit at their upper bound (forecast at the bound).

    Sample paths are comonotone (one uniform u per path: value in year t = Q_t(u)), so taking
    each path's running maximum from the last observation, max(last, Q_1(u), ..., Q_t(u)), is
    the same as taking the running maximum of each quantile over the years: the quantile grid,
    the summary frame and the samples stay in agreement. Clipping to bounds commutes the same way."""
    lo, hi = bounds if bounds is not None else (None, None)
    at_bound = (last >= hi - 1e-9) if hi is not None else np.zeros(len(last), bool)
    if monotone == "nondecreasing":
        P = np.maximum.accumulate(np.maximum(P, last[:, None]), axis=1)
        Q = np.maximum.accumulate(np.maximum(Q, last[:, None, None]), axis=1)
    elif monotone == "nonincreasing":
        P = np.minimum.accumulate(np.minimum(P, last[:, None]), axis=1)
        Q = np.minimum.accumulate(np.minimum(Q, last[:, None, None]), axis=1)
    if lo is not None or hi is not None:
        P, Q = np.clip(P, lo, hi), np.clip(Q, lo, hi)
    if at_bound.any():
        P, Q = P.copy(), Q.copy()
        P[at_bound], Q[at_bound] = hi, hi
    return P, Q, at_bound


def structure_notes(monotone, bounds, at_bound: bool) -> list[Note]:
    """What `structure_many` did to one series, in words (the notes every path shows)."""
    if at_bound:
        return [Note("at_upper_bound", bound=bounds[1])]
    if monotone == "nondecreasing":
        return [Note("only_raised")]
    if monotone == "nonincreasing":
        return [Note("only_lowered")]
    return []


def structure_paths(V: np.ndarray, monotone, bounds, axis: int = -1) -> np.ndarray:
    """Sample paths (years along `axis`) after the structure: the grid already honours it, this
    removes rounding at the last digit of the interpolation."""
    if monotone == "nondecreasing":
        V = np.maximum.accumulate(V, axis=axis)
    elif monotone == "nonincreasing":
        V = np.minimum.accumulate(V, axis=axis)
    if bounds is not None:
        V = np.clip(V, *bounds)
    return V
