"""Test data for the 总结评估 cases of issue 20, built here rather than stored.

`filled_14th(tmp)`: the 14th-plan template filled with 2019–2025 figures (tests/fill_template.py),
then the cells the cases need set by hand: 农村特困 ÷ 上年农村低保 from 1.91× (2020) down through
1229/820 = 1.4988× (2024) to 1.45× (2025); a 2022 target met only in 2023; a binding coverage met,
lost in 2024 and regained; 59.5 % against 60 %.
`extra_plan(tmp)`: a small plan with growth (年均增长, with and without a base-year value),
新增 (without a base-year value), `between` and 左右 targets, and a CSV of its data.
"""
from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from fill_template import fill  # noqa: E402

from mzforecast import cli  # noqa: E402
from mzforecast.data import column_name  # noqa: E402
from mzforecast.io.template import DATA_SHEET  # noqa: E402

# 农村低保 in 元/人·年 (12 × monthly); 农村特困 in 元/人·月: ratio to the previous year's 低保
DIBAO_RURAL_MONTHLY = {2019: 450, 2020: 500, 2021: 560, 2022: 640, 2023: 820, 2024: 860, 2025: 900}
TEKUN_RURAL = {2019: 800, 2020: 860, 2021: 900, 2022: 1000, 2023: 1000, 2024: 1229, 2025: 1247}
CELLS = {
    "dibao_standard_rural": {y: v * 12 for y, v in DIBAO_RURAL_MONTHLY.items()},
    "tekun_standard_rural": TEKUN_RURAL,
    # 2022 target (100 %): 99 in 2022, met in 2023: met late
    "county_public_elderly_home_coverage": {2020: 80, 2021: 90, 2022: 99, 2023: 100, 2024: 100, 2025: 100},
    # binding 100 %: met 2022–2023, lost in 2024, back in 2025
    "disability_living_allowance_coverage": {2020: 90, 2021: 96, 2022: 100, 2023: 100, 2024: 98, 2025: 100},
    "township_comprehensive_elderly_care_coverage": {2020: 45, 2025: 59.5},
    # the office's own 社会工作专业人才 series: no proxy
    "social_work_professionals": {2020: 4500, 2025: 6400},
}


def set_cells(path: Path, cells: dict) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[DATA_SHEET]
    header = [column_name(c.value) for c in ws[1]]  # '指标代码（indicator）' -> 'indicator'
    cols = {int(h): i for i, h in enumerate(header) if str(h).isdigit()}
    icol = header.index("indicator")
    for row in ws.iter_rows(min_row=2):
        for y, v in cells.get(row[icol].value, {}).items():
            row[cols[y]].value = v
    wb.save(path)


def filled_14th(tmp: Path) -> Path:
    t, filled = tmp / "t.xlsx", tmp / "filled.xlsx"
    assert cli.main(["template", "changchun-14th", "--from", "2019", "--out", str(t)]) == 0
    assert fill(t, filled, "changchun-14th", until=2025) > 100
    set_cells(filled, CELLS)
    return filled


PLAN = """id: extra-closing
name_zh: 示例规划（总结评估测试）
region: changchun
source: changchun-14th
base_year: 2020
target_year: 2025
targets:
  - id: growth-beds
    indicator: elderly_care_beds
    kind: growth
    comparator: ">="
    value: 5
    tolerance: 1
    unit: percent
    quote: 养老床位年均增长5%左右
  - id: growth-no-base
    indicator: child_welfare_beds
    kind: growth
    comparator: ">="
    value: 5
    unit: percent
    quote: 儿童福利床位年均增长5%以上
  - id: add-no-base
    indicator: child_welfare_institutions
    kind: change
    comparator: ">="
    value: 10
    unit: institutions
    quote: 新增儿童福利机构10个
  - id: between-coverage
    indicator: community_home_care_centre_coverage
    comparator: between
    value: 30
    value_high: 35
    unit: percent
    quote: 社区居家养老服务中心覆盖率达到30%–35%
  - id: about-orgs
    indicator: social_organisations
    comparator: ">="
    value: 10000
    tolerance: 500
    unit: organisations
    quote: 社会组织达到1万个左右
"""
DATA = {  # elderly_care_beds 2020 (48,000) and social_organisations 2020 (8,283) are bundled
    "elderly_care_beds": ("beds", {2025: 62000}),
    "child_welfare_beds": ("beds", {2021: 1000, 2022: 1060, 2023: 1124, 2024: 1191, 2025: 1262}),
    "child_welfare_institutions": ("institutions", {2021: 40, 2022: 44, 2023: 48, 2024: 52, 2025: 55}),
    "community_home_care_centre_coverage": ("percent", {2020: 25, 2023: 31, 2025: 36}),
    "social_organisations": ("organisations", {2025: 9600}),
}


def extra_plan(tmp: Path) -> tuple[Path, Path]:
    plan, data = tmp / "extra-closing.yaml", tmp / "extra.csv"
    plan.write_text(PLAN, encoding="utf-8")
    lines = ["region,indicator,year,value,unit,source"]
    for ind, (unit, vals) in DATA.items():
        lines += [f"changchun,{ind},{y},{v},{unit},office" for y, v in vals.items()]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plan, data
