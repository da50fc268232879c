"""`mzforecast template`: the Excel workbook an office fills with its 2021–2025 figures.

The first sheet is in the wide yearbook layout that `--data` reads (columns 地区代码（region）,
指标代码（indicator）, 单位（unit） in Chinese words (个, 平方米/百户) and one column per year; the
bracketed code is what the reader reads; 指标名称 and 相关目标 (each target in words) are
descriptive and ignored by the reader, and 来源（source） names where the row's figures come from). Values the bundled data already hold are filled in, shaded grey and carry a cell
comment naming their source; re-reading them changes nothing (data.merge keeps the bundled
row when a file repeats its value). The second sheet, 填写说明, tells the office how to fill it.
"""
from __future__ import annotations

from pathlib import Path

from types import SimpleNamespace

from .. import fmt, units as U
from ..messages.goal import goal_text as plain_goal, target_name
from ..data import Dataset, load
from ..data.names import plan_region
from ..errors import DataError
from ..safe import csv_cell, xml_text
from ..targets import Plan, get_plan
from .write import workbook_file

DATA_SHEET, HELP_SHEET = "数据", "填写说明"
KNOWN_FILL = "D9D9D9"
HEADER_FILL = "DDEBF7"
# the machine-read columns carry their code in brackets (data.tables.column_name reads '地区（region）')
FIXED = ["指标名称", "指标代码（indicator）", "地区代码（region）", "单位（unit）", "来源（source）"]
TAIL = "相关目标"


def unit_for_file(unit: str) -> str:
    """The unit as a Chinese page writes it (fmt.UNIT_ZH: 个, 平方米/百户, 分钟) when the reader reads it
    back as the same quantity (units.convert: factor 1), else the unit id."""
    zh = fmt.UNIT_ZH.get(unit)
    if zh:
        try:
            canon, mult = U.normalise(zh)
            if mult == 1.0 and U.convertible(canon, unit) and U.factor(canon, unit) == 1.0:
                return zh
        except (KeyError, ValueError):
            pass
    return unit


def target_words(t, ds: Dataset) -> str:
    """A target as the office reads it: '城市低保标准 ≥ 950元/人·月（2025年）', not its id."""
    goal = plain_goal(SimpleNamespace(kind=t.kind, comparator=t.comparator, target_value=t.value, unit=t.unit,
                                      target_value_high=t.value_high, tolerance=t.tolerance, flags=None), "zh")
    return f"{target_name(t, ds, 'zh')} {goal}（{t.target_year}年）"


def needed_indicators(plan: Plan) -> dict[str, list]:
    """Indicator id -> the targets that need it (denominators of ratio targets included)."""
    out: dict[str, list] = {}
    for t in plan.targets:
        for ind in (t.indicator, t.denominator):
            if ind:
                out.setdefault(ind, []).append(t)
    return out


def default_years(plan: Plan) -> tuple[int, int]:
    """Base year (one earlier when a target divides by the previous year's value) to target year."""
    lag = max((t.denominator_lag for t in plan.targets), default=0)
    return plan.base_year - lag, plan.target_year


def build(plan_id: str, ds: Dataset | None = None, region: str | None = None, year_from: int | None = None,
          year_to: int | None = None):
    """The workbook (openpyxl) for one plan and region."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ds = ds if ds is not None else load()
    plan = get_plan(plan_id, ds)
    region = plan_region(plan, region, ds.regions)
    if region not in ds.regions:
        raise DataError(f"unknown region '{region}'", fix="known regions: " + ", ".join(ds.regions))
    y0, y1 = default_years(plan)
    y0 = y0 if year_from is None else year_from
    y1 = y1 if year_to is None else year_to
    if not (1949 <= y0 <= 2100 and 1949 <= y1 <= 2100):
        raise DataError(f"year range {y0}-{y1} is not valid: years run from 1949 to 2100",
                        fix="give --from and --to within 1949-2100")
    if y0 > y1:
        raise DataError(f"year range {y0}-{y1} is not valid", fix="give --from YEAR no later than --to YEAR")
    years = list(range(y0, y1 + 1))
    need = needed_indicators(plan)

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    header = FIXED + [str(y) for y in years] + [TAIL]
    ws.append(header)
    bold, hfill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for c in ws[1]:
        c.font, c.fill = bold, hfill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    grey = PatternFill("solid", fgColor=KNOWN_FILL)
    obs = ds.observations
    first_year_col = len(FIXED) + 1
    n_known, r = 0, 1
    for ind, tids in need.items():
        meta = ds.indicators[ind]
        row = [meta.name_zh, ind, region, unit_for_file(meta.unit), ""] + [None] * len(years) + [
            "；".join(dict.fromkeys(target_words(t, ds) for t in tids))]
        ws.append([csv_cell(v) for v in row])  # names and ids come from plan and data files
        r += 1
        mine = obs[(obs.region == region) & (obs.indicator == ind) & obs.year.between(y0, y1)]
        # the digits the pages show (fmt decides them by unit: counts whole), on the cells to fill too
        shown = fmt.excel_format(mine.value.abs().max() if len(mine) else None, meta.unit)
        for k in range(len(years)):
            ws.cell(row=r, column=first_year_col + k).number_format = shown
        for rec in mine.itertuples():
            c = ws.cell(row=r, column=first_year_col + years.index(int(rec.year)), value=float(rec.value))
            c.fill = grey
            src = ds.sources.get(rec.source)
            title = f"{src.title}（{src.issuer}，{src.date}）" if src else str(rec.source)
            c.comment = Comment(xml_text(f"已有数据，来源：{title}"), "mzforecast", width=300, height=80)
            n_known += 1
    last = r
    # number-only year cells
    dv = DataValidation(type="decimal", operator="between", formula1="-1000000000000", formula2="1000000000000",
                        allow_blank=True, showErrorMessage=True, errorTitle="只能填写数字",
                        error="请填写数字（不带单位、不带千分位逗号以外的文字）；单位见“单位”列。",
                        promptTitle="填写数值", prompt="填写该年数值，单位见“单位”列；不知道的留空。",
                        showInputMessage=True)
    if last >= 2:
        dv.add(f"{get_column_letter(first_year_col)}2:{get_column_letter(first_year_col + len(years) - 1)}{last}")
    ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=2, column=first_year_col)
    widths = dict(zip(FIXED, (34, 34, 14, 14, 22))) | {TAIL: 48}
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(h, 11)
    ws.cell(row=1, column=FIXED.index("来源（source）") + 1).comment = Comment(
        "可选：本行所填数据的来源，例如“2023年社会服务统计年报”。", "mzforecast")

    hs = wb.create_sheet(HELP_SHEET)
    hs.column_dimensions["A"].width = 110
    for line in help_lines(plan, ds.regions[region].name_zh, years, n_known):
        hs.append([csv_cell(line)])
        hs.cell(row=hs.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    hs.cell(row=1, column=1).font = Font(bold=True, size=14)
    return wb


def help_lines(plan: Plan, region: str, years: list[int], n_known: int) -> list[str]:
    """The 填写说明 sheet; `region` is the region's Chinese name."""
    return [
        f"{plan.name_zh} 数据填写模板（地区：{region}，{years[0]}–{years[-1]} 年）",
        "",
        "一、用途：在“数据”表中填入本地区各年度实际数据，保存后运行 "
        "mzforecast run --data 本文件.xlsx（或 mzforecast assess --plan "
        f"{plan.id} --data 本文件.xlsx），即可得到完成进度、序时进度和实现概率。",
        "二、每行一个指标，每列一个年份。只在年份列中填写数字：不要写单位、不要写“约”“左右”等文字，"
        "百分比填 72.5 而不是 72.5% 或 0.725。不知道的年份留空，不要填 0。",
        "三、数值的单位以“单位”列为准（如 元/人·月、%、张）。若手头数据单位不同（如 万张），"
        "可把“单位”列改为该单位（如 万张），程序会自动换算；改单位后整行（包括灰色单元格）都要按新单位填写。",
        f"四、灰色底纹的单元格是程序已掌握的数据（共 {n_known} 个），批注中注明了来源。"
        "核实无误不必改动；如有更新的正式数据，可直接覆盖，程序会以您填写的数为准并提示覆盖。",
        "五、请勿修改“指标代码”“地区代码”两列和第一行表头，请勿删除或插入列；可以删除不需要的行。"
        "指标名称、相关目标两列仅供参考，程序不读取。",
        "六、“来源”列（可选）写明本行数据来源，例如“2023年社会服务统计年报”，会显示在报告的数据来源中。",
        "七、比率类目标（如农村低保标准占城市低保标准比例、特困人员供养标准与上年度低保标准之比）"
        "由分子、分母两个指标计算，两行都需要填写；与“上年度”相比的目标需要填写上一年的分母。",
        "八、基期年份的数据用于计算完成进度 = (现值 − 基期值) / (目标值 − 基期值)；"
        "序时进度 = (现值年份 − 基期年) / (目标年 − 基期年)。缺少基期值的指标无法计算完成进度。",
        "九、统计报表（社会服务统计季报/年报，“指标名称 | 单位 | 数量”格式）可用 "
        "mzforecast data import 报表.xlsx --region 地区 --year 年份 --out 数据.csv 直接转换，"
        "再与本模板一起用 --data 读入。",
    ]


def write(plan_id: str, out: str | Path, ds: Dataset | None = None, region: str | None = None,
          year_from: int | None = None, year_to: int | None = None) -> Path:
    """Build and save atomically (a half-written workbook never replaces a good one)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise DataError("the template is an Excel workbook", file=str(out), fix="give --out a name ending in .xlsx")
    if out.is_dir():
        raise DataError("is a folder", file=str(out), fix="give --out a file name ending in .xlsx")
    return workbook_file(build(plan_id, ds, region, year_from, year_to), out)
