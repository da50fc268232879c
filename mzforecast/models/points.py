"""Closed-form point forecasts of short, gappy yearly series: one series (`point_forecast`), many
series observed in the same years (`point_forecasts_many`, `points_in_years`), and the method
`auto` chooses. No uncertainty here: `mzforecast.models` puts the calibrated quantiles around these.

Imports only the leaves (errors).
"""
from __future__ import annotations

import numpy as np

from ..errors import ModelError

METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "logistic", "comb")
COMB_MEMBERS = ("drift", "damped", "theta")
DAMPING = 0.9  # phi of the damped trend; the usual upper end of the range fitted on yearly data
THETA_ALPHAS = np.linspace(0.05, 1.0, 20)


def _ols(t, y):
    tm, ym = t.mean(), y.mean()
    var = ((t - tm) ** 2).sum()
    b = ((t - tm) * (y - ym)).sum() / var if var > 0 else 0.0
    return ym - b * tm, b


def _best_alpha(sse: np.ndarray) -> np.ndarray:
    """Index of the smallest alpha whose one-step error is within 1e-9 (relative) of the best.

    Short series often tie exactly (e.g. 2, 2, 1 fits every alpha equally); a plain argmin
    would break such ties by rounding noise, so the same series at another scale could get
    another alpha and another forecast.
    """
    sse = np.atleast_2d(sse)
    best = sse.min(axis=1, keepdims=True)
    return np.argmax(sse <= best * (1 + 1e-9) + 1e-300, axis=1)


def _theta(t, y, horizons):
    """Theta method (SES on the data plus half the OLS slope) for yearly data.

    Gaps are filled by linear interpolation first, because SES needs consecutive years; with
    consecutive data this equals statsmodels' ThetaModel (tested).
    """
    years = np.arange(t[0], t[-1] + 1)
    z = np.interp(years, t, y)
    n = len(z)
    if n < 3:
        return point_forecast("drift", t, y, horizons)
    _, b = _ols(years, z)
    # SES fitted by one-step squared error over a grid of alphas (vectorised)
    a = THETA_ALPHAS[:, None]
    lev = np.empty((len(THETA_ALPHAS), n))
    lev[:, 0] = z[0]
    for i in range(1, n):
        lev[:, i] = a[:, 0] * z[i] + (1 - a[:, 0]) * lev[:, i - 1]
    sse = ((z[1:] - lev[:, :-1]) ** 2).sum(axis=1)
    k = int(_best_alpha(sse)[0])
    alpha, level = THETA_ALPHAS[k], lev[k, -1]
    h = horizons + (t[-1] - years[-1])
    return level + b / 2 * ((h - 1) + 1 / alpha - (1 - alpha) ** n / alpha)


def point_forecast(method: str, t: np.ndarray, y: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """Point forecasts at `horizons` years after the last observation."""
    n = len(y)
    last = y[-1]
    if method == "naive" or n == 1:
        return np.full(horizons.shape, last)
    span = t[-1] - t[0]
    if method == "drift":
        return last + (last - y[0]) / span * horizons
    if method == "linear":
        a, b = _ols(t, y)
        return a + b * (t[-1] + horizons)
    if method == "loglinear":
        if np.any(y <= 0):
            raise ModelError("the log-linear (constant growth) model needs positive values; "
                             "this series has zeros or negatives: use method 'linear' or 'drift'")
        a, b = _ols(t, np.log(y))
        # anchor at the last observation: growth continues from where the series is now
        return last * np.exp(b * horizons)
    if method == "damped":
        slope = (last - y[0]) / span if n < 3 else _ols(t, y)[1]
        return last + slope * DAMPING * (1 - DAMPING ** horizons) / (1 - DAMPING)
    if method == "theta":
        return _theta(t, y, horizons)
    if method == "logistic":
        p = np.clip(y / 100.0, 0.005, 0.995)
        z = np.log(p / (1 - p))
        if n == 2:
            zf = z[-1] + (z[-1] - z[0]) / span * horizons
        else:
            a, b = _ols(t, z)
            zf = z[-1] + b * horizons
        return 100.0 / (1 + np.exp(-zf))
    if method == "comb":
        fs = [point_forecast(m, t, y, horizons) for m in COMB_MEMBERS]
        return np.median(np.vstack(fs), axis=0)
    raise ModelError(f"unknown method '{method}'; choose one of: auto, " + ", ".join(METHODS))


def choose_method(n_obs: int, kind: str = "level", spacing: int = 1) -> str:
    """The method `auto` uses, from bench/accuracy.py (docs/benchmarks.md, docs/methods.md).

    Lowest MASE per history length on the M1/M3/Tourism yearly series: two consecutive years
    carry too little trend to beat the last value; two points five years apart do (Theta on
    the interpolated years); Theta leads at 3-6 consecutive points; beyond that, and for
    spaced series, the median of drift, damped and Theta is best or within 0.5% of best.
    """
    if n_obs <= 1:
        return "naive"
    if kind == "share":
        return "logistic"
    if n_obs == 2:
        return "naive" if spacing == 1 else "theta"
    if spacing == 1 and n_obs <= 6:
        return "theta"
    return "comb"


def spacing_bucket(t: np.ndarray) -> int:
    """1 for (nearly) consecutive years, 5 for series observed only every few years."""
    if len(t) < 2:
        return 1
    return 1 if np.median(np.diff(t)) <= 2 else 5


def ses_many(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Final SES level and alpha of each row, alpha fitted by one-step squared error on the grid."""
    m, n = Y.shape
    A = THETA_ALPHAS[None, :]
    lev = np.repeat(Y[:, :1], len(THETA_ALPHAS), axis=1)
    sse = np.zeros_like(lev)
    for i in range(1, n):
        sse += (Y[:, i:i + 1] - lev) ** 2
        lev = A * Y[:, i:i + 1] + (1 - A) * lev
    k = _best_alpha(sse)
    return lev[np.arange(m), k][:, None], THETA_ALPHAS[k][:, None]


def point_forecasts_many(values: np.ndarray, method: str, horizons: np.ndarray, spacing: int = 1) -> np.ndarray:
    """Closed-form point forecasts for many series of equal length at once.

    values: (n_series, n_obs), observed every `spacing` years; horizons in years after the
    last observation. Gives the same numbers as `forecast` (tested); used by the calibration
    build and the benchmarks, where speed matters.
    """
    Y = np.asarray(values, float)
    m, n = Y.shape
    H = np.asarray(horizons, float)[None, :]
    last = Y[:, -1:]
    t = np.arange(n, dtype=float) * spacing
    if method == "naive" or n == 1:
        return np.repeat(last, H.shape[1], axis=1)
    if method == "drift":
        return last + (last - Y[:, :1]) / t[-1] * H
    tc = t - t.mean()
    if method in ("linear", "damped"):
        b = (Y * tc).sum(1, keepdims=True) / (tc ** 2).sum()
        if method == "linear":
            a = Y.mean(1, keepdims=True) - b * t.mean()
            return a + b * (t[-1] + H)
        if n < 3:
            b = (last - Y[:, :1]) / t[-1]
        return last + b * DAMPING * (1 - DAMPING ** H) / (1 - DAMPING)
    if method == "loglinear":
        L = np.log(np.where(Y > 0, Y, np.nan))
        b = (L * tc).sum(1, keepdims=True) / (tc ** 2).sum()
        return last * np.exp(b * H)
    if method == "theta":
        if spacing > 1:  # as in _theta: fill the gap years by linear interpolation
            yrs = np.arange(t[-1] + 1)
            Y = np.vstack([np.interp(yrs, t, row) for row in Y])
            return point_forecasts_many(Y, "theta", horizons, 1)
        if n < 3:
            return point_forecasts_many(Y, "drift", horizons, spacing)
        b = (Y * tc).sum(1, keepdims=True) / (tc ** 2).sum()
        level, alpha = ses_many(Y)
        return level + b / 2 * ((H - 1) + 1 / alpha - (1 - alpha) ** n / alpha)
    if method == "logistic":
        raise ModelError("logistic is for shares; the reference corpus has none")
    if method == "comb":
        return np.median(np.stack([point_forecasts_many(Y, mm, horizons, spacing) for mm in COMB_MEMBERS]), axis=0)
    raise ModelError(f"unknown method '{method}'")


def logistic_many(Y: np.ndarray, t: np.ndarray, H: np.ndarray) -> np.ndarray:
    """point_forecast's logistic trend for many series observed in the same years t."""
    p = np.clip(Y / 100.0, 0.005, 0.995)
    z = np.log(p / (1 - p))
    if Y.shape[1] == 2:
        zf = z[:, -1:] + (z[:, -1:] - z[:, :1]) / (t[-1] - t[0]) * H
    else:
        tc = t - t.mean()
        b = ((tc * (z - z.mean(1, keepdims=True))).sum(1) / (tc ** 2).sum())[:, None]
        zf = z[:, -1:] + b * H
    return 100.0 / (1 + np.exp(-zf))


def points_in_years(method: str, t: np.ndarray, Y: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Point forecasts of every row of Y (all observed in years t) at horizons h: the arrays where the
    years are evenly spaced, point_forecast row by row where they are not."""
    d = np.diff(t)
    if method == "logistic" and len(t) >= 2:
        return logistic_many(Y, t.astype(float), h[None, :])
    if len(t) == 1 or (len(d) and np.all(d == d[0]) and method != "loglinear"):
        return point_forecasts_many(Y, method, h, int(d[0]) if len(d) else 1)
    tf = t.astype(float)  # uneven spacing: the one-series formula, row by row
    return np.vstack([point_forecast(method, tf, y, h) for y in Y])
