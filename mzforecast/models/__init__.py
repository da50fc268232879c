"""Trend models for short, gappy yearly series, with empirically calibrated predictive quantiles.

Point forecasts are closed-form so they work with 2-15 points and uneven year spacing, and
vectorise over many series. Uncertainty does not come from the models' own (badly
overconfident) formulas: the quantiles of log(actual / forecast) measured on real yearly
series (M1, M3, Tourism) for the same method, history length, spacing and horizon are applied
to the point forecast (see calibration.py).

Owns `forecast` and `Forecast` (one series), the structural rules (`structure_many`,
`structure_notes`, `structure_paths`), the notes a forecast carries (`model_notes`) and the
inverse-CDF sampling of a quantile grid (`draws`, `sample_grid`), which the many-regions path
(regional) calls with arrays; a Forecast's table, summary and plot (drawn by the leaf `chart`).
Point forecasts are in `models.points`; `auto` gives standards and the smooth families of growth.py
the growth model (alone for standards, joined with the calibrated trend model for the other families:
`models.combine`), and scales the calibrated errors of the other series to their own smoothness.
Imports the leaves, the data layer, calibration and growth.
"""
from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import calibration, chart, growth
from ..columns import SummaryFrame
from ..data import YEAR_MAX, YEAR_MIN, describe_years  # the years a plan can speak of
from ..errors import ModelError
from ..fmt import interval, number, plain
from ..frames import yearly
from ..messages.notes import Note
from .combine import growth_combined, growth_rows, quantile_grid  # noqa: F401
from .structure import bounds_params, structure_many, structure_notes, structure_paths  # noqa: F401
from .points import (COMB_MEMBERS, DAMPING, METHODS, THETA_ALPHAS, choose_method, logistic_many,  # noqa: F401
                     point_forecast, point_forecasts_many, points_in_years, ses_many, spacing_bucket)


def _as_arrays(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(series).dropna()
    s = s[~s.index.duplicated(keep="last")].sort_index()
    t = np.asarray(s.index, dtype=float)
    y = np.asarray(s.to_numpy(), dtype=float)
    return t, y


@dataclass
class Forecast:
    """A forecast of one yearly series, in the spirit of statsmodels' results objects."""

    def __repr__(self) -> str:  # short: the arrays stay out of sight
        h = self.history.dropna()
        name = self.history.attrs.get("indicator", self.history.name) or "series"
        last = self.summary_frame().iloc[-1]
        span = f"{int(h.index.min())}–{self.last_year}" if len(h) else "no data"
        return (f"<Forecast {name}: {self.method}, {self.n_obs} obs {span}; {int(self.years[-1])} median "
                f"{plain(last['median'])} (80% {plain(last['lo80'])}–{plain(last['hi80'])})>")

    def _repr_html_(self) -> str:
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

    @property
    def unit(self) -> str:
        """The data's unit (canonical name, e.g. 'yuan/person/month'); '' when the series has none."""
        return str(self.history.attrs.get("unit") or "")

    def _year_series(self, values, name: str) -> pd.Series:
        out = pd.Series(np.asarray(values, float), index=pd.Index(self.years.astype(int), name="year"), name=name)
        out.attrs.update(unit=self.unit, method=self.method)
        return out

    @property
    def predicted_mean(self) -> pd.Series:
        """Mean of the forecast distribution per year, indexed by year (as statsmodels names it)."""
        return self._year_series(self.mean, "predicted_mean")

    @property
    def predicted_median(self) -> pd.Series:
        """Median of the forecast distribution per year, indexed by year."""
        return self._year_series(self.quantiles([0.5]).iloc[:, 0].to_numpy(), "predicted_median")

    def summary_frame(self, levels=(80, 95), alpha: float | None = None) -> pd.DataFrame:
        """Forecast table, one row per year.

        Parameters
        ----------
        levels : sequence of float, default (80, 95)
            Central interval levels in percent: columns ``lo{level}`` and ``hi{level}``.
        alpha : float, optional
            As in statsmodels: one interval of level ``100 * (1 - alpha)``; ``alpha=0.05`` is
            ``levels=[95]``. Overrides `levels`.

        Returns
        -------
        pandas.DataFrame
            Indexed by year: ``method``, ``point`` (the model's point forecast, used by the
            progress classes), ``mean`` and ``median`` of the sample paths, the interval bounds
            and ``n_obs``. ``attrs["unit"]`` is the data's unit. Shown rounded, exact inside.
        """
        if alpha is not None:
            if not 0 < float(alpha) < 1:
                raise ValueError(f"alpha must be between 0 and 1 (0.05 for a 95% interval), not {alpha!r}")
            levels = [round(100 * (1 - float(alpha)), 10)]
        levels = [float(lv) for lv in np.atleast_1d(levels)]
        if any(not 0 < lv < 100 for lv in levels):
            raise ValueError(f"levels are percentages between 0 and 100 (e.g. [80, 95]), not {levels}")
        out = pd.DataFrame({"point": self.point, "mean": self.mean}, index=pd.Index(self.years, name="year"))
        out["median"] = self.quantiles([0.5]).iloc[:, 0].to_numpy()
        for lv in levels:
            lo, hi = (1 - lv / 100) / 2, 1 - (1 - lv / 100) / 2
            q = self.quantiles([lo, hi])
            out[f"lo{lv:g}"], out[f"hi{lv:g}"] = q.iloc[:, 0].to_numpy(), q.iloc[:, 1].to_numpy()
        out.insert(0, "method", self.method)
        out["n_obs"] = self.n_obs
        sf = SummaryFrame(out)
        sf.attrs.update(unit=self.unit, method=self.method, levels=levels)
        return sf

    def summary(self, language: str = "en") -> str:
        """A few lines on the model, the history, the notes and the last year's forecast (printable)."""
        h, at = self.history.dropna(), self.history.attrs
        name, region = at.get("indicator", self.history.name) or "series", at.get("region", "")
        lines = [f"Forecast of {name}" + (f" in {region}" if region else "") + (f" ({self.unit})" if self.unit else ""),
                 f"method: {self.method}; {self.n_obs} observations "
                 + (f"{int(h.index.min())}-{self.last_year}" if len(h) else ""),
                 "year  median  80% interval  95% interval"]
        for y, r in self.summary_frame().iterrows():
            lines.append(f"{int(y)}  {number(r['median'], self.unit, language, with_unit=False)}  "
                         f"{interval(r['lo80'], r['hi80'], self.unit, language, with_unit=False)}  "
                         f"{interval(r['lo95'], r['hi95'], self.unit, language, with_unit=False)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, ax=None, *, levels=(80, 95), target=None, language: str = "zh", title: str | None = None):
        """Draw the history, the forecast median and its central intervals (like statsmodels' plot_predict).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default ``plt.gca()`` (a new figure in a fresh notebook cell).
        levels : sequence of float, default (80, 95)
            Interval levels to shade, in percent.
        target : float or Target, optional
            A target value (in the data's unit) or a Target (its value and year) drawn as a line.
        language : {"zh", "en"}
            Legend and axis words; every text carries the bundled CJK font.
        title : str, optional
            Default: the region and indicator the series came from.

        Returns
        -------
        matplotlib.axes.Axes
        """
        bands = self.summary_frame(levels)
        value, year = (target, None) if target is None or isinstance(target, (int, float)) else \
            (target.value, target.target_year)
        if title is None:
            at = self.history.attrs
            title = " ".join(str(x) for x in (at.get("region_name") or at.get("region"),
                                                at.get("indicator_name") or at.get("indicator")) if x)
        return chart.fan(self.history, bands, ax=ax, levels=levels, unit=self.unit, language=language, title=title,
                         target_value=value, target_year=year)

    def samples(self, n: int = 4000, seed: int = 0) -> pd.DataFrame:
        """Sample paths (rows = draws, columns = years) by inverse-CDF of the quantile grid.

        One uniform per draw is shared across years, so a path that starts high stays high:
        first-passage years and growth over the plan stay coherent.
        """
        _, j, w = draws(self.quantile_probs, n, seed)
        vals = sample_grid(self.quantile_values, j, w).T
        vals = structure_paths(vals, self.monotone, self.bounds, axis=1)
        return pd.DataFrame(vals, columns=[int(y) for y in self.years])

    def to_frame(self, levels=(80, 95)) -> pd.DataFrame:
        f = self.summary_frame(levels).reset_index()
        f.insert(0, "indicator", self.history.attrs.get("indicator", self.history.name))
        f.insert(0, "region", self.history.attrs.get("region", ""))
        return f


def draws(probs: np.ndarray, n: int, seed: int):
    """n uniforms between the grid's first and last probability (seeded), with the grid interval
    each falls in (j) and its weight there (w): the same for every series sampled with this seed."""
    u = np.random.default_rng(seed).uniform(probs[0], probs[-1], size=n)
    j = np.clip(np.searchsorted(probs, u, side="right") - 1, 0, len(probs) - 2)
    w = (u - probs[j]) / (probs[j + 1] - probs[j])
    return u, j, w


def sample_grid(Q: np.ndarray, j, w) -> np.ndarray:
    """Quantile grids Q (..., probs) -> samples (..., draws) by linear interpolation between the
    grid's probabilities (as np.interp; exact where neighbouring quantiles are equal, e.g. a series
    held at its bound)."""
    a = np.take(Q, j, axis=-1)
    return a + (np.take(Q, j + 1, axis=-1) - a) * w


def _horizon(until) -> int:
    try:
        until = int(until)
    except (TypeError, ValueError):
        raise ModelError(f"the forecast horizon must be a year, not '{until}'") from None
    if not YEAR_MIN <= until <= YEAR_MAX:
        raise ModelError(f"cannot forecast to {until}: the horizon must be a year between {YEAR_MIN} and "
                         f"{YEAR_MAX} (e.g. --until 2030)")
    return until


def _observed(series: pd.Series, as_of) -> pd.Series:
    """The series' observations up to as_of; refuses a five-year figure (not a yearly series) and,
    saying which years have data, an empty series."""
    s = pd.Series(series).dropna()
    if as_of is not None:
        s = s[s.index <= as_of]
    at = getattr(series, "attrs", {})
    if at.get("aggregation", "stock") != "stock":
        raise ModelError(f"{at.get('indicator', 'this indicator')} is a {at['aggregation'].replace('_', ' ')} "
                         "(a figure over the five years ending in each year), not a yearly series: it is shown as "
                         "published, not forecast")
    if len(s) == 0:
        what = f" of {at['indicator']} in {at['region']}" if "indicator" in at and "region" in at else ""
        up_to = as_of if as_of is not None else at.get("as_of")
        have = at.get("years_available")
        raise ModelError(f"the series{what} has no observations" + (f" up to {up_to}" if up_to is not None else "")
                         + (f"; years with data: {describe_years(have)}" if have is not None else ""))
    s.attrs = dict(at)
    return s


def _method(method: str, n: int, kind: str, t: np.ndarray, y: np.ndarray) -> tuple[str, bool]:
    """The method fitted (and whether a log-linear request was replaced by drift)."""
    chosen = choose_method(n, kind, spacing_bucket(t)) if method == "auto" else method
    if chosen not in METHODS:
        raise ModelError(f"unknown method '{method}'; choose one of: auto, " + ", ".join(METHODS))
    if n == 1:
        chosen = "naive"  # model_notes says what the calibrated spread does to the median
    if chosen == "logistic" and kind != "share":
        raise ModelError("the logistic model is for shares (0-100%); this indicator is a "
                         f"{kind}: use auto, drift, theta or comb")
    if chosen == "loglinear" and np.any(y <= 0):
        return "drift", True
    return chosen, False


def forecast(series: pd.Series, until: int, method: str = "auto", *, kind: str | None = None,
             as_of: int | None = None, table=None, monotone: str | None = None,
             bounds: tuple | None = None) -> Forecast:
    """Fit `method` to a yearly series (index = year) and forecast every year up to `until`.

    `monotone` ('nondecreasing' for administered standards) and `bounds` ((low, high), shares
    (0, 100)) default to the series' attrs (set by Dataset.series from data/indicators.yaml) and
    are enforced in every sample path: see `structure_many`.

    Parameters
    ----------
    series : pandas.Series
        Yearly values indexed by year; a DatetimeIndex or PeriodIndex is read by year.
    until : int
        Last year to forecast.
    method : str, default "auto"
        auto, naive, drift, linear, loglinear, damped, theta, logistic (shares) or comb.
    kind : {"level", "share", "ratio"}, optional
        Default: ``series.attrs["kind"]``, else level.
    as_of : int, optional
        Use only observations up to this year.
    table : DataFrame, optional
        Calibration table (default: the bundled one).
    monotone : {"nondecreasing", "nonincreasing"}, optional
    bounds : tuple, optional
        (low, high) every path stays within; both default to the series' attrs.

    Returns
    -------
    Forecast
        ``summary_frame()``, ``predicted_median``, ``plot()``, ``samples()``.

    Examples
    --------
    >>> fc = forecast(s, until=2025); fc.summary_frame([80, 95])  # doctest: +SKIP
    """
    until = _horizon(until)
    s = _observed(yearly(series), as_of)  # a DatetimeIndex or PeriodIndex is read by year
    kind = kind or s.attrs.get("kind", "level")
    monotone = monotone if monotone is not None else s.attrs.get("monotone")
    bounds = bounds if bounds is not None else s.attrs.get("bounds")
    if bounds is None and kind == "share":
        bounds = (0.0, 100.0)
    t, y = _as_arrays(s)
    n = len(y)
    chosen, replaced = _method(method, n, kind, t, y)
    last = int(t[-1])
    if until <= last:
        raise ModelError(f"nothing to forecast: the series already has data for {last} (until={until})")
    years = np.arange(last + 1, until + 1)
    h = (years - last).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        point = point_forecast(chosen, t, y, h)
    neg = kind in ("level", "share") and bool(np.any(point < 0))
    if neg:
        point = np.maximum(point, 0)
    # standards and the listed smooth families: when `auto` chooses, the growth model (growth.py),
    # alone or joined with the calibrated trend model by family (combine.py)
    family = growth.family_of(s.attrs, monotone) if method == "auto" and table is None else None
    growth_note = None
    if len(growth_rows(t, y[None], kind, family)):
        P, probs, Q, gnotes = growth_combined(t, y[None], h, kind, family, chosen, spacing_bucket(t), point[None],
                                              monotone, bounds)
        point, qv, chosen, growth_note = P[0], Q[0], "growth", gnotes[0]
    else:
        probs, errq = calibration.error_quantiles(chosen, n, spacing_bucket(t), h, table=table)
        errq = calibration.scale_errors(errq, calibration.smoothness_factor(t, y))  # smooth series: narrower
        qv = quantile_grid(point[None], y[None], errq, kind)[0]
    P, Q, at_bound = structure_many(point[None], qv[None], np.array([y[-1]], float), monotone, bounds)
    point, qv = P[0], Q[0]
    notes = model_notes(n, chosen, kind, bounds, monotone,
                        constant=chosen not in ("naive", "growth") and np.ptp(y) == 0,
                        negative=neg and growth_note is None, at_bound=bool(at_bound[0]), replaced=replaced,
                        growth_line=growth_note,
                        one_point=(float(np.interp(0.5, probs, qv[min(5, len(years)) - 1])), float(y[-1]),
                                   min(5, len(years))))
    return Forecast(s, chosen, years, point, probs, qv, kind, notes, monotone, bounds)


def model_notes(n: int, chosen: str, kind: str, bounds, monotone, *, constant: bool, negative: bool,
                at_bound: bool, replaced: bool = False, one_point=None, growth_line: str | None = None) -> list[str]:
    """A forecast's notes, in order: what the history allows, what was replaced or held, the
    bounds, the growth model's line (`growth_line`), the structure, and for one observation what the
    calibrated spread does to the median (one_point = (median after k years, last value, k))."""
    notes = []
    if n == 2 and chosen != "naive":
        notes.append(Note("two_points"))
    if replaced:
        notes.append(Note("drift_for_log"))
    if constant:
        notes.append(Note("constant"))
    if kind == "share" and chosen not in ("logistic", "naive"):
        notes.append(Note("share_clipped"))
    elif bounds is not None and kind != "share" and any(b is not None for b in bounds):
        notes.append(Note("kept_within", **bounds_params(bounds)))
    if negative:
        notes.append(Note("negative_to_zero"))
    if growth_line:
        notes.append(growth_line)
    notes += structure_notes(monotone, bounds, at_bound)
    if n == 1 and one_point is not None and chosen != "growth":
        med, last, k = one_point
        move = (med / last - 1) * 100 if last else 0.0
        if abs(move) < 0.5:
            notes.append(Note("one_point_flat"))
        else:
            notes.append(Note("one_point_moves", move=move, years=k))
    return notes
