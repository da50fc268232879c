"""Will a target be met? Probability, verdict, required growth and the classes planners know.

Verdict thresholds (probability that the target is met in its year):
  on_track  p >= 0.75      at_risk  0.25 <= p < 0.75      off_track  p < 0.25
When the target year's value is observed the verdict comes from the data: achieved /
not_achieved. Without enough data: no_data.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import units as U
from .data import Dataset, load
from .errors import ModelError
from .models import forecast
from .targets import Plan, Target, get_plan

ON_TRACK, AT_RISK = 0.75, 0.25
VERDICTS = ("achieved", "not_achieved", "on_track", "at_risk", "off_track", "no_data")
VERDICT_ZH = {"achieved": "已实现", "not_achieved": "未实现", "on_track": "有望实现", "at_risk": "存在风险",
              "off_track": "难以实现", "no_data": "无数据"}
EUROSTAT_ZH = {"significant": "显著进展", "moderate": "中等进展", "insufficient": "进展不足",
               "moving_away": "背离目标", "target_met": "已达标", "": ""}
UNSD_ZH = {"on_track": "按期实现", "acceleration_needed": "需要加速", "stagnation_or_regression": "停滞或倒退",
           "target_met": "已达标", "": ""}
N_SAMPLES = 4000
HORIZON_CAP = 2050
FIELDS = ["plan", "target_id", "region", "indicator", "kind", "target_year", "comparator", "target_value",
          "target_value_high", "unit", "binding", "latest_year", "latest_value", "forecast_mean", "median",
          "lo80", "hi80", "lo95", "hi95", "probability", "verdict", "required_cagr", "required_increment",
          "historical_cagr", "eurostat_class", "unsd_class", "expected_year", "expected_year_lo80",
          "expected_year_hi80", "method", "n_obs", "as_of", "note"]


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
    """Samples of one indicator's value in given years: observed values where known, else forecast."""

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


def _direct_ratio(hist: pd.Series) -> bool:
    """Forecast a ratio target's own series when it has two or more years.

    The numerator and denominator (rural and urban dibao, say) are set together and move
    together; forecasting each with independent errors would spread the ratio far wider than
    its history does. With fewer than two common years the two are forecast separately.
    """
    return len(hist) >= 2 and bool((hist > 0).all())


def _ratio_sim(target, ds, hist, as_of, method, seed, until):
    """(sample paths of the ratio by year, forecast object, note), or None if nothing to forecast."""
    if _direct_ratio(hist):
        if until <= hist.index.max():
            return None
        fc = forecast(hist, until=until, method=method, kind="level")
        return fc.samples(N_SAMPLES, seed=seed), fc, (f"the ratio forecast from its {len(hist)} observed years "
                                                      "(numerator and denominator move together)")
    sim = _Sim(ds, target.region, target.indicator, as_of, method, seed, until)
    if sim.fc is None:
        return None
    dsim = _Sim(ds, target.region, target.denominator, as_of, method, seed + 1, until)
    paths = _ratio_paths(target, ds, sim, dsim)
    if paths.empty:
        return None
    return paths, sim.fc, "numerator and denominator forecast separately (independent errors: a cautious spread)"


def _history(target: Target, ds: Dataset, as_of=None) -> tuple[pd.Series, pd.Series]:
    """The indicator's observations, and the observed series in the target's own terms
    (for a ratio target: numerator / lagged denominator in the years both are known)."""
    s = ds.series(target.region, target.indicator, as_of)
    if target.kind != "ratio":
        return s, s
    d = ds.series(target.region, target.denominator, as_of)
    d.index = d.index + target.denominator_lag
    common = s.index.intersection(d.index)
    return s, pd.Series(_to_target_terms(target, s.loc[common], d.loc[common], ds), index=common)


def _ratio_paths(target: Target, ds: Dataset, sim: "_Sim", dsim: "_Sim") -> pd.DataFrame:
    cols = [y for y in sim.paths.columns if dsim.at(y - target.denominator_lag) is not None]
    return pd.DataFrame({y: _to_target_terms(target, sim.at(y), dsim.at(y - target.denominator_lag), ds)
                         for y in cols})


def target_fan(target: Target, data: Dataset | None = None, *, as_of=None, method="auto", seed=0):
    """History and forecast bands of the quantity a target is judged on, up to its year.

    For a level target that is the indicator; for a ratio target the ratio itself, from the
    same sample paths `assess` uses. Returns (history, bands) with bands indexed by year and
    columns median, lo80, hi80, lo95, hi95 (None when there is nothing to forecast).
    """
    ds = data if data is not None else load()
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


def assess(target: Target, data: Dataset | None = None, *, as_of: int | None = None, method: str = "auto",
           seed: int = 0) -> pd.Series:
    """Assess one target; returns a Series with the FIELDS above."""
    ds = data if data is not None else load()
    T, region, ind = target.target_year, target.region, target.indicator
    out = dict.fromkeys(FIELDS, None)
    out.update(plan=target.plan, target_id=target.id, region=region, indicator=ind, kind=target.kind,
               target_year=T, comparator=target.comparator, target_value=target.value,
               target_value_high=target.value_high, unit=target.unit, binding=target.binding,
               as_of=as_of, note="")
    s, hist = _history(target, ds, as_of)
    out["n_obs"] = int(len(s))
    if len(hist):
        out["latest_year"], out["latest_value"] = int(hist.index.max()), float(hist.iloc[-1])
    if len(s) == 0 or (target.kind == "ratio" and len(ds.series(region, target.denominator, as_of)) == 0):
        missing = ind if len(s) == 0 else target.denominator
        out.update(verdict="no_data", note=f"no observations of {missing} in {region}"
                   + (f" up to {as_of}" if as_of else ""))
        return pd.Series(out)
    base_year = target.base_year
    # ---- final evaluation: the target year's value is known
    if target.kind == "level" and T in s.index or target.kind == "ratio" and T in hist.index:
        v = float(hist.loc[T])
        out.update(latest_year=T, latest_value=v, probability=float(target.met(v)),
                   verdict="achieved" if target.met(v) else "not_achieved", method="observed",
                   note="final evaluation from the observed value")
        return _add_growth(out, target, hist, base_year)
    if target.kind in ("growth", "change") and T in s.index:
        b = _value_at(s, base_year)
        if b is not None:
            x = cagr(b, s.loc[T], T - base_year) if target.kind == "growth" else s.loc[T] - b
            out.update(probability=float(target.met(x)), verdict="achieved" if target.met(x) else "not_achieved",
                       method="observed", note="final evaluation from the observed values")
            return pd.Series(out)
    # ---- forecast
    meta = ds.indicators[ind]
    if meta.aggregation != "stock":
        out.update(verdict="no_data", note="only period totals or averages are observed: not a yearly series")
        return pd.Series(out)
    until = max(T, HORIZON_CAP)
    try:
        if target.kind == "ratio":
            got = _ratio_sim(target, ds, hist, as_of, method, seed, until)
            if got is None or T not in got[0].columns:
                out.update(verdict="no_data", note=f"cannot forecast the ratio of {ind} to {target.denominator}")
                return pd.Series(out)
            path, fc, how = got
        else:
            sim = _Sim(ds, region, ind, as_of, method, seed, until)
            fc = sim.fc
    except ModelError as e:
        out.update(verdict="no_data", note=str(e))
        return pd.Series(out)
    if fc is None:
        out.update(verdict="no_data", note="nothing to forecast")
        return pd.Series(out)
    out["method"], out["n_obs"] = fc.method, fc.n_obs
    notes = list(fc.notes)
    if target.kind == "level":
        x = sim.at(T)
        path = sim.paths
    elif target.kind == "ratio":
        x = path[T].to_numpy()
        notes.append(how)
    else:
        b = _value_at(s, base_year)
        if b is None:
            out.update(verdict="no_data", note=f"no observed value in the base year {base_year}")
            return pd.Series(out)
        v = sim.at(T)
        x = np.array([cagr(b, vi, T - base_year) for vi in v]) if target.kind == "growth" else v - b
        path = None
    x = np.asarray(x, float)
    p = float(np.mean(target.met(x)))
    q = np.quantile(x, [0.5, 0.1, 0.9, 0.025, 0.975])
    direct = target.kind == "level" or target.kind == "ratio" and _direct_ratio(hist)
    point = fc.summary_frame().loc[T, "mean"] if direct else float(np.mean(x))
    out.update(forecast_mean=float(point), median=q[0], lo80=q[1], hi80=q[2], lo95=q[3], hi95=q[4],
               probability=p, verdict=verdict_from_probability(p))
    if path is not None:
        reached = target.met(path.to_numpy())
        years = np.array(path.columns, int)
        first = np.where(reached.any(axis=1), years[np.argmax(reached, axis=1)], 10 ** 6)
        qs = np.quantile(first, [0.5, 0.1, 0.9])
        # NaN: not reached by HORIZON_CAP in that share of the paths
        fmt = lambda v: (float(v) if v < 10 ** 6 else float("nan"))  # noqa: E731
        out.update(expected_year=fmt(qs[0]), expected_year_lo80=fmt(qs[1]), expected_year_hi80=fmt(qs[2]))
    out["note"] = "; ".join(notes)
    return _add_growth(pd.Series(out), target, hist, base_year, projected=out["forecast_mean"])


def _add_growth(out, target, hist: pd.Series, base_year: int, projected=None) -> pd.Series:
    out = dict(out)
    if target.kind in ("level", "ratio") and len(hist):
        ly, lv = int(hist.index.max()), float(hist.iloc[-1])
        T, goal = target.target_year, target.value
        if T > ly:
            out["required_cagr"] = cagr(lv, goal, T - ly)
            out["required_increment"] = (goal - lv) / (T - ly)
        if len(hist) >= 2:
            fy, fv = int(hist.index.min()), float(hist.iloc[0])
            out["historical_cagr"] = cagr(fv, lv, ly - fy)
            b_year = base_year if base_year in hist.index else fy
            bv = float(hist.loc[b_year])
            req = cagr(bv, goal, T - b_year)
            if target.met(lv) and T > ly:
                out["eurostat_class"] = "target_met"
            else:
                obs = cagr(float(hist.loc[b_year]), lv, ly - b_year) if ly > b_year else out["historical_cagr"]
                out["eurostat_class"] = eurostat_class(obs, req)
            if projected is not None:
                out["unsd_class"] = "target_met" if target.met(lv) else unsd_class(bv, projected, goal)
    return pd.Series(out)


def assess_plan(plan: str | Plan, data: Dataset | None = None, *, as_of: int | None = None,
                method: str = "auto", seed: int = 0) -> pd.DataFrame:
    """Every target of a plan as one DataFrame, one row per target."""
    ds = data if data is not None else load()
    p = get_plan(plan, ds)
    if p.regions is not None or any(t.relative is not None for t in p.targets):  # issue 14: every region
        from .regional import assess_regions
        return assess_regions(p, ds, as_of=as_of, method=method, seed=seed)
    rows = [assess(t, ds, as_of=as_of, method=method, seed=seed) for t in p.targets]
    return pd.DataFrame(rows, columns=FIELDS)


def milestones(target: Target, data: Dataset | None = None) -> pd.DataFrame:
    """Yearly path (年度分解) from the plan's base value to the target, linear and geometric,
    with each observed year's gap to the linear path (for a ratio target, of the ratio)."""
    ds = data if data is not None else load()
    _, s = _history(target, ds)  # for a ratio target: the ratio itself
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
