"""A whole plan assessed: `assess_plan` sends a one-region plan target by target through
attainment and evaluation, and a plan over many regions (or with targets relative to each region's
base value) to regional, with stable dtypes and the column sets of `columns`; `localize` gives the
frame readable headers, target names and values written in their units in Chinese or English, with
the words from `mzforecast.messages`.

Imports the layers below it: leaves, data, models and engine.
"""
from __future__ import annotations

import pandas as pd

from . import columns as C
from . import fmt, messages
from .attainment import FIELDS, assess, reference_year
from .data import Dataset, load
from .errors import MzError
from .evaluation import add_evaluation
from .regional import assess_regions, is_regional
from .targets import Plan, get_plan


def assess_plan(plan: str | Plan, data: Dataset | None = None, *, as_of: int | None = None,
                method: str = "auto", seed: int = 0, reference: int | None = None, language: str | None = None,
                columns: str | None = None) -> pd.DataFrame:
    """Every target of a plan as one DataFrame, one row per target.

    Parameters
    ----------
    plan : str, Path or Plan
        A bundled plan id (``mzf.list_plans()``), a plan YAML file or a Plan.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it (files or DataFrames, merged over the bundled data).
    as_of : int, optional
        Use only observations up to this year (assess as the plan would have been then).
    method : str, default "auto"
        Forecast method: auto, naive, drift, linear, loglinear, damped, theta, logistic or comb.
    seed : int, default 0
        Seed of the sample paths (results are reproducible).
    reference : int, optional
        The year the run stands in: target years before it without an outcome are
        ``outcome_pending``. Default: `as_of`, else MZFORECAST_REFERENCE_YEAR, else the clock.
    language : {"zh", "en"}, optional
        A frame to paste into a document (`localize`): headers, target names, values written in
        their units. A regional plan's table is returned as computed.
    columns : {"brief", "evaluation", "all"}, optional
        Default: every field as the CLI's CSV has it. "brief" (the headline: value, median, 80 %
        band, probability, verdict), "evaluation" (完成进度/序时进度 form) and "all" merge the
        nowcast into one ``probability`` column beside ``probability_basis`` (forecast, nowcast or
        observed).

    Returns
    -------
    pandas.DataFrame
        One row per target (per target and region for a many-region plan). Value columns are
        float64, years and counts Int64, for every plan.
    """
    ds = load(data)
    p = get_plan(plan, ds)
    if is_regional(p):
        return C.select(assess_regions(p, ds, as_of=as_of, method=method, seed=seed, reference=reference), columns)
    rows = [assess(t, ds, as_of=as_of, method=method, seed=seed, reference=reference) for t in p.targets]
    ref = reference if reference is not None else reference_year(as_of)
    rows = [add_evaluation(r, t, ds, as_of, ref) for r, t in zip(rows, p.targets)]
    if language:
        return localize(C.with_basis(pd.DataFrame(rows, columns=FIELDS)), ds, language)
    return C.select(pd.DataFrame(rows, columns=FIELDS), columns)


def _plan_words(plan_id: str, ds: Dataset, language: str) -> tuple[str, dict]:
    """A plan's name and its targets by id; the id and no targets for a plan that is not bundled."""
    try:
        p = get_plan(plan_id, ds)
    except MzError:
        return plan_id, {}
    return messages.local_name(p, language), {t.id: t for t in p.targets}


def localize(df: pd.DataFrame, ds: Dataset, language: str = "zh") -> pd.DataFrame:
    """An assess_plan frame (with probability_basis) ready to paste: readable headers, the full
    name of what each target measures (a ratio names both sides), and values written per row in
    their unit and scale (15.4亿元, 1.14万人, 75.0%); the probability stays a number in percent."""
    if language not in messages.LANGUAGES:
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    if "probability_basis" not in df.columns:
        df = C.with_basis(df)
    plans: dict = {}
    rows = []
    for r in df.itertuples():
        unit = "percent" if r.kind == "growth" else r.unit
        level_unit = ds.indicators[r.indicator].unit if r.kind in ("growth", "change") else r.unit
        if r.plan not in plans:
            plans[r.plan] = _plan_words(r.plan, ds, language)
        plan, targets = plans[r.plan]
        t = targets.get(r.target_id)
        name = messages.target_name(t, ds, language) if t is not None and r.indicator in ds.indicators else \
            ds.indicators[r.indicator].name(language) if r.indicator in ds.indicators else r.indicator
        rows.append({
            "plan": plan, "indicator": name,
            "binding": messages.label("binding", "binding" if r.binding else "expected", language),
            "goal": messages.goal_text(r, language),
            "target_year": int(r.target_year),
            "latest_year": pd.NA if pd.isna(r.latest_year) else int(r.latest_year),
            "latest_value": fmt.number(r.latest_value, level_unit, language),
            "median": fmt.number(r.median, unit, language),
            "band80": fmt.interval(r.lo80, r.hi80, unit, language),
            "probability": float("nan") if pd.isna(r.probability) else round(float(r.probability) * 100),
            "probability_basis": messages.label("basis", r.probability_basis, language),
            "verdict": messages.verdict_label(r.verdict, language),
            "unit": fmt.unit_text(unit, language),
            "target_id": r.target_id})
    columns = messages.PASTE_COLUMNS[language]
    out = pd.DataFrame(rows, columns=list(columns))
    out["latest_year"] = out["latest_year"].astype("Int64")
    out["probability"] = out["probability"].astype(float)
    return out.rename(columns=columns)


