"""Trend models for short, gappy yearly series, with empirically calibrated predictive quantiles.

Point forecasts are closed-form so they work with 2-15 points and uneven year spacing, and
vectorise over many series. Uncertainty does not come from the models' own (badly
overconfident) formulas: the quantiles of log(actual / forecast) measured on real yearly
series (M1, M3, Tourism) for the same method, history length, spacing and horizon are applied
to the point forecast (see calibration.py).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import ModelError

METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "logistic", "comb")
TREND_METHODS = ("drift", "linear", "loglinear", "damped", "theta", "logistic", "comb")
COMB_MEMBERS = ("drift", "damped", "theta")
DAMPING = 0.9  # phi of the damped trend; the usual upper end of the range fitted on yearly data
THETA_ALPHAS = np.linspace(0.05, 1.0, 20)


def _as_arrays(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(series).dropna()
    s = s[~s.index.duplicated(keep="last")].sort_index()
    t = np.asarray(s.index, dtype=float)
    y = np.asarray(s.to_numpy(), dtype=float)
    return t, y


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
        return _point("drift", t, y, horizons)
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


def _point(method: str, t: np.ndarray, y: np.ndarray, horizons: np.ndarray) -> np.ndarray:
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
        fs = [_point(m, t, y, horizons) for m in COMB_MEMBERS]
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


class SummaryFrame(pd.DataFrame):
    """summary_frame's table: exact values, shown rounded (no exponents, sensible digits).

    Issue 10: analysts see 859 and 0.87, not 859.2841563; the numbers themselves stay exact
    for the code that computes with them. Frames derived from it are plain DataFrames.
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    def _shown(self) -> pd.DataFrame:
        from .fmt import plain
        out = pd.DataFrame(self).copy()
        for c in out.columns:
            if out[c].dtype.kind == "f":
                out[c] = [plain(v) for v in out[c]]
        return out

    def __repr__(self) -> str:
        return repr(self._shown())

    def _repr_html_(self) -> str:
        return self._shown()._repr_html_()


@dataclass
class Forecast:
    """A forecast of one yearly series, in the spirit of statsmodels' results objects."""

    def __repr__(self) -> str:  # short: the arrays stay out of sight
        from .fmt import plain
        h = self.history.dropna()
        name = self.history.attrs.get("indicator", self.history.name) or "series"
        last = self.summary_frame().iloc[-1]
        span = f"{int(h.index.min())}–{self.last_year}" if len(h) else "no data"
        return (f"<Forecast {name}: {self.method}, {self.n_obs} obs {span}; {int(self.years[-1])} median "
                f"{plain(last['median'])} (80% {plain(last['lo80'])}–{plain(last['hi80'])})>")

    def _repr_html_(self) -> str:
        import html
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<p><b>{html.escape(repr(self))}</b></p>" + (f"<ul>{notes}</ul>" if notes else "")
                + self.summary_frame()._repr_html_())

    history: pd.Series
    method: str
    years: np.ndarray
    point: np.ndarray
    quantile_probs: np.ndarray
    quantile_values: np.ndarray  # shape (len(years), len(probs))
    kind: str = "level"
    notes: list[str] = field(default_factory=list)
    monotone: str | None = None
    bounds: tuple | None = None

    @property
    def n_obs(self) -> int:
        return int(self.history.notna().sum())

    @property
    def last_year(self) -> int:
        return int(self.history.dropna().index.max())

    def quantiles(self, probs) -> pd.DataFrame:
        probs = np.atleast_1d(np.asarray(probs, float))
        vals = np.vstack([np.interp(probs, self.quantile_probs, row) for row in self.quantile_values])
        return pd.DataFrame(vals, index=pd.Index(self.years, name="year"), columns=probs)

    @property
    def mean(self) -> np.ndarray:
        """Mean of the sampling distribution per year (exact: the quantile grid is linear between
        its probabilities and `samples` draws u uniformly between the first and the last)."""
        p, q = self.quantile_probs, self.quantile_values
        seg = np.diff(p) * (q[:, 1:] + q[:, :-1]) / 2
        return seg.sum(axis=1) / (p[-1] - p[0])

    def summary_frame(self, levels=(80, 95)) -> pd.DataFrame:
        """Point forecast (the model's, used by the progress classes), the mean and median of the
        sample paths and central intervals, one row per year."""
        out = pd.DataFrame({"point": self.point, "mean": self.mean}, index=pd.Index(self.years, name="year"))
        out["median"] = self.quantiles([0.5]).iloc[:, 0].to_numpy()
        for lv in levels:
            lo, hi = (1 - lv / 100) / 2, 1 - (1 - lv / 100) / 2
            q = self.quantiles([lo, hi])
            out[f"lo{lv:g}"], out[f"hi{lv:g}"] = q.iloc[:, 0].to_numpy(), q.iloc[:, 1].to_numpy()
        out.insert(0, "method", self.method)
        out["n_obs"] = self.n_obs
        return SummaryFrame(out)

    def samples(self, n: int = 4000, seed: int = 0) -> pd.DataFrame:
        """Sample paths (rows = draws, columns = years) by inverse-CDF of the quantile grid.

        One uniform per draw is shared across years, so a path that starts high stays high:
        first-passage years and growth over the plan stay coherent.
        """
        rng = np.random.default_rng(seed)
        p = self.quantile_probs
        u = rng.uniform(p[0], p[-1], size=n)
        # the same linear interpolation as np.interp, done once for every year
        j = np.clip(np.searchsorted(p, u, side="right") - 1, 0, len(p) - 2)
        w = (u - p[j]) / (p[j + 1] - p[j])
        q = self.quantile_values
        vals = (q[:, j] + (q[:, j + 1] - q[:, j]) * w).T  # exact where neighbouring quantiles are equal
        vals = structure_paths(vals, self.monotone, self.bounds, axis=1)
        return pd.DataFrame(vals, columns=[int(y) for y in self.years])

    def to_frame(self, levels=(80, 95)) -> pd.DataFrame:
        f = self.summary_frame(levels).reset_index()
        f.insert(0, "indicator", self.history.attrs.get("indicator", self.history.name))
        f.insert(0, "region", self.history.attrs.get("region", ""))
        return f


YEAR_MIN, YEAR_MAX = 1949, 2100  # as data.YEAR_MIN/YEAR_MAX: the years a plan can speak of


def forecast(series: pd.Series, until: int, method: str = "auto", *, kind: str | None = None,
             as_of: int | None = None, table=None, monotone: str | None = None,
             bounds: tuple | None = None) -> Forecast:
    """Fit `method` to a yearly series (index = year) and forecast every year up to `until`.

    `monotone` ('nondecreasing' for administered standards) and `bounds` ((low, high), shares
    (0, 100)) default to the series' attrs (set by Dataset.series from data/indicators.yaml) and
    are enforced in every sample path: see `_structure`.

    >>> fc = forecast(s, until=2025); fc.summary_frame([80, 95])
    """
    from . import calibration

    try:
        until = int(until)
    except (TypeError, ValueError):
        raise ModelError(f"the forecast horizon must be a year, not '{until}'") from None
    if not YEAR_MIN <= until <= YEAR_MAX:
        raise ModelError(f"cannot forecast to {until}: the horizon must be a year between {YEAR_MIN} and "
                         f"{YEAR_MAX} (e.g. --until 2030)")
    s = pd.Series(series).dropna()
    if as_of is not None:
        s = s[s.index <= as_of]
    # -- issue 12: five-year figures are not yearly series; say what has data when nothing does
    at = getattr(series, "attrs", {})
    if at.get("aggregation", "stock") != "stock":
        raise ModelError(f"{at.get('indicator', 'this indicator')} is a {at['aggregation'].replace('_', ' ')} "
                         "(a figure over the five years ending in each year), not a yearly series: it is shown as "
                         "published, not forecast")
    if len(s) == 0:
        from .data import describe_years
        what = f" of {at['indicator']} in {at['region']}" if "indicator" in at and "region" in at else ""
        up_to = as_of if as_of is not None else at.get("as_of")
        have = at.get("years_available")
        raise ModelError(f"the series{what} has no observations" + (f" up to {up_to}" if up_to is not None else "")
                         + (f"; years with data: {describe_years(have)}" if have is not None else ""))
    attrs = getattr(series, "attrs", {})
    kind = kind or attrs.get("kind", "level")
    monotone = monotone if monotone is not None else attrs.get("monotone")
    bounds = bounds if bounds is not None else attrs.get("bounds")
    if bounds is None and kind == "share":
        bounds = (0.0, 100.0)
    s.attrs = dict(getattr(series, "attrs", {}))
    t, y = _as_arrays(s)
    notes = []
    n = len(y)
    chosen = choose_method(n, kind, spacing_bucket(t)) if method == "auto" else method
    if chosen not in METHODS:
        raise ModelError(f"unknown method '{method}'; choose one of: auto, " + ", ".join(METHODS))
    if n == 1:
        chosen = "naive"  # the note, with what the calibrated spread does to the median, comes below
    if n == 2 and chosen not in ("naive",):
        notes.append("only two observations: the trend rests on two points, intervals are wide")
    if chosen == "logistic" and kind != "share":
        raise ModelError("the logistic model is for shares (0-100%); this indicator is a "
                         f"{kind}: use auto, drift, theta or comb")
    if chosen == "loglinear" and np.any(y <= 0):
        notes.append("zeros or negatives in the series: log-linear model replaced by drift")
        chosen = "drift"
    if chosen != "naive" and np.ptp(y) == 0:
        notes.append("the series is constant: the point forecast is held at that value")
    if kind == "share" and chosen not in ("logistic", "naive"):
        notes.append("share indicator: forecasts and intervals clipped to 0-100%")
    elif bounds is not None and kind != "share" and any(b is not None for b in bounds):
        notes.append("forecasts and intervals kept within " + _bounds_text(bounds))
    last = int(t[-1])
    if until <= last:
        raise ModelError(f"nothing to forecast: the series already has data for {last} (until={until})")
    years = np.arange(last + 1, until + 1)
    h = (years - last).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        point = _point(chosen, t, y, h)
    if kind in ("level", "share") and np.any(point < 0):
        notes.append("the trend crosses zero: negative forecasts set to 0")
        point = np.maximum(point, 0)
    # -- growth model (growth.py) for standards and smooth families when `auto` chooses
    from . import growth
    family = growth.family_of(s.attrs, monotone) if method == "auto" and table is None else None
    if growth.applies(t, y, kind, family):
        point, probs, qv, st = growth.quantile_grid(t, y, h, family, monotone)
        chosen = "growth"
        notes.append(growth.note(st))
        point, qv, more = _structure(point, qv, float(y[-1]), monotone, bounds)
        return Forecast(s, chosen, years, point, probs, qv, kind, notes + more, monotone, bounds)
    probs, errq = calibration.error_quantiles(chosen, n, spacing_bucket(t), h, table=table)
    errq = calibration.scale_errors(errq, calibration.smoothness_factor(t, y))  # smooth series: narrower
    if np.all(y > 0):
        qv = point[:, None] * np.exp(errq)
    else:  # no log scale: use the errors relative to the series' scale
        scale = max(np.abs(y).mean(), 1e-9)
        qv = point[:, None] + scale * (np.exp(errq) - 1)
    qv = np.maximum.accumulate(qv, axis=1)  # quantiles never cross
    point, qv, more = _structure(point, qv, float(y[-1]), monotone, bounds)
    notes += more
    if n == 1:  # say what the model does: the point is held, but the calibrated median may move
        k = min(5, len(years)) - 1
        med = float(np.interp(0.5, probs, qv[k]))
        move = (med / y[-1] - 1) * 100 if y[-1] else 0.0
        if abs(move) < 0.5:
            notes.append("only one observation: no trend can be estimated, the level is held flat")
        else:
            notes.append(f"only one observation, so no trend can be estimated: the point forecast stays at the last "
                         f"value, and the median moves {move:+.0f}% in {k + 1} years because the spread is how "
                         "one-point series in the reference corpus moved")
    return Forecast(s, chosen, years, point, probs, qv, kind, notes, monotone, bounds)


def _bounds_text(bounds) -> str:
    lo, hi = bounds
    return f"{'-inf' if lo is None else f'{lo:g}'}-{'inf' if hi is None else f'{hi:g}'}"


def _structure(point: np.ndarray, qv: np.ndarray, last: float, monotone, bounds):
    """Enforce an indicator's structure on the point forecast and on every sample path.

    Sample paths are comonotone (one uniform u per path: value in year t = Q_t(u)), so taking
    each path's running maximum from the last observation, max(last, Q_1(u), ..., Q_t(u)), is
    the same as taking the running maximum of each quantile over the years: the quantile grid,
    the summary frame and the samples stay in agreement. Clipping to bounds commutes the same
    way. A series at its upper bound (100 % coverage) is forecast at the bound.
    """
    P, Q, at_bound = structure_many(point[None], qv[None], np.array([last], float), monotone, bounds)
    return P[0], Q[0], structure_notes(monotone, bounds, bool(at_bound[0]))


def structure_many(P: np.ndarray, Q: np.ndarray, last: np.ndarray, monotone, bounds):
    """`_structure` for many series at once: P (series, years), Q (series, years, probs), last
    (series,). Returns P, Q and which series sit at their upper bound (held there)."""
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


def structure_notes(monotone, bounds, at_bound: bool) -> list[str]:
    """What `structure_many` did to one series, in words (the notes every path shows)."""
    if at_bound:
        return [f"the series is at its upper bound ({bounds[1]:g}): forecast held at the bound"]
    if monotone == "nondecreasing":
        return ["administered standard, only raised or held: no forecast path falls below the last "
                "observed value or from one year to the next"]
    if monotone == "nonincreasing":
        return ["only ever held or lowered: no forecast path rises above the last observed value "
                "or from one year to the next"]
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
