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
import os
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd

from . import units as U
from .data import Dataset, load
from .errors import ModelError
from .models import forecast
from .targets import Plan, Target, get_plan

ON_TRACK, AT_RISK = 0.75, 0.25
VERDICTS = ("achieved", "on_track", "at_risk", "off_track", "not_achieved", "insufficient_data",
            "outcome_pending", "no_data", "transferred")
VERDICT_ZH = {"achieved": "已实现", "not_achieved": "未实现", "on_track": "有望实现", "at_risk": "存在风险",
              "off_track": "难以实现", "no_data": "无数据", "insufficient_data": "数据不足",
              "outcome_pending": "待实际数据", "transferred": "已划出民政"}
VERDICT_LONG_ZH = {"insufficient_data": "数据不足，无法判断趋势", "outcome_pending": "目标年已过，待实际数据",
                   "transferred": "2018年机构改革后已划出民政，仅列示、不评估"}
EUROSTAT_ZH = {"significant": "显著进展", "moderate": "中等进展", "insufficient": "进展不足",
               "moving_away": "背离目标", "target_met": "已达标", "": ""}
UNSD_ZH = {"on_track": "按期实现", "acceleration_needed": "需要加速", "stagnation_or_regression": "停滞或倒退",
           "target_met": "已达标", "": ""}
N_SAMPLES = 4000
# 4,000 paths cannot tell a probability below 1/2,000 from 0 (or above 1 - 1/2,000 from 1): stored
# forecast probabilities are clipped to this range, and shown as "<0.5%" / ">99.5%" beyond 0.5 %.
P_MIN, P_MAX = 0.0005, 0.9995
HORIZON_CAP = 2050
FIELDS = ["plan", "target_id", "region", "indicator", "kind", "target_year", "comparator", "target_value",
          "target_value_high", "unit", "binding", "latest_year", "latest_value", "point", "mean", "median",
          "lo80", "hi80", "lo95", "hi95", "probability", "probability_nowcast", "verdict", "exceeded",
          "required_cagr", "required_increment", "historical_cagr", "eurostat_class", "unsd_class",
          "expected_year", "expected_year_lo80", "expected_year_hi80", "method", "n_obs", "as_of", "flags", "note"]
FIELDS += ["base_year", "base_value", "completion_progress", "time_progress", "progress_status",  # issue 11
           "responsible_unit"]
FIELDS += ["closing_status", "realised_growth", "gap", "stand_in", "fell_back", "level_unit"]  # closing.FIELDS


def reference_year(as_of: int | None = None) -> int:
    """The year a run stands in: `as_of` if given, else MZFORECAST_REFERENCE_YEAR, else the year of
    SOURCE_DATE_EPOCH (reproducible builds), else today's calendar year. Target years before it
    have passed."""
    if as_of is not None:
        return int(as_of)
    env = os.environ.get("MZFORECAST_REFERENCE_YEAR")
    if env:
        return int(env)
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde:
        return datetime.fromtimestamp(int(sde), tz=timezone.utc).year
    return date.today().year


def probability_text(p, known: bool = False) -> str:
    """A probability as pages show it (kept here for callers of attainment): fmt.probability."""
    from .fmt import probability
    return probability(p, known)


def verdict_from_probability(p: float) -> str:
    return "on_track" if p >= ON_TRACK else ("at_risk" if p >= AT_RISK else "off_track")


def cagr(v0: float, v1: float, years: float) -> float:
    """Compound yearly growth in percent; NaN where undefined (non-positive values, no time)."""
    if years <= 0 or v0 is None or v1 is None or v0 <= 0 or v1 <= 0:
        return float("nan")
    return ((v1 / v0) ** (1 / years) - 1) * 100


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


def _value_at(s: pd.Series, year: int):
    return float(s.loc[year]) if year in s.index else None


def _to_target_terms(target: Target, num, den, ds: Dataset):
    """Ratio num/den in the target's unit, after putting both on the numerator's unit."""
    nu, du = ds.indicators[target.indicator].unit, ds.indicators[target.denominator].unit
    den = np.asarray(den, float) * U.factor(du, nu) if U.convertible(du, nu) else np.asarray(den, float)
    r = np.asarray(num, float) / den
    return r * 100 if target.unit == "percent" else r


class _Sim:
    """Samples of one indicator's value in given years: observed values where known, else forecast.

    The forecast respects the indicator's declared structure (monotone, bounds) through the
    series' attrs, so every path here does too."""

    def __init__(self, ds, region, indicator, as_of, method, seed, until):
        self.s = ds.series(region, indicator, as_of)
        meta = ds.indicators[indicator]
        self.fc = None
        self.seed = seed
        if len(self.s) and until > self.s.index.max() and meta.aggregation == "stock":
            self.fc = forecast(self.s, until=until, method=method, kind=meta.kind)
            self.paths = self.fc.samples(N_SAMPLES, seed=seed)

    def at(self, year):
        v = _value_at(self.s, year)
        if v is not None:
            return np.full(N_SAMPLES, v)
        if self.fc is not None and year in self.paths.columns:
            return self.paths[year].to_numpy()
        return None

    def point_at(self, year):
        v = _value_at(self.s, year)
        if v is not None:
            return v
        if self.fc is not None and year in self.fc.years:
            return float(self.fc.point[list(self.fc.years).index(year)])
        return None


def _standards(target: Target, ds: Dataset) -> bool:
    """Both sides of a ratio target are administered standards (never cut: monotone)."""
    return bool(ds.indicators[target.indicator].monotone and target.denominator
                and ds.indicators[target.denominator].monotone)


def _direct_ratio(hist: pd.Series, standards: bool = False) -> bool:
    """Forecast a ratio target's own series when it has two or more years, or one year for a
    ratio of two administered standards.

    The numerator and denominator (rural and urban dibao, 特困 and 低保) are set together and move
    together; forecasting each with independent errors would spread the ratio far wider than its
    history does, and for one-point standards builds in a drift (a held numerator over a rising
    denominator). Other ratios with fewer than two common years are forecast side by side.
    """
    return len(hist) >= (1 if standards else 2) and bool((hist > 0).all())


def _ratio_sim(target, ds, hist, as_of, method, seed, until):
    """(sample paths of the ratio by year, forecast object, point forecasts by year, note), or None."""
    if _direct_ratio(hist, _standards(target, ds)):
        if until <= hist.index.max():
            return None
        fc = forecast(hist, until=until, method=method, kind="level", bounds=target.bounds)
        how = (f"the ratio forecast from its {len(hist)} observed years (numerator and denominator move together)"
               if len(hist) >= 2 else "the ratio forecast from its one observed year (two administered standards "
                                      "move together)")
        return fc.samples(N_SAMPLES, seed=seed), fc, pd.Series(fc.point, index=fc.years), how
    sim = _Sim(ds, target.region, target.indicator, as_of, method, seed, until)
    if sim.fc is None:
        return None
    dsim = _Sim(ds, target.region, target.denominator, as_of, method, seed + 1, until)
    paths = _ratio_paths(target, ds, sim, dsim)
    if paths.empty:
        return None
    lag = target.denominator_lag
    pts = pd.Series({y: float(_to_target_terms(target, sim.point_at(y), dsim.point_at(y - lag), ds))
                     for y in paths.columns})
    return paths, sim.fc, pts, "numerator and denominator forecast separately (independent errors: a cautious spread)"


def _history(target: Target, ds: Dataset, as_of=None) -> tuple[pd.Series, pd.Series]:
    """The indicator's observations, and the observed series in the target's own terms
    (for a ratio target: numerator / lagged denominator in the years both are known).

    Where the previous-year denominator is missing but the same-year one is known and the
    denominator is never cut (monotone), numerator / same-year denominator is a lower bound of the
    ratio to the previous year: it is used, and its years are listed in attrs['bound_years']."""
    s = ds.series(target.region, target.indicator, as_of)
    if target.kind != "ratio":
        return s, s
    d0 = ds.series(target.region, target.denominator, as_of)
    d = d0.copy()
    d.index = d.index + target.denominator_lag
    common = s.index.intersection(d.index)
    hist = pd.Series(_to_target_terms(target, s.loc[common], d.loc[common], ds), index=common, dtype=float)
    bound_years = []
    if target.denominator_lag > 0 and ds.indicators[target.denominator].monotone == "nondecreasing":
        extra = s.index.difference(common).intersection(d0.index)
        if len(extra):
            hist = pd.concat([hist, pd.Series(_to_target_terms(target, s.loc[extra], d0.loc[extra], ds),
                                              index=extra, dtype=float)]).sort_index()
            bound_years = [int(y) for y in extra]
    hist.index.name = "year"
    hist.attrs["bound_years"] = bound_years
    return s, hist


def _effective(target: Target, ds: Dataset, as_of=None) -> Target:
    """The target as assessed: through its proxy indicator when its own has no observations."""
    if target.proxy and not len(ds.series(target.region, target.indicator, as_of)):
        return target.model_copy(update={"indicator": target.proxy})
    return target


def _ratio_paths(target: Target, ds: Dataset, sim: "_Sim", dsim: "_Sim") -> pd.DataFrame:
    cols = [y for y in sim.paths.columns if dsim.at(y - target.denominator_lag) is not None]
    paths = pd.DataFrame({y: _to_target_terms(target, sim.at(y), dsim.at(y - target.denominator_lag), ds)
                          for y in cols})
    if target.bounds is not None and not paths.empty:
        paths = paths.clip(*target.bounds)
    return paths


def observed_terms(target: Target, data: Dataset | None = None, as_of=None) -> pd.Series:
    """The observed series a target is judged on (its proxy's where its own has none; a ratio
    target's ratio), by year."""
    ds = data if data is not None else load()
    t = _effective(target, ds, as_of)
    s, hist = _history(t, ds, as_of)
    return hist if t.kind == "ratio" else s


def target_fan(target: Target, data: Dataset | None = None, *, as_of=None, method="auto", seed=0):
    """History and forecast bands of the quantity a target is judged on, up to its year.

    For a level target that is the indicator; for a ratio target the ratio itself, from the
    same sample paths `assess` uses. Returns (history, bands) with bands indexed by year and
    columns median, lo80, hi80, lo95, hi95 (None when there is nothing to forecast).
    """
    ds = data if data is not None else load()
    target = _effective(target, ds, as_of)
    s, hist = _history(target, ds, as_of)
    T = target.target_year
    if target.kind not in ("level", "ratio") or not len(s) or T <= s.index.max() \
            or ds.indicators[target.indicator].aggregation != "stock":
        return hist, None
    try:
        if target.kind == "ratio":
            got = _ratio_sim(target, ds, hist, as_of, method, seed, T)
            if got is None:
                return hist, None
            paths = got[0]
        else:
            sim = _Sim(ds, target.region, target.indicator, as_of, method, seed, T)
            if sim.fc is None:
                return hist, None
            paths = sim.paths
    except ModelError:
        return hist, None
    paths = paths[[y for y in paths.columns if y > (hist.index.max() if len(hist) else -1)]]
    if paths.empty:
        return hist, None
    q = np.quantile(paths.to_numpy(), [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    return hist, pd.DataFrame(q.T, index=pd.Index(paths.columns, name="year"),
                              columns=["median", "lo80", "hi80", "lo95", "hi95"])


def outcome(target: Target, data: Dataset | None = None, as_of: int | None = None):
    """The observed value in the target's terms in its year (level, ratio, growth in % a year,
    or change since the base year), or None if not observed."""
    ds = data if data is not None else load()
    target = _effective(target, ds, as_of)
    s, hist = _history(target, ds, as_of)
    T = target.target_year
    if target.kind == "level":
        return _value_at(s, T)
    if target.kind == "ratio":
        v = _value_at(hist, T)
        if T in hist.attrs.get("bound_years", []):
            # a lower bound of the ratio decides only a target it already meets ('>=', '>')
            return v if target.comparator in (">=", ">") and bool(target.met(v)) else None
        return v
    v = _value_at(s, T)
    if v is None:
        return None
    from .closing import base_of  # no base-year value: the earliest later year stands in
    B, b, _ = base_of(target, s.index.to_numpy(), s.to_numpy(float), T)
    if math.isnan(b):
        return None
    return cagr(b, v, T - B) if target.kind == "growth" else v - b


def _notes_text(parts) -> str:
    """'; '-joined notes, never with a 'nan' in them."""
    return "; ".join(p for p in dict.fromkeys(parts) if p and "nan" not in p.lower().split())


QUANTILES = [0.5, 0.1, 0.9, 0.025, 0.975]  # median, lo80, hi80, lo95, hi95
YEAR_QUANTILES = [0.5, 0.1, 0.9]  # expected_year, its lo80 and hi80


def gap_note(T: int) -> str:
    return f"no observation in the target year {T}, though later years are observed: add the {T} value"


def forecast_fields(target: Target, share_met: float, q, mean: float, point: float, n_hist: int,
                    ref: int) -> tuple[dict, list[str]]:
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
        notes.append(f"the target year {T} has passed (reference year {ref}) and its outcome is not in the data: "
                     "the probability is a nowcast, not a verdict")
    elif n_hist == 1:
        out.update(verdict="insufficient_data", probability=p)
        notes.append("one observation: insufficient data to judge a trend, and the probability is a base rate "
                     "(how one-point series in the reference corpus moved), not this indicator's trend")
    else:
        out.update(verdict=verdict_from_probability(p), probability=p)
    return out, notes


def expected_fields(qs) -> dict:
    """expected_year and its 80 % range from the YEAR_QUANTILES of the first year each path meets
    the target (10**6 where it never does by HORIZON_CAP: NaN, not reached in that share of paths)."""
    fmt = lambda v: (float(v) if v < 10 ** 6 else float("nan"))  # noqa: E731
    return dict(expected_year=fmt(qs[0]), expected_year_lo80=fmt(qs[1]), expected_year_hi80=fmt(qs[2]))


def assess(target: Target, data: Dataset | None = None, *, as_of: int | None = None, method: str = "auto",
           seed: int = 0, reference: int | None = None) -> pd.Series:
    """Assess one target; returns a Series with the FIELDS above.

    `reference` is the year the run stands in (default: reference_year(as_of)); a target year
    before it with no observed outcome gives `outcome_pending`."""
    ds = data if data is not None else load()
    ref = reference if reference is not None else reference_year(as_of)
    T, region = target.target_year, target.region
    out = dict.fromkeys(FIELDS, None)
    out.update(plan=target.plan, target_id=target.id, region=region, indicator=target.indicator, kind=target.kind,
               target_year=T, comparator=target.comparator, target_value=target.value,
               target_value_high=target.value_high, unit=target.unit, binding=target.binding,
               as_of=as_of, note="", exceeded=False,
               flags="; ".join(f for f in target.readings()  # a proxy is named only where it is used
                               if not (f.startswith("proxy:") and _effective(target, ds, as_of) is target)))
    notes = []
    if target.proxy and target.proxy != target.indicator:
        eff = _effective(target, ds, as_of)
        if eff.indicator != target.indicator:
            notes.append(f"no observations of {target.indicator}: assessed through {eff.indicator}, a lower bound")
        target = eff
    ind = target.indicator
    s, hist = _history(target, ds, as_of)
    out["n_obs"] = int(len(hist) if target.kind == "ratio" else len(s))
    if len(hist):
        out["latest_year"], out["latest_value"] = int(hist.index.max()), float(hist.iloc[-1])
    for y in hist.attrs.get("bound_years", []):
        notes.append(f"no {target.denominator} for {y - target.denominator_lag}: the ratio to the same year's value "
                     f"({y}) is used, a lower bound because {target.denominator} is never cut")

    def done(**kw):
        out.update(kw)
        out["note"] = _notes_text(notes + ([kw["note"]] if kw.get("note") else []))
        return pd.Series(out)

    if target.transferred:
        return done(verdict="transferred", note="function transferred out of civil affairs in the 2018 reform: "
                                                "listed, not scored")
    base_year = target.base_year
    # ---- final evaluation: the target year's value is known
    x_obs = outcome(target, ds, as_of)
    if x_obs is not None:
        from .closing import exceeded as past_band
        base = _value_at(hist, base_year)
        # past the far end of a `between` band (above b when rising from the base) is 超额, not missed
        over = bool(target.exceeded(x_obs)) or (target.comparator == "between"
                                                and past_band(target, x_obs, float("nan") if base is None else base))
        met = bool(target.met(x_obs)) or over
        if target.kind in ("level", "ratio"):
            out.update(latest_year=T, latest_value=float(x_obs))
        out.update(probability=float(met), verdict="achieved" if met else "not_achieved", method="observed",
                   exceeded=over)
        # no Eurostat/UNSD class for an observed outcome: it is known, not a trend to compare
        if target.kind in ("level", "ratio"):
            return _add_growth(done(note="final evaluation from the observed value"), target, hist[hist.index <= T],
                               base_year, classes=False)
        return done(note="final evaluation from the observed values")
    if len(s) == 0 or (target.kind == "ratio" and len(ds.series(region, target.denominator, as_of)) == 0):
        missing = ind if len(s) == 0 else target.denominator
        return done(verdict="no_data", note=f"no observations of {missing} in {region}"
                    + (f" up to {as_of}" if as_of else ""))
    # ---- forecast
    meta = ds.indicators[ind]
    if meta.aggregation != "stock":
        return done(verdict="no_data", note="only period totals or averages are observed: not a yearly series")
    judged = hist if target.kind == "ratio" else s
    if len(judged) and T < judged.index.max() and T not in judged.index:
        return done(verdict="no_data", note=gap_note(T))
    until = max(T, HORIZON_CAP)
    try:
        if target.kind == "ratio":
            got = _ratio_sim(target, ds, hist, as_of, method, seed, until)
            if got is None or T not in got[0].columns:
                return done(verdict="no_data", note=f"cannot forecast the ratio of {ind} to {target.denominator}")
            path, fc, pts, how = got
        else:
            sim = _Sim(ds, region, ind, as_of, method, seed, until)
            fc = sim.fc
    except ModelError as e:
        return done(verdict="no_data", note=str(e))
    if fc is None:
        return done(verdict="no_data", note="nothing to forecast")
    out["method"] = fc.method
    notes += list(fc.notes)
    if target.kind == "level":
        x, point, path = sim.at(T), sim.point_at(T), sim.paths
    elif target.kind == "ratio":
        x, point = path[T].to_numpy(), float(pts[T])
        notes.append(how)
    else:
        b = _value_at(s, base_year)
        if b is None:
            return done(verdict="no_data", note=f"no observed value in the base year {base_year}")
        v, pv = sim.at(T), sim.point_at(T)
        if target.kind == "growth":
            x, point = np.array([cagr(b, vi, T - base_year) for vi in v]), cagr(b, pv, T - base_year)
        else:
            x, point = v - b, pv - b
        path = None
    x = np.asarray(x, float)
    q = np.quantile(x, QUANTILES)
    fields, more = forecast_fields(target, np.mean(target.met(x)), q, np.mean(x), point,
                                   len(hist) if target.kind == "ratio" else len(s), ref)
    out.update(fields)
    notes += more
    if path is not None:
        reached = target.met(path.to_numpy())
        years = np.array(path.columns, int)
        first = np.where(reached.any(axis=1), years[np.argmax(reached, axis=1)], 10 ** 6)
        out.update(expected_fields(np.quantile(first, YEAR_QUANTILES)))
    return _add_growth(done(), target, hist, base_year, projected=out["point"])


def _add_growth(out, target, hist: pd.Series, base_year: int, projected=None, classes: bool = True) -> pd.Series:
    out = dict(out)
    hist = hist[hist.index <= target.target_year]  # the classes judge the way to the target year, not after
    got = growth_fields(target, hist.index.to_numpy(), hist.to_numpy(float), base_year, projected)
    if not classes:
        got.pop("eurostat_class", None)
        got.pop("unsd_class", None)
    out.update(got)
    return pd.Series(out)


def growth_fields(target, hy, hv, base_year: int, projected=None) -> dict:
    """Required and historical growth and the Eurostat/UNSD comparison classes of a level or ratio
    target, from its observed years `hy` (ascending) and values `hv` in the target's terms."""
    out = {}
    if target.kind in ("level", "ratio") and len(hy):
        ly, lv = int(hy[-1]), float(hv[-1])
        T, goal = target.target_year, target.value
        if T > ly:
            out["required_cagr"] = cagr(lv, goal, T - ly)
            out["required_increment"] = (goal - lv) / (T - ly)
        if len(hy) >= 2:
            fy, fv = int(hy[0]), float(hv[0])
            out["historical_cagr"] = cagr(fv, lv, ly - fy)
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


def assess_plan(plan: str | Plan, data: Dataset | None = None, *, as_of: int | None = None,
                method: str = "auto", seed: int = 0, reference: int | None = None, language: str | None = None) -> pd.DataFrame:
    """Every target of a plan as one DataFrame, one row per target."""
    ds = data if data is not None else load()
    p = get_plan(plan, ds)
    if p.regions is not None or any(t.relative is not None for t in p.targets):  # issue 14: every region
        from .regional import assess_regions
        return assess_regions(p, ds, as_of=as_of, method=method, seed=seed, reference=reference)
    rows = [assess(t, ds, as_of=as_of, method=method, seed=seed, reference=reference) for t in p.targets]
    from .evaluation import add_evaluation  # 完成进度/时序进度 (issue 11)
    ref = reference if reference is not None else reference_year(as_of)
    rows = [add_evaluation(r, t, ds, as_of, ref) for r, t in zip(rows, p.targets)]
    if language:  # "zh"/"en": headers, names and rounded values ready to paste (issue 10)
        from .present import localize
        return localize(pd.DataFrame(rows, columns=FIELDS), ds, language)
    return pd.DataFrame(rows, columns=FIELDS)


def milestones(target: Target, data: Dataset | None = None) -> pd.DataFrame:
    """Yearly path (年度分解) from the plan's base value to the target, linear and geometric,
    with each observed year's gap to the linear path (for a ratio target, of the ratio)."""
    ds = data if data is not None else load()
    _, s = _history(_effective(target, ds), ds)  # for a ratio target: the ratio itself
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
