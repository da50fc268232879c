"""The summary workbook: summary.xlsx of a run and `assess --format xlsx`, the evaluation form
(pages.evaluation.form) one sheet per plan, one row per target (and region), Chinese headers,
status colours, as plain data (io.xlsxwrite Sheets) that io.write renders. Imports leaves, data,
engine, `plots` and the evaluation page's form.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .. import fmt
from ..data import Dataset, load
from ..io.write import sheets_file
from ..io.xlsxwrite import Sheet, Style
from ..messages import label
from ..messages.pages import EVALUATION as W, WORDS
from ..plots import STATUS_COLORS
from . import closing as CP
from .common import records
from .evaluation import form


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _str(v) -> str:
    return "" if _nan(v) else str(v)


XLSX_COLUMNS = [("target_id", "编号", 30), ("region_name", "地区", 10), ("indicator_name", "指标", 36), ("binding", "属性", 8),
                ("base_year", "基期年", 8), ("base_value", "基期值", 12), ("target", "目标值", 22),
                ("target_year", "目标年", 8), ("latest_year", "现值年份", 9), ("latest_value", "现值", 12),
                ("unit", "单位", 14), ("completion_progress", "完成进度(%)", 11),
                ("time_progress", "序时进度(%)", 11), ("progress_status", "状态", 14),
                ("closing_status", "完成情况", 10),
                ("probability", "实现概率", 12), ("verdict", "预测判断", 11), ("responsible_unit", "责任单位", 18)]
VERDICT_FILL = {"achieved": "1a9850", "on_track": "66bd63", "at_risk": "fdae61", "off_track": "d73027",
                "not_achieved": "d73027"}


def _xlsx_probability(r):
    """A forecast probability; a target year passed without an outcome: the nowcast (shown 推算 63%,
    as the pages show it: `probability_format`); an observed outcome says 已实现/未实现（实际值）, never
    100%/0% beside 完成情况; nothing for a target 完成情况 judges on its outcome."""
    p = r.get("probability")
    if CP.judged(r.get("closing_status")):
        return None
    if _nan(p):
        now = r.get("probability_nowcast")
        return None if _nan(now) else round(float(now), 3)
    if r.get("verdict_code") in ("achieved", "not_achieved") and float(p) in (0.0, 1.0):
        return W["observed"].format(v=r.get("verdict"))
    return round(float(p), 3)


def probability_format(r) -> str:
    """0%, or for a nowcast (the target year passed, no outcome) the word the pages put before it."""
    if _nan(r.get("probability")) and not _nan(r.get("probability_nowcast")):
        return f'"{WORDS["zh"]["nowcast"]} "0%'
    return "0%"


def number_format_of(v, r) -> str:
    """The digits the pages show for a value in the row's unit (fmt.excel_format: counts whole)."""
    return "General" if _nan(v) else fmt.excel_format(v, _str(r.get("unit")))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _sheet_name(name: str, used: set) -> str:
    """A sheet name Excel accepts: no []:*?/\\, no apostrophe at either end, at most 31 UTF-16
    units, unique ignoring case (as Excel compares them)."""
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name))
    base = base[:31]
    while _utf16(base) > 31:
        base = base[:-1]
    base = ("_" + base[1:] if base.startswith("'") else base)
    base = (base[:-1] + "_" if base.endswith("'") else base) or "plan"
    out, i = base, 2
    while out.casefold() in used:
        out = f"{base[:28]}~{i}"
        i += 1
    used.add(out.casefold())
    return out


HEADER = Style(fill="DDEBF7", bold=True, header=True)
DECIMAL = Style(num_format="0.0")


def _row_values(r, columns) -> list:
    vals = []
    for key, _, _ in columns:
        v = r.get(key)
        if key == "progress_status":
            v = label("status", _str(v)) if _str(v) else ""
        elif key == "closing_status":  # a target 民政 no longer holds is listed, not judged
            v = (label("verdict", "transferred") if _str(r.get("verdict_code")) == "transferred"
                 else CP.status_word(r) if _str(v) else "")
        elif key == "unit":
            v = fmt.unit_text(_str(v), "zh")
        elif key in ("latest_year", "latest_value"):  # a target met late: its latest value
            v = CP.shown_value(r)[0 if key == "latest_value" else 1]
            v = None if _nan(v) else (round(float(v), 4) if key == "latest_value" else int(v))
        elif key in ("base_year", "target_year"):
            v = None if _nan(v) else int(v)
        elif key == "completion_progress":
            v = CP.progress_value(r)
        elif key in ("time_progress", "base_value"):
            v = None if _nan(v) else round(float(v), 4)
        elif key == "probability":
            v = _xlsx_probability(r)
        elif key == "verdict" and CP.judged(r.get("closing_status")):
            v = None  # 完成情况 says how it ended: no forecast word beside it
        vals.append(v)
    return vals


def _row_styles(r, keys, styles: dict) -> list:
    """Each cell's Style: status and verdict colours, the digits the pages show."""
    def style(**kw):  # one Style object per kind: the writer looks formats up by it
        k = tuple(sorted(kw.items()))
        s = styles.get(k)
        if s is None:
            s = styles[k] = Style(**kw)
        return s
    out = [None] * len(keys)
    st = _str(r.get("progress_status"))
    if st:
        out[keys.index("progress_status")] = style(fill=STATUS_COLORS[st].lstrip("#"), font_color="FFFFFF", bold=True)
    vc = None if CP.judged(r.get("closing_status")) else VERDICT_FILL.get(_str(r.get("verdict_code")))
    if vc:
        out[keys.index("verdict")] = style(fill=vc)
    for key in ("completion_progress", "time_progress"):
        out[keys.index(key)] = DECIMAL
    for key in ("base_value", "latest_value"):  # the digits the page shows, thousands separated
        out[keys.index(key)] = style(num_format=number_format_of(r.get(key), r))
    out[keys.index("probability")] = style(num_format=probability_format(r))
    return out


def _plan_rows(f: pd.DataFrame, columns):
    keys = [k for k, _, _ in columns]
    yield [h for _, h, _ in columns], [HEADER] * len(columns)
    styles: dict = {}
    for r in records(f):
        yield _row_values(r, columns), _row_styles(r, keys, styles)


def summary_sheets(res: pd.DataFrame, ds: Dataset) -> list[Sheet]:
    """The summary workbook as data: one sheet per plan, one row per target (and region), Chinese
    headers, status and verdict colours, the pages' number formats, frozen ids and names."""
    used: set = set()
    sheets = []
    for plan in (list(dict.fromkeys(res["plan"])) if len(res) else []):
        f = form(res[res["plan"] == plan], ds, plan, repeated="mark")
        # a region column only where the sheet spans regions (a regions plan)
        columns = [c for c in XLSX_COLUMNS if c[0] != "region_name" or f.get("region_name", pd.Series()).nunique() > 1]
        keys = [k for k, _, _ in columns]
        sheets.append(Sheet(_sheet_name(plan, used), _plan_rows(f, columns), widths=tuple(w for _, _, w in columns),
                            freeze=(1, keys.index("indicator_name") + 1), autofilter=True))
    return sheets or [Sheet("无数据", iter([(["没有可写入的评估结果"], None)]))]


def write_summary_xlsx(res: pd.DataFrame, path, ds: Dataset | None = None) -> Path:
    """summary.xlsx (or `assess --format xlsx --out`), written atomically."""
    return sheets_file(summary_sheets(res, ds if ds is not None else load()), path)
