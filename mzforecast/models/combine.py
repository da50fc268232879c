"""Predictive quantile grids: calibrated errors around point forecasts (`quantile_grid`) and, for
administered standards and the smooth families of growth.py, the growth model's (`growth_combined`):
alone for standards, joined with the calibrated trend model for the families growth.COMBINATION lists:
averaged quantile by quantile, or pooled (`pool`, the 50/50 mixture of the two distributions).

Both joins weigh the two models equally, fixed in advance. The trend model is the method `auto`
chooses by length and spacing, with the M1/M3/Tourism error table WITHOUT the smoothness scaling
(which hurts on civil-affairs series). Production is evaluated in bench/domain_calibration.py
(row "auto", which calls models.forecast). `models.forecast` (one series) and
`regional.arrays.Group` (many series in arrays) both call `growth_combined`.
Imports calibration, growth and models.structure.
"""
from __future__ import annotations

import numpy as np

from .. import calibration, growth
from .structure import structure_many


def quantile_grid(P: np.ndarray, Y: np.ndarray, errq: np.ndarray, kind: str | None = None) -> np.ndarray:
    """Quantiles (series, years, probs) around point forecasts P (series, years) of series Y
    (series, obs): P * exp(error quantile), or for series with zeros or negatives, and for rows whose
    point falls to 0 or below in any year (a multiple of 0 has no width), the errors relative to the
    series' scale; never crossing, and for a count or share (kind level/share)
    never below 0. errq is (years, probs), the same for every series, or (series, years, probs),
    each series' own (scaled to its smoothness)."""
    E = np.broadcast_to(errq, P.shape + (errq.shape[-1],))
    pos = (Y > 0).all(axis=1) & (P > 0).all(axis=1)
    if pos.all():  # the usual case, in place: for many series these arrays are hundreds of MB
        Q = np.exp(np.ascontiguousarray(E))  # exp of a contiguous copy, as E[pos] gave it
        Q *= P[:, :, None]
    else:
        Q = np.empty(E.shape)
        Q[pos] = P[pos][:, :, None] * np.exp(E[pos])
        scale = np.maximum(np.abs(Y[~pos]).mean(axis=1), 1e-9)
        Q[~pos] = P[~pos][:, :, None] + scale[:, None, None] * (np.exp(E[~pos]) - 1)
    np.maximum.accumulate(Q, axis=2, out=Q)
    return np.maximum(Q, 0, out=Q) if kind in ("level", "share") else Q


def growth_rows(t: np.ndarray, Y: np.ndarray, kind: str, family: str | None) -> np.ndarray:
    """Indices of the rows of Y (series, obs) the growth model takes (growth.applies)."""
    return np.array([i for i, y in enumerate(np.asarray(Y, float)) if growth.applies(t, y, kind, family)], int)


def pool(probs: np.ndarray, QA: np.ndarray, QB: np.ndarray) -> np.ndarray:
    """Quantiles on `probs` of the 50/50 mixture of two distributions given by quantile grids
    (..., probs): each CDF is linear between its grid points, so their average is linear between the
    union of the points and is inverted exactly there. Beyond a grid's ends its CDF is held at the end
    probabilities (the grid says nothing further), so the mixture's outermost quantiles are a little
    wider than pooling equally many sample paths of each would give."""
    A, B = np.asarray(QA, float), np.asarray(QB, float)
    flat_a, flat_b = A.reshape(-1, A.shape[-1]), B.reshape(-1, B.shape[-1])
    out = np.empty_like(flat_a)
    for i in range(len(flat_a)):
        x = np.unique(np.concatenate([flat_a[i], flat_b[i]]))
        cdf = 0.5 * np.interp(x, flat_a[i], probs) + 0.5 * np.interp(x, flat_b[i], probs)
        out[i] = np.interp(probs, cdf, x)
    return out.reshape(A.shape)


def growth_combined(t: np.ndarray, Y: np.ndarray, h: np.ndarray, kind: str, family: str, chosen: str,
                    spacing: int, P: np.ndarray, monotone=None, bounds=None, years: int | None = None):
    """The growth model's forecast for series Y (series, obs), every row one the growth model takes,
    observed in years t, at horizons h: alone, or joined with the calibrated trend model as
    growth.combination(family) says.

    `chosen` is the trend method `auto` picked for this length and spacing and P (series, years) its
    point forecasts. Returns (point (series, years); probs; quantile grid (series, years, probs);
    each row's note). Each model's grid is taken after the structure (never-cut standards, bounds),
    so the join keeps it. The point is the growth model's median alone, the mean of the two points
    averaged, the mixture's median pooled.

    `years`: only the first `years` horizons are computed (growth.quantile_grid_many; the later
    columns are NaN), each to the last bit as the full call gives it."""
    Y = np.asarray(Y, float)
    Pg, gp, Qg, stats = growth.quantile_grid_many(t, Y, h, family, monotone, years=years)
    notes = [growth.note(st, family=family) for st in stats]
    Pg, Qg, _ = structure_many(Pg, Qg, Y[:, -1], monotone, bounds)
    if not growth.with_trend(family):
        return Pg, gp, Qg, notes
    probs, errq = calibration.error_quantiles(chosen, len(t), spacing, h, table=calibration.unscaled_table())
    Qt = quantile_grid(P, Y, errq, kind)
    Pt, Qt, _ = structure_many(P, Qt, Y[:, -1], monotone, bounds)
    assert np.array_equal(gp, probs)  # both on calibration.PROBS: the quantiles average level by level
    if growth.combination(family) == "pool":
        k = len(h) if years is None else int(np.sum(np.rint(h) <= years))  # the columns computed (h rising)
        Q = np.full(Qg.shape, np.nan)
        Q[:, :k] = pool(probs, Qg[:, :k], Qt[:, :k])  # its loop only over them
        return Q[..., int(np.flatnonzero(probs == 0.5)[0])], probs, Q, notes
    return (Pg + Pt) / 2, probs, (Qg + Qt) / 2, notes
