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
    "lo80": ("80%区间下限", "80% low"), "hi80": ("80%区间上限", "80% high"),
    "probability": ("实现概率（%）", "probability (%)"), "verdict": ("判断", "verdict"), "unit": ("单位", "unit"),
    "target_id": ("目标编号", "target id"),
}


def localize(df: pd.DataFrame, ds, language: str = "zh") -> pd.DataFrame:
    """An assess_plan frame with readable headers, names and rounded values (numbers stay numbers)."""
    from .messages.goal import goal_text
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    zh = language == "zh"
    rows = []
    for r in df.itertuples():
        unit = "percent" if r.kind == "growth" else r.unit
        level_unit = ds.indicators[r.indicator].unit if r.kind in ("growth", "change") else r.unit
        try:
            from .targets import get_plan
            p = get_plan(r.plan, ds)
            plan = p.name_zh if zh else (p.name_en or p.name_zh)
        except Exception:
            plan = r.plan
        rows.append({
            "plan": plan, "indicator": ds.indicators[r.indicator].name(language) if r.indicator in ds.indicators
            else r.indicator,
            "binding": ("约束性" if r.binding else "预期性") if zh else ("binding" if r.binding else "expected"),
            "goal": goal_text(r, language),
            "target_year": int(r.target_year),
            "latest_year": pd.NA if pd.isna(r.latest_year) else int(r.latest_year),
            "latest_value": fmt.rounded(r.latest_value, level_unit), "median": fmt.rounded(r.median, unit),
            "lo80": fmt.rounded(r.lo80, unit), "hi80": fmt.rounded(r.hi80, unit),
            "probability": float("nan") if pd.isna(r.probability) else round(float(r.probability) * 100),
            "verdict": verdict_label(r.verdict, language), "unit": fmt.unit_text(unit, language),
            "target_id": r.target_id})
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["latest_year"] = out["latest_year"].astype("Int64")
    return out.rename(columns={k: v[0 if zh else 1] for k, v in COLUMNS.items()})
