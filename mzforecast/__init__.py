"""mzforecast: will the quantitative targets of civil-affairs five-year plans be met?

    import mzforecast as mzf
    fc = mzf.forecast(mzf.series("changchun", "dibao_standard_urban"), until=2025)
    fc.summary_frame(levels=[80, 95])
    mzf.assess_plan("changchun-14th")
"""
from __future__ import annotations

from .attainment import assess as _assess
from .attainment import milestones
from .backtest import backtest_plan, backtest_series
from .data import Dataset, load
from .errors import DataError, DataErrors, ModelError, MzError
from .models import Forecast, forecast
from .plan import assess_plan
from .regional import assess_regions
from .propose import assess_draft, propose
from .targets import Plan, Target, get_plan, get_target, list_plans

from ._version import __version__


def series(region: str, indicator: str, as_of: int | None = None, data=None):
    """One indicator's yearly values (bundled data merged with `data` files, if given)."""
    ds = data if isinstance(data, Dataset) else load(data)
    return ds.series(region, indicator, as_of)


def assess(target, data=None, *, as_of=None, method="auto", seed=0, reference=None):
    """Assess a Target, or a 'plan:target_id' string, against the data."""
    ds = data if isinstance(data, Dataset) else load(data)
    if isinstance(target, str):
        plan, _, tid = target.partition(":")
        target = get_target(plan, tid, ds)
    return _assess(target, ds, as_of=as_of, method=method, seed=seed, reference=reference)


__all__ = ["__version__", "Dataset", "DataError", "DataErrors", "Forecast", "ModelError", "MzError", "Plan", "Target",
           "assess", "assess_draft", "assess_plan", "assess_regions", "backtest_plan", "backtest_series", "forecast", "get_plan", "get_target",
           "list_plans", "load", "milestones", "propose", "series"]
