"""Assessment frames for analysts, ready to paste: headers and indicator names in Chinese or
English, verdicts as words, values rounded to the precision the pages show, in their units."""
from __future__ import annotations

import pandas as pd

from . import fmt
from .plots import verdict_label

# field -> (Chinese header, English header); the columns a pasted table needs, in this order
COLUMNS = {
    "plan": ("规划", "plan"), "indicator": ("指标", "indicator"), "binding": ("属性", "type"),
    "goal": ("目标", "target"), "target_year": ("目标年", "target year"), "latest_year": ("最新数据年份", "latest year"),
    "latest_value": ("最新值", "latest value"), "median": ("预测中位数", "forecast median"),
    "band80": ("80%预测区间", "80% interval"),
    "probability": ("实现概率（%）", "probability (%)"), "probability_basis": ("概率依据", "probability basis"),
    "verdict": ("判断", "verdict"), "unit": ("单位", "unit"), "target_id": ("目标编号", "target id"),
}
BASIS = {"zh": {"forecast": "预测", "nowcast": "推算（目标年已过）", "observed": "实际值", "": ""},
         "en": {"forecast": "forecast", "nowcast": "nowcast (target year passed)", "observed": "observed", "": ""}}


def localize(df: pd.DataFrame, ds, language: str = "zh") -> pd.DataFrame:
    """An assess_plan frame (with probability_basis) ready to paste: readable headers, the full
    name of what each target measures (a ratio names both sides), and values written per row in
    their unit and scale (15.4亿元, 1.14万人, 75.0%); the probability stays a number in percent."""
    from .reports import goal_text, target_name  # reports imports attainment; import late to keep the data flow one way
    from .targets import get_plan
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    zh = language == "zh"
    plans: dict = {}
    rows = []
    for r in df.itertuples():
        unit = "percent" if r.kind == "growth" else r.unit
        level_unit = ds.indicators[r.indicator].unit if r.kind in ("growth", "change") else r.unit
        if r.plan not in plans:
            try:
                p = get_plan(r.plan, ds)
                plans[r.plan] = (p.name_zh if zh else (p.name_en or p.name_zh), {t.id: t for t in p.targets})
            except Exception:  # a plan given as an object or file elsewhere: its id stands in
                plans[r.plan] = (r.plan, {})
        plan, targets = plans[r.plan]
        t = targets.get(r.target_id)
        name = target_name(t, ds, language) if t is not None and r.indicator in ds.indicators else \
            ds.indicators[r.indicator].name(language) if r.indicator in ds.indicators else r.indicator
        rows.append({
            "plan": plan, "indicator": name,
            "binding": ("约束性" if r.binding else "预期性") if zh else ("binding" if r.binding else "expected"),
            "goal": goal_text(r, language).replace("&gt;", ">").replace("&lt;", "<"),
            "target_year": int(r.target_year),
            "latest_year": pd.NA if pd.isna(r.latest_year) else int(r.latest_year),
            "latest_value": fmt.number(r.latest_value, level_unit, language),
            "median": fmt.number(r.median, unit, language),
            "band80": fmt.interval(r.lo80, r.hi80, unit, language),
            "probability": float("nan") if pd.isna(r.probability) else round(float(r.probability) * 100),
            "probability_basis": BASIS[language][r.probability_basis],
            "verdict": verdict_label(r.verdict, language), "unit": fmt.unit_text(unit, language),
            "target_id": r.target_id})
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["latest_year"] = out["latest_year"].astype("Int64")
    out["probability"] = out["probability"].astype(float)
    return out.rename(columns={k: v[0 if zh else 1] for k, v in COLUMNS.items()})
