"""Run the tool as it would have run in the past and compare with what happened."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .attainment import assess
from .data import Dataset, load
from .errors import ModelError
from .models import forecast
from .targets import get_plan

BACKTEST_PLANS = ("changchun-13th", "jilin-13th")


def backtest_plan(plan: str = "changchun-13th", as_of: int = 2015, data: Dataset | None = None,
                  method: str = "auto", seed: int = 0) -> pd.DataFrame:
    """Each target assessed with data up to `as_of`, beside the outcome in the full data."""
    ds = data if data is not None else load()
    p = get_plan(plan, ds)
    rows = []
    for t in p.targets:
        then = assess(t, ds, as_of=as_of, method=method, seed=seed)
        now = assess(t, ds, method=method, seed=seed)
        actual = now["latest_value"] if now["method"] == "observed" else np.nan
        rows.append({
            "plan": p.id, "target_id": t.id, "indicator": t.indicator, "target_year": t.target_year,
            "kind": t.kind, "comparator": t.comparator, "target_value": t.value,
            "target_value_high": t.value_high, "unit": t.unit, "as_of": as_of,
            "n_obs_then": then["n_obs"], "forecast_median": then["median"], "lo80": then["lo80"],
            "hi80": then["hi80"], "lo95": then["lo95"], "hi95": then["hi95"],
            "probability_then": then["probability"], "verdict_then": then["verdict"],
            "actual": actual, "verdict_actual": now["verdict"] if now["method"] == "observed" else "no_data",
            "inside80": (then["lo80"] <= actual <= then["hi80"]) if pd.notna(actual) and pd.notna(then["lo80"]) else None,
            "inside95": (then["lo95"] <= actual <= then["hi95"]) if pd.notna(actual) and pd.notna(then["lo95"]) else None,
            "method": then["method"],
        })
    return pd.DataFrame(rows)


def backtest_series(series: pd.Series, method: str = "auto", min_obs: int = 2, kind: str = "level") -> pd.DataFrame:
    """Rolling origin: from every origin with at least `min_obs` points, forecast each later
    observed year and record the error and whether the 80%/95% intervals held it."""
    s = pd.Series(series).dropna().sort_index()
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
                         "forecast": r["mean"], "median": r["median"], "actual": actual,
                         "ape": abs(actual - r["mean"]) / abs(actual) * 100 if actual else np.nan,
                         "inside80": r["lo80"] <= actual <= r["hi80"], "inside95": r["lo95"] <= actual <= r["hi95"]})
    return pd.DataFrame(rows)
