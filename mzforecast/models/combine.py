"""Predictive quantile grids: calibrated errors around point forecasts (`quantile_grid`) and, for
administered standards and the smooth families of growth.py, the growth model averaged with the
calibrated trend model (`growth_combined`).

The combination is Vincentization with equal weights fixed in advance: each quantile is the mean
of the growth model's quantile and the calibrated trend model's (the method `auto` chooses by
length and spacing, with the M1/M3/Tourism error table WITHOUT the smoothness scaling, which
hurts on civil-affairs series). The growth model has the better median and intervals that miss
one-sidedly; the trend model the worse median and wider intervals; their average is evaluated in
bench/domain_calibration.py (row "auto", which calls models.forecast). `models.forecast` (one
series) and `regional.arrays.Group` (many series in arrays) both call `growth_combined`.
Imports calibration, growth and models.structure.
"""
from __future__ import annotations

import numpy as np

from .. import calibration, growth
from .structure import structure_many


def quantile_grid(P: np.ndarray, Y: np.ndarray, errq: np.ndarray, kind: str | None = None) -> np.ndarray:
    """Quantiles (series, years, probs) around point forecasts P (series, years) of series Y
    (series, obs): P * exp(error quantile), or for series with zeros or negatives the errors
    relative to the series' scale; never crossing, and for a count or share (kind level/share)
    never below 0. errq is (years, probs), the same for every series, or (series, years, probs),
    each series' own (scaled to its smoothness)."""
    E = np.broadcast_to(errq, P.shape + (errq.shape[-1],))
    pos = (Y > 0).all(axis=1)
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


def growth_combined(t: np.ndarray, Y: np.ndarray, h: np.ndarray, kind: str, family: str, chosen: str,
                    spacing: int, P: np.ndarray, monotone=None, bounds=None):
    """The growth model averaged with the calibrated trend model for series Y (series, obs), every
    row one the growth model takes, observed in years t, at horizons h.

    `chosen` is the trend method `auto` picked for this length and spacing and P (series, years) its
    point forecasts. Returns (point (series, years): the mean of the two models' points; probs;
    quantile grid (series, years, probs): the mean of the two grids, each after the structure
    (never-cut standards, bounds), so the average keeps it; each row's note)."""
    Y = np.asarray(Y, float)
    probs, errq = calibration.error_quantiles(chosen, len(t), spacing, h, table=calibration.unscaled_table())
    Qt = quantile_grid(P, Y, errq, kind)
    Pt, Qt, _ = structure_many(P, Qt, Y[:, -1], monotone, bounds)
    Pg, gp, Qg, stats = growth.quantile_grid_many(t, Y, h, family, monotone)
    assert np.array_equal(gp, probs)  # both on calibration.PROBS: the quantiles average level by level
    notes = [growth.note(st) for st in stats]
    Pg, Qg, _ = structure_many(Pg, Qg, Y[:, -1], monotone, bounds)
    return (Pg + Pt) / 2, probs, (Qg + Qt) / 2, notes
