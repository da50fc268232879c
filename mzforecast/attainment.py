"""Will a target be met? Probability, verdict, required growth and the classes planners know.

One headline verdict per target (VERDICTS, in the order of precedence below):
  transferred        the function left civil affairs in the 2018 reform: listed, not scored
  achieved / not_achieved   the target year's value is observed (总结评估)
  no_data            nothing to forecast from
  outcome_pending    the target year has passed (year < reference year) without an observed
                     outcome; the nowcast probability is kept in `probability_nowcast`
  insufficient_data  one observation: no trend; the probability is a base rate
  on_track  p >= 0.75      at_risk  0.25 <= p < 0.75      off_track  p < 0.25
`exceeded` (超额): the observed value, or else the forecast median, is above the upper aim b of a
"达到 a–b" target.
The Eurostat and UNSD classes are comparison columns computed from growth rates and the point
forecast; the verdict, from the probability over all sample paths, is the one that rules.
"""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from . import clock, fmt, growth
from .closing import exceeded as past_band
from .codes import VERDICTS  # noqa: F401  (the verdicts a row can carry, most urgent first: codes.VERDICT_ORDER)
from .data import Dataset, load
from .errors import ModelError
from .messages.notes import Note, Notes
from .simulate import HORIZON_CAP, N_SAMPLES, NEVER, first_year, sample
from .targets import Target
from .terms import cagr, effective, history, outcome, value_at

ON_TRACK, AT_RISK = 0.75, 0.25
# 4,000 paths cannot tell a probability below 1/2,000 from 0 (or above 1 - 1/2,000 from 1): stored
# forecast probabilities are clipped to this range, and shown as "<0.5%" / ">99.5%" beyond 0.5 %.
P_MIN, P_MAX = 0.0005, 0.9995
FIELDS = ["plan", "target_id", "region", "indicator", "kind", "target_year", "comparator", "target_value",
          "target_value_high", "unit", "binding", "latest_year", "latest_value", "point", "mean", "median",
          "lo80", "hi80", "lo95", "hi95", "probability", "probability_nowcast", "verdict", "exceeded",
          "required_cagr", "required_increment", "historical_cagr", "historical_increment", "eurostat_class", "unsd_class",
          "expected_year", "expected_year_lo80", "expected_year_hi80", "method", "n_obs", "as_of", "flags", "note",
          # the evaluation form's fields (evaluation.FIELDS), filled by plan.assess_plan
          "base_year", "base_value", "completion_progress", "time_progress", "progress_status",
          "responsible_unit",
          # how the target ended (closing.FIELDS), filled by plan.assess_plan with the fields above
          "closing_status", "realised_growth", "gap", "stand_in", "fell_back", "level_unit", "late_year",
          "after_year", "after_value", "after_met"]
__all__ = ["FIELDS", "HORIZON_CAP", "N_SAMPLES", "P_MAX", "P_MIN", "VERDICTS", "assess", "cagr", "outcome", "notes_text",
           "milestones", "target_fan", "reference_year"]


def reference_year(as_of: int | None = None) -> int:
    """The year a run stands in: `as_of` if given, else MZFORECAST_REFERENCE_YEAR, else the year of
    SOURCE_DATE_EPOCH (reproducible builds), else today's calendar year. Target years before it
    have passed."""
    if as_of is not None:
        return int(as_of)
    env = clock.reference_year_env()
    if env is not None:
        return env
    if clock.pinned():
        return clock.now().year
    return date.today().year


def probability_text(p, known: bool = False) -> str:
    """A probability as pages show it: fmt.probability."""
    return fmt.probability(p, known)


def verdict_from_probability(p: float) -> str:
    return "on_track" if p >= ON_TRACK else ("at_risk" if p >= AT_RISK else "off_track")


def eurostat_class(observed_cagr: float, required_cagr: float) -> str:
    """Eurostat SDG monitoring: observed vs required compound growth (quantified targets)."""
    if math.isnan(observed_cagr) or math.isnan(required_cagr):
        return ""
    if required_cagr == 0:
        return "target_met"
    r = observed_cagr / required_cagr  # also right for falling targets: both rates negative
    if r >= 0.95:
        return "significant"
    if r >= 0.60:
        return "moderate"
    if r >= 0:
        return "insufficient"
    return "moving_away"


def unsd_class(base: float, projected: float, target: float) -> str:
    """UN Statistics Division progress chart: projected progress / required progress."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (base, projected, target)):
        return ""
    if target == base:
        return "target_met"
    r = (projected - base) / (target - base)
    if r >= 0.95:
        return "on_track"
    if r >= 0.10:
        return "acceleration_needed"
    return "stagnation_or_regression"


def target_fan(target: Target, data: Dataset | None = None, *, as_of=None, method="auto", seed=0):
    """History and forecast bands of the quantity a target is judged on, up to its year.

    For a level target that is the indicator; for a ratio target the ratio itself, from the
    same sample paths `assess` uses. Returns (history, bands) with bands indexed by year and
    columns median, lo80, hi80, lo95, hi95 (None when there is nothing to forecast).
    """
    ds = load(data)
    target = effective(target, ds, as_of)
    s, hist = history(target, ds, as_of)
    T = target.target_year
    if target.kind not in ("level", "ratio") or not len(s) or T <= s.index.max() \
            or ds.indicators[target.indicator].aggregation != "stock":
        return hist, None
    try:
        got = sample(target, ds, as_of=as_of, method=method, seed=seed, until=T, hist=hist)
    except ModelError:
        return hist, None
    if got is None:
        return hist, None
    paths = got.paths
    paths = paths[[y for y in paths.columns if y > (hist.index.max() if len(hist) else -1)]]
    if paths.empty:
        return hist, None
    q = np.quantile(paths.to_numpy(), [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    return hist, pd.DataFrame(q.T, index=pd.Index(paths.columns, name="year"),
                              columns=["median", "lo80", "hi80", "lo95", "hi95"])


def notes_text(parts) -> Notes:
    """The notes of a row ('; '-joined in English), each once, never with a 'nan' in them."""
    return Notes(p for p in dict.fromkeys(parts) if p and "nan" not in p.lower().split())


QUANTILES = [0.5, 0.1, 0.9, 0.025, 0.975]  # median, lo80, hi80, lo95, hi95
YEAR_QUANTILES = [0.5, 0.1, 0.9]  # expected_year, its lo80 and hi80


def gap_note(T: int) -> Note:
    return Note("target_year_gap", year=T)


def forecast_fields(target: Target, share_met: float, q, mean: float, point: float, n_hist: int,
                    ref: int, method: str = "") -> tuple[dict, list[str]]:
    """A forecast row's fields from its samples' summary: the share of samples meeting the target,
    their QUANTILES and mean, the model's point forecast, the history's length and the reference
    year. Pure (no samples, no data), so the one-at-a-time and the many-regions paths
    (regional.py) give the same verdict, probability and notes from the same numbers."""
    T = target.target_year
    p = float(np.clip(share_met, P_MIN, P_MAX))
    out = dict(point=float(point), mean=float(mean), median=q[0], lo80=q[1], hi80=q[2], lo95=q[3], hi95=q[4],
               exceeded=bool(target.exceeded(q[0])))
    notes = []
    if T < ref:
        out.update(verdict="outcome_pending", probability_nowcast=p)
        notes.append(Note("outcome_pending", year=T, reference=ref))
    elif n_hist == 1:
        out.update(verdict="insufficient_data", probability=p)
        # a ratio a rule holds (method 'held') rests on the prior spread of such ratios, not on one-point series
        notes.append(Note({"held": "base_rate_held", "ratio_growth": "base_rate_ratio"}.get(method, "base_rate")))
    else:
        out.update(verdict=verdict_from_probability(p), probability=p)
    return out, notes


def expected_fields(qs) -> dict:
    """expected_year and its 80 % range from the YEAR_QUANTILES of the first year each path meets
    the target (simulate.NEVER where it never does by HORIZON_CAP: NaN, not reached in that share of paths)."""
    year = lambda v: (float(v) if v < NEVER else float("nan"))  # noqa: E731
    return dict(expected_year=year(qs[0]), expected_year_lo80=year(qs[1]), expected_year_hi80=year(qs[2]))


def _header(target: Target, as_of, ds: Dataset) -> dict:
    """The row's fields that restate the target; a proxy is named in the flags only where it is used."""
    out = dict.fromkeys(FIELDS, None)
    out.update(plan=target.plan, target_id=target.id, region=target.region, indicator=target.indicator,
               kind=target.kind, target_year=target.target_year, comparator=target.comparator,
               target_value=target.value, target_value_high=target.value_high, unit=target.unit,
               binding=target.binding, as_of=as_of, note="", exceeded=False,
               flags=Notes(f for f in target.readings()
                           if not (f.code == "proxy" and effective(target, ds, as_of) is target)))
    return out


class _Row:
    """A row being built: its fields and its notes, finished once by `done`."""

    def __init__(self, out: dict):
        self.out, self.notes = out, []

    def done(self, **kw) -> pd.Series:
        self.out.update(kw)
        self.out["note"] = notes_text(self.notes + ([kw["note"]] if kw.get("note") else []))
        return pd.Series(self.out)


def _observed(row: _Row, target: Target, x_obs: float, hist: pd.Series) -> pd.Series:
    """Final evaluation (总结评估): the target year's value is observed. No Eurostat/UNSD class:
    the outcome is known, not a trend to compare."""
    base = value_at(hist, target.base_year)
    # past the far end of a `between` band (above b when rising from the base) is 超额, not missed
    over = bool(target.exceeded(x_obs)) or (target.comparator == "between" and past_band(
        target, x_obs, float("nan") if base is None else base))
    met = bool(target.met(x_obs)) or over
    if target.kind in ("level", "ratio"):
        row.out.update(latest_year=target.target_year, latest_value=float(x_obs))
    row.out.update(probability=float(met), verdict="achieved" if met else "not_achieved", method="observed",
                   exceeded=over)
    if target.kind in ("level", "ratio"):
        return _add_growth(row.done(note=Note("observed")), target, hist,
                           target.base_year, classes=False)
    return row.done(note=Note("observed_many"))


def _unforecastable(target: Target, ds: Dataset, s: pd.Series, hist: pd.Series, as_of) -> Note | None:
    """Why a target without an observed outcome cannot be forecast (the no_data note), or None."""
    T, region, ind = target.target_year, target.region, target.indicator
    if len(s) == 0 or (target.kind == "ratio" and len(ds.series(region, target.denominator, as_of)) == 0):
        missing = ind if len(s) == 0 else target.denominator
        return Note("no_obs", indicator=missing, region=region, as_of=as_of)
    if ds.indicators[ind].aggregation != "stock":
        return Note("not_yearly")
    judged = hist if target.kind == "ratio" else s
    if len(judged) and T < judged.index.max() and T not in judged.index:
        return gap_note(T)
    return None


def _judged_samples(target: Target, got, s: pd.Series):
    """(samples in the target year, point forecast, whole paths or None) of the quantity the target
    is judged on; None when a growth or change target has no base-year value."""
    T, base_year = target.target_year, target.base_year
    if target.kind in ("level", "ratio"):
        return got.paths[T].to_numpy(), float(got.points[T]), got.paths
    b = value_at(s, base_year)
    if b is None:
        return None
    x, point = got.paths[T].to_numpy(), float(got.points[T])
    if target.kind == "growth":
        return np.array([cagr(b, vi, T - base_year) for vi in x]), cagr(b, point, T - base_year), None
    return x - b, point - b, None


def assess(target: Target, data: Dataset | None = None, *, value=None, year: int | None = None,
           unit: str | None = None, as_of: int | None = None, method: str = "auto",
           seed: int = 0, reference: int | None = None) -> pd.Series:
    """Assess one target; returns a Series with the FIELDS above.

    `value`, `year` (and the `unit` of `value`): assess the target as if it were set so
    (Target.with_value). A level target in another unit than its indicator (a yearly amount for
    a monthly standard) is converted, or refused with a DataError when no conversion exists.
    `reference` is the year the run stands in (default: reference_year(as_of)); a target year
    before it with no observed outcome gives `outcome_pending`."""
    ds = load(data)
    if value is not None or year is not None:
        target = target.with_value(target.value if value is None else value, unit=unit, year=year)
    if target.kind in ("level", "change") and target.indicator in ds.indicators:
        target = target.in_unit(ds.indicators[target.indicator].unit)
    ref = reference if reference is not None else reference_year(as_of)
    T = target.target_year
    row = _Row(_header(target, as_of, ds))
    if target.proxy and target.proxy != target.indicator:
        eff = effective(target, ds, as_of)
        if eff.indicator != target.indicator:
            row.notes.append(Note("through_proxy", indicator=target.indicator, proxy=eff.indicator))
        target = eff
    s, hist = history(target, ds, as_of)
    row.out["n_obs"] = int(len(hist) if target.kind == "ratio" else len(s))
    if len(hist):
        row.out["latest_year"], row.out["latest_value"] = int(hist.index.max()), float(hist.iloc[-1])
    for y in hist.attrs.get("bound_years", []):
        row.notes.append(Note("same_year_ratio", denominator=target.denominator, year=y - target.denominator_lag,
                              same_year=y))
    if target.transferred:
        return row.done(verdict="transferred", note=Note("transferred"))
    x_obs = outcome(target, ds, as_of)
    if x_obs is not None:
        return _observed(row, target, x_obs, hist)
    why = _unforecastable(target, ds, s, hist, as_of)
    if why:
        return row.done(verdict="no_data", note=why)
    try:
        got = sample(target, ds, as_of=as_of, method=method, seed=seed, until=max(T, HORIZON_CAP), hist=hist)
    except ModelError as e:
        return row.done(verdict="no_data", note=Note("message", message=str(e)))
    if target.kind == "ratio" and (got is None or T not in got.paths.columns):
        return row.done(verdict="no_data", note=Note("ratio_unforecastable", indicator=target.indicator,
                                                     denominator=target.denominator))
    if got is None:
        return row.done(verdict="no_data", note=Note("nothing_to_forecast"))
    row.out["method"] = got.method
    row.notes += got.all_notes()
    judged = _judged_samples(target, got, s)
    if judged is None:
        return row.done(verdict="no_data", note=Note("no_base_value", year=target.base_year))
    x, point, path = judged
    x = np.asarray(x, float)
    fields, more = forecast_fields(target, np.mean(target.met(x)), np.quantile(x, QUANTILES), np.mean(x), point,
                                   len(hist) if target.kind == "ratio" else len(s), ref, got.method)
    row.out.update(fields)
    row.notes += more
    if path is not None:
        first = first_year(target.met(path.to_numpy()), np.array(path.columns, int))
        row.out.update(expected_fields(np.quantile(first, YEAR_QUANTILES)))
    return _add_growth(row.done(), target, hist, target.base_year, projected=row.out["point"])


def _add_growth(out, target, hist: pd.Series, base_year: int, projected=None, classes: bool = True) -> pd.Series:
    out = dict(out)
    never_cut = hist.attrs.get("monotone") == "nondecreasing"
    hist = hist[hist.index <= target.target_year]  # the classes judge the way to the target year, not after
    got = growth_fields(target, hist.index.to_numpy(), hist.to_numpy(float), base_year, projected, never_cut)
    if not classes:
        got.pop("eurostat_class", None)
        got.pop("unsd_class", None)
    out.update(got)
    return pd.Series(out)


def growth_start(hv, never_cut: bool) -> int:
    """Index of the first observation historical growth is measured from: for a never-cut standard
    the first after its last break (a fall of more than 1%: another 口径 or source joined on,
    growth.break_starts), else 0 — growth across a break measures the join, not the standard."""
    return int(growth.break_starts(np.asarray(hv, float)[None])[0]) if never_cut and len(hv) >= 2 else 0


def growth_fields(target, hy, hv, base_year: int, projected=None, never_cut: bool = False) -> dict:
    """Required and historical growth and the Eurostat/UNSD comparison classes of a level or ratio
    target, from its observed years `hy` (ascending) and values `hv` in the target's terms;
    `never_cut`: historical growth from the last break on (growth_start)."""
    out = {}
    if target.kind in ("level", "ratio") and len(hy):
        ly, lv = int(hy[-1]), float(hv[-1])
        T, goal = target.target_year, target.value
        if T > ly:
            out["required_cagr"] = cagr(lv, goal, T - ly)
            out["required_increment"] = (goal - lv) / (T - ly)
        if len(hy) >= 2:
            fy, fv = int(hy[0]), float(hv[0])
            k = growth_start(hv, never_cut and target.kind == "level")
            out["historical_cagr"] = cagr(float(hv[k]), lv, ly - int(hy[k])) if k < len(hy) - 1 else float("nan")
            # a share's history in 个百分点 a year: a % growth of a % does not compare with its goal's gap
            out["historical_increment"] = (lv - float(hv[k])) / (ly - int(hy[k])) if k < len(hy) - 1 else float("nan")
            at = np.flatnonzero(np.asarray(hy) == base_year)
            b_year, bv = (base_year, float(hv[at[0]])) if len(at) else (fy, fv)
            req = cagr(bv, goal, T - b_year)
            if target.met(lv) and T > ly:
                out["eurostat_class"] = "target_met"
            else:
                obs = cagr(bv, lv, ly - b_year) if ly > b_year else out["historical_cagr"]
                out["eurostat_class"] = eurostat_class(obs, req)
            if projected is not None:
                out["unsd_class"] = "target_met" if target.met(lv) else unsd_class(bv, projected, goal)
    return out


def milestones(target: Target, data: Dataset | None = None) -> pd.DataFrame:
    """Yearly path (年度分解) from the plan's base value to the target, linear and geometric,
    with each observed year's gap to the linear path (for a ratio target, of the ratio).

    Parameters
    ----------
    target : Target
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it.

    Returns
    -------
    pandas.DataFrame
        year, linear, geometric, observed, gap_linear (empty without a base-year value).
    """
    ds = load(data)
    _, s = history(effective(target, ds), ds)  # for a ratio target: the ratio itself
    B, T = target.base_year, target.target_year
    if target.kind not in ("level", "ratio") or B not in s.index:
        return pd.DataFrame(columns=["year", "linear", "geometric", "observed", "gap_linear"])
    b, goal = float(s.loc[B]), target.value
    years = np.arange(B, T + 1)
    frac = (years - B) / (T - B)
    lin = b + (goal - b) * frac
    geo = b * (goal / b) ** frac if b > 0 and goal > 0 else np.full(len(years), np.nan)
    obs = [float(s.loc[y]) if y in s.index else np.nan for y in years]
    df = pd.DataFrame({"year": years, "linear": lin, "geometric": geo, "observed": obs})
    df["gap_linear"] = df.observed - df.linear
    return df
