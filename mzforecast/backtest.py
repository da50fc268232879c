"""Run the tool as it would have run in the past and compare with what happened: each target
assessed with the data of an earlier year beside its outcome, and rolling-origin errors of a series.

Imports the leaves, the data and models layers, and attainment/terms of the engine.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .attainment import assess
from .data import Dataset, load
from .errors import ModelError
from .messages import lang
from .messages.pages import SCORE_LINE, SCORE_NONE
from .models import forecast
from .targets import get_plan
from .terms import outcome

BACKTEST_PLANS = ("changchun-13th", "jilin-13th")
# verdicts that make a call on the outcome: 有望实现 (p ≥ 75 %) says met, 难以实现 (p < 25 %) says missed;
# 存在风险 (25–75 %) says neither, so it never "agrees" with an outcome and is counted apart
CALLS = ("on_track", "off_track")


def backtest_plan(plan: str = "changchun-13th", as_of: int = 2015, data: Dataset | None = None,
                  method: str = "auto", seed: int = 0) -> pd.DataFrame:
    """Each target assessed with data up to `as_of`, beside the outcome in the full data.

    The outcome is in the target's own terms, like the forecast it is compared with: a level or
    ratio, the realised yearly growth for a growth target, the realised change for a change target.

    Parameters
    ----------
    plan : str, Path or Plan, default "changchun-13th"
        A bundled plan id, a plan YAML file or a Plan.
    as_of : int, default 2015
        The forecast origin: only observations up to this year are used for the forecast.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it, merged over the bundled data.
    method : str, default "auto"
        Forecast method (see ``mzf.forecast``).
    seed : int, default 0
        Seed of the sample paths.

    Returns
    -------
    pandas.DataFrame
        One row per target: the verdict and probability then (``verdict_then``,
        ``probability_then``), the forecast median and band, the ``actual`` outcome and
        ``verdict_actual``.
    """
    ds = load(data)
    p = get_plan(plan, ds)
    rows = []
    for t in p.targets:
        then = assess(t, ds, as_of=as_of, method=method, seed=seed)
        now = assess(t, ds, method=method, seed=seed)
        observed = now["method"] == "observed"
        actual = outcome(t, ds) if observed else None
        actual = np.nan if actual is None else float(actual)
        held = lambda lo, hi: (bool(then[lo] <= actual <= then[hi])  # noqa: E731
                               if pd.notna(actual) and pd.notna(then[lo]) else None)
        rows.append({
            "plan": p.id, "target_id": t.id, "indicator": t.indicator, "target_year": t.target_year,
            "kind": t.kind, "comparator": t.comparator, "target_value": t.value,
            "target_value_high": t.value_high, "tolerance": t.tolerance, "unit": t.unit, "as_of": as_of,
            "n_obs_then": then["n_obs"], "forecast_median": then["median"], "lo80": then["lo80"],
            "hi80": then["hi80"], "lo95": then["lo95"], "hi95": then["hi95"],
            "probability_then": then["probability"], "verdict_then": then["verdict"],
            "actual": actual, "verdict_actual": now["verdict"] if observed else "no_data",
            "inside80": held("lo80", "hi80"), "inside95": held("lo95", "hi95"),
            "method": then["method"],
        })
    return pd.DataFrame(rows)


def scored_rows(bt: pd.DataFrame) -> pd.DataFrame:
    """The rows worth showing: a forecast or an outcome, and not transferred out of civil affairs."""
    return bt[((bt.verdict_then != "no_data") | (bt.verdict_actual != "no_data")) & (bt.verdict_then != "transferred")]


def score(bt: pd.DataFrame) -> dict:
    """The backtest's score: verdicts that matched the outcome and interval coverage.

    A verdict 'matches' when on_track went with achieved, or off_track with not achieved.
    at_risk (a 25–75 % chance) and insufficient_data (one observation) make no call and are
    counted apart; their intervals are still scored. Transferred targets are not scored.
    """
    shown = scored_rows(bt)
    known = shown[shown.verdict_actual.isin(["achieved", "not_achieved"])]
    called = known[known.verdict_then.isin(CALLS)]
    agree = int(((called.verdict_then == "on_track") == (called.verdict_actual == "achieved")).sum())
    iv = known[known.lo80.notna()]
    return dict(targets=len(bt), shown=len(shown), transferred=int((bt.verdict_then == "transferred").sum()),
                with_outcome=len(known), called=len(called), agree=agree,
                no_call=int((known.verdict_then == "insufficient_data").sum()),
                at_risk=int((known.verdict_then == "at_risk").sum()),
                one_obs=int((shown.verdict_then == "insufficient_data").sum()),
                intervals=len(iv), inside80=int(iv.inside80.eq(True).sum()), inside95=int(iv.inside95.eq(True).sum()))


def score_line(bt: pd.DataFrame, as_of: int, language: str = "en") -> str:
    """The score in one line, the same in the CLI and on the backtest page."""
    s = score(bt)
    if s["with_outcome"]:
        return SCORE_LINE[lang(language)].format(as_of=as_of, **s)
    T = SCORE_NONE[lang(language)]  # no outcome yet: '0/0' would read as a score
    why = "nothing" if not s["shown"] else "one_obs" if s["one_obs"] == s["shown"] else "pending"
    return T["head"].format(**s) + T[why].format(**s)


def backtest_series(series: pd.Series, method: str = "auto", min_obs: int = 2, kind: str = "level") -> pd.DataFrame:
    """Rolling origin: from every origin with at least `min_obs` points, forecast each later
    observed year and record the error and whether the 80%/95% intervals held it.

    Parameters
    ----------
    series : pandas.Series
        Yearly values indexed by year (``mzf.series`` gives one).
    method : str, default "auto"
        Forecast method (see ``mzf.forecast``).
    min_obs : int, default 2
        Fewest observations an origin needs.
    kind : {"level", "share", "ratio"}, default "level"
        The indicator's kind (shares are kept within 0-100).

    Returns
    -------
    pandas.DataFrame
        One row per origin and later year: origin, year, h, n_obs, method, forecast, median,
        actual, ape (absolute % error), inside80, inside95.
    """
    s = pd.Series(series).dropna().sort_index()
    s.attrs = dict(getattr(series, "attrs", {}))
    rows = []
    years = list(s.index)
    for i in range(min_obs - 1, len(years) - 1):
        origin = years[i]
        hist = s.loc[:origin]
        future = s.loc[origin + 1:]
        try:
            fc = forecast(hist, until=int(future.index.max()), method=method, kind=kind)
        except ModelError:
            continue
        sf = fc.summary_frame()
        for y, actual in future.items():
            r = sf.loc[y]
            rows.append({"origin": origin, "year": y, "h": y - origin, "n_obs": len(hist), "method": fc.method,
                         "forecast": r["point"], "median": r["median"], "actual": actual,
                         "ape": abs(actual - r["point"]) / abs(actual) * 100 if actual else np.nan,
                         "inside80": r["lo80"] <= actual <= r["hi80"], "inside95": r["lo95"] <= actual <= r["hi95"]})
    return pd.DataFrame(rows)
