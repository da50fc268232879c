"""The summary workbook: summary.xlsx of a run and `assess --format xlsx`, the evaluation form
(pages.evaluation.form) one sheet per plan, one row per target (and region), Chinese headers,
status colours. Imports leaves, data, engine, `plots` and the evaluation page's form.
"""
from __future__ import annotations

import math
from copy import copy
from pathlib import Path

import pandas as pd

from .. import fmt
from ..data import Dataset, load
from ..errors import DataError
from ..io.write import workbook_file
from ..messages import label
from ..messages.pages import EVALUATION as W, WORDS
from ..plots import STATUS_COLORS
from ..safe import csv_cell, memo_text
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


def _sheet_name(name: str, used: set) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name))[:31] or "plan"
    out, i = base, 2
    while out in used:
        out = f"{base[:28]}~{i}"
        i += 1
    used.add(out)
    return out


class _Styles:
    """A row's cell styles set through openpyxl the first time each one occurs, copied after.

    Setting a fill, font or number format registers it in the workbook with a lookup that hashes
    and compares the style objects, once per cell (slow on a workbook of 100,000 rows);
    copying the cell's style array does not. The workbook is the same: the first cell of each
    style registers it at the point the cell-by-cell way did, and ids follow first use."""

    def __init__(self):
        self.seen = {}

    def set(self, cell, key, apply):
        done = self.seen.get(key)
        if done is None:
            apply(cell)
            self.seen[key] = copy(cell._style)
        else:
            cell._style = copy(done)

    def number_format(self, cell, code: str):
        self.set(cell, ("number_format", code), lambda c: setattr(c, "number_format", code))


def summary_workbook(res: pd.DataFrame, ds: Dataset):
    """openpyxl Workbook: one sheet per plan, one row per target, Chinese headers, status colours."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    styles = _Styles()
    safe = memo_text(csv_cell)  # the same few texts in most rows
    plans = list(dict.fromkeys(res["plan"])) if len(res) else []
    for plan in plans:
        f = form(res[res["plan"] == plan], ds, plan, repeated="mark")
        ws = wb.create_sheet(_sheet_name(plan, used))
        # a region column only where the sheet spans regions (a regions plan)
        columns = [c for c in XLSX_COLUMNS if c[0] != "region_name" or f.get("region_name", pd.Series()).nunique() > 1]
        keys = [k for k, _, _ in columns]
        ws.append([h for _, h, _ in columns])
        row = 1
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in records(f):
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
            ws.append([safe(v) for v in vals])  # ids, names and 责任单位 come from plan files
            row += 1  # not ws.max_row: it scans every cell, once per row

            def cell(key):
                return ws.cell(row=row, column=keys.index(key) + 1)
            st = _str(r.get("progress_status"))
            if st:
                styles.set(cell("progress_status"), ("status", st), lambda c: (
                    setattr(c, "fill", PatternFill("solid", fgColor=STATUS_COLORS[st].lstrip("#"))),
                    setattr(c, "font", Font(color="FFFFFF", bold=True))))
            vc = None if CP.judged(r.get("closing_status")) else VERDICT_FILL.get(_str(r.get("verdict_code")))
            if vc:
                styles.set(cell("verdict"), ("verdict", vc), lambda c: setattr(c, "fill", PatternFill("solid", fgColor=vc)))
            for key in ("completion_progress", "time_progress"):
                styles.number_format(cell(key), "0.0")
            for key in ("base_value", "latest_value"):  # the digits the page shows, thousands separated
                styles.number_format(cell(key), number_format_of(r.get(key), r))
            styles.number_format(cell("probability"), probability_format(r))
        for i, (_, _, w) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = ws.cell(row=2, column=keys.index("indicator_name") + 2).coordinate
        ws.auto_filter.ref = ws.dimensions
    if not wb.sheetnames:
        ws = wb.create_sheet("无数据")
        ws.append(["没有可写入的评估结果"])
    return wb


def write_summary_xlsx(res: pd.DataFrame, path, ds: Dataset | None = None) -> Path:
    """summary.xlsx (or `assess --format xlsx --out`), written atomically."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DataError("the workbook needs a name ending in .xlsx", file=str(path))
    return workbook_file(summary_workbook(res, ds if ds is not None else load()), path)
