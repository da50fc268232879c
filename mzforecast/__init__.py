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
from .chart import use_chinese_font
from .compare import forecast_frame
from .data import Dataset, load
from .discover import indicators, regions
from .errors import DataError, DataErrors, ModelError, MzError
from .models import Forecast, forecast
from .plan import assess_plan
from .regional import assess_regions
from .propose import assess_draft, propose
from .targets import Plan, Target, get_plan, get_target, list_plans

from ._version import __version__


def __getattr__(name):
    # `mzf.Assessment` without importing the pages and matplotlib for every command-line call
    if name == "Assessment":
        from .assessment import Assessment
        return Assessment
    raise AttributeError(f"module 'mzforecast' has no attribute {name!r}")


def series(region: str, indicator: str, as_of: int | None = None, data=None):
    """One indicator's yearly values.

    Parameters
    ----------
    region : str
        Region id or name (``"changchun"``, ``"长春"``, ``"长春市"``); ``mzf.regions()`` lists them.
    indicator : str
        Indicator id or name (``"dibao_standard_urban"``, ``"城市低保标准"``); see ``mzf.indicators()``.
    as_of : int, optional
        Only years up to this one.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it, merged over the bundled data.

    Returns
    -------
    pandas.Series
        Indexed by year, in the indicator's unit; ``attrs`` hold region, indicator, unit, kind.
    """
    ds = load(data)
    return ds.series(region, indicator, as_of)


def assess(target, data=None, *, value=None, year=None, unit=None, as_of=None, method="auto", seed=0,
           reference=None, language="zh"):
    """Will one target be met? Its verdict, probability and forecast, optionally for another value.

    Parameters
    ----------
    target : Target or str
        A Target, ``"plan:target_id"`` (``"changchun-14th:table-08-social-work-professionals"``) or
        a target id found in exactly one bundled plan.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it, merged over the bundled data.
    value : float, optional
        What if the target were this value (in `unit`, default the target's unit)?
    year : int, optional
        What if the target year were this year?
    unit : str, optional
        The unit `value` is written in ("元/人·年", "万人"…): converted to the indicator's unit.
    as_of : int, optional
        Use only observations up to this year.
    method : str, default "auto"
        Forecast method (see ``mzf.forecast``).
    seed : int, default 0
        Seed of the sample paths.
    reference : int, optional
        The year the run stands in (default: `as_of`, else the clock): a target year before it
        without an outcome is ``outcome_pending`` and its probability a nowcast.
    language : {"zh", "en"}, default "zh"
        Language of the notebook display and chart.

    Returns
    -------
    Assessment
        ``verdict``, ``probability`` and ``probability_basis``; ``to_series()`` for every field,
        ``plot()`` for the chart; shown as a short card in a notebook.

    Raises
    ------
    DataError
        Unknown plan or target, a value that is not a number, a unit that cannot be converted.
    """
    ds = load(data)
    if isinstance(target, str):
        target = _find_target(target, ds)
    row = _assess(target, ds, value=value, year=year, unit=unit, as_of=as_of, method=method, seed=seed,
                  reference=reference)
    if value is not None or year is not None:
        target = target.with_value(target.value if value is None else value, unit=unit, year=year)
    if target.kind in ("level", "change") and target.indicator in ds.indicators:
        target = target.in_unit(ds.indicators[target.indicator].unit)
    from .assessment import Assessment  # the presentation layer (matplotlib) loads only when a result is made
    return Assessment(row, target, ds, language=language, as_of=as_of, method=method, seed=seed)


def _find_target(text: str, ds):
    plan, sep, tid = text.partition(":")
    if sep:
        return get_target(plan, tid, ds)
    hits = [(p, t) for p in list_plans() for t in get_plan(p, ds).targets if t.id == text]
    if len(hits) == 1:
        return hits[0][1]
    if hits:
        raise DataError(f"target '{text}' is in {len(hits)} plans: " + ", ".join(p for p, _ in hits),
                        fix=f"name the plan: '{hits[0][0]}:{text}'")
    raise DataError(f"no bundled plan has a target '{text}'",
                    fix="give 'plan:target_id' (plans: " + ", ".join(list_plans()) + ")")


__all__ = ["__version__", "Assessment", "Dataset", "DataError", "DataErrors", "Forecast", "ModelError", "MzError", "Plan", "Target",
           "assess", "assess_draft", "assess_plan", "assess_regions", "backtest_plan", "backtest_series", "forecast", "get_plan", "get_target",
           "forecast_frame", "indicators", "list_plans", "load", "milestones", "propose", "regions", "series",
           "use_chinese_font"]
