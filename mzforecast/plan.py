"""A whole plan assessed: `assess_plan` sends a one-region plan target by target through
attainment and evaluation, and a plan over many regions (or with targets relative to each region's
base value) to regional; `localize` gives the frame readable headers, names and rounded values in
Chinese or English, with the words from `mzforecast.messages`.

Imports the layers below it: leaves, data, models and engine.
"""
from __future__ import annotations

import pandas as pd

from . import fmt, messages
from .attainment import FIELDS, assess
from .data import Dataset, load
from .errors import MzError
from .evaluation import add_evaluation
from .regional import assess_regions, is_regional
from .targets import Plan, get_plan


def assess_plan(plan: str | Plan, data: Dataset | None = None, *, as_of: int | None = None,
                method: str = "auto", seed: int = 0, reference: int | None = None,
                language: str | None = None) -> pd.DataFrame:
    """Every target of a plan as one DataFrame, one row per target (per region for a regional plan).

    With `language` ("zh" or "en"): headers, names and rounded values ready to paste (`localize`);
    a regional plan's table is returned as computed."""
    ds = data if data is not None else load()
    p = get_plan(plan, ds)
    if is_regional(p):
        return assess_regions(p, ds, as_of=as_of, method=method, seed=seed, reference=reference)
    rows = [assess(t, ds, as_of=as_of, method=method, seed=seed, reference=reference) for t in p.targets]
    rows = [add_evaluation(r, t, ds, as_of) for r, t in zip(rows, p.targets)]
    if language:
        return localize(pd.DataFrame(rows, columns=FIELDS), ds, language)
    return pd.DataFrame(rows, columns=FIELDS)


def _plan_name(plan_id: str, ds: Dataset, zh: bool) -> str:
    try:
        p = get_plan(plan_id, ds)
    except MzError:
        return plan_id
    return p.name_zh if zh else (p.name_en or p.name_zh)


def localize(df: pd.DataFrame, ds: Dataset, language: str = "zh") -> pd.DataFrame:
    """An assess_plan frame with readable headers, names and rounded values (numbers stay numbers)."""
    if language not in messages.LANGUAGES:
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    zh = language == "zh"
    rows = []
    for r in df.itertuples():
        unit = "percent" if r.kind == "growth" else r.unit
        level_unit = ds.indicators[r.indicator].unit if r.kind in ("growth", "change") else r.unit
        rows.append({
            "plan": _plan_name(r.plan, ds, zh),
            "indicator": ds.indicators[r.indicator].name(language) if r.indicator in ds.indicators else r.indicator,
            "binding": messages.label("binding", "binding" if r.binding else "expected", language),
            "goal": messages.goal_text(r, language),
            "target_year": int(r.target_year),
            "latest_year": pd.NA if pd.isna(r.latest_year) else int(r.latest_year),
            "latest_value": fmt.rounded(r.latest_value, level_unit), "median": fmt.rounded(r.median, unit),
            "lo80": fmt.rounded(r.lo80, unit), "hi80": fmt.rounded(r.hi80, unit),
            "probability": float("nan") if pd.isna(r.probability) else round(float(r.probability) * 100),
            "verdict": messages.label("verdict", r.verdict, language, default=_verdict_fallback(r.verdict, zh)),
            "unit": fmt.unit_text(unit, language),
            "target_id": r.target_id})
    columns = messages.PASTE_COLUMNS[language]
    out = pd.DataFrame(rows, columns=list(columns))
    out["latest_year"] = out["latest_year"].astype("Int64")
    return out.rename(columns=columns)


def _verdict_fallback(v, zh: bool) -> str:
    return str(v) if zh else str(v).replace("_", " ")
