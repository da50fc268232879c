"""The 总结评估 and 中期评估 pages and workbook as a civil-affairs official reads them: one reading per
row (no 序时进度 or forecast words beside an observed outcome), goals as planners write them, the
same word for the same state everywhere, every target counted once, late targets at their latest
value, standing rules apart from indicators on their way, charts that fit, no boilerplate over nothing."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import openpyxl
import pytest

import mzforecast as mzf
from mzforecast.evaluation import evaluate_series
from mzforecast.pages import closing as CP
from mzforecast.pages import evaluation as er
from mzforecast.pages import workbook as wbk
from mzforecast.plots import png
from mzforecast.targets import get_plan

from closing_cases import filled_14th  # noqa: I001

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ended(tmp_path_factory):
    os.environ["MZFORECAST_REFERENCE_YEAR"] = "2026"
    ds = mzf.load(filled_14th(tmp_path_factory.mktemp("review")))
    res = mzf.assess_plan("changchun-14th", ds)
    yield ds, res
    os.environ.pop("MZFORECAST_REFERENCE_YEAR", None)


def _sheet(wb, name=None):
    ws = wb[name] if name else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return {h: i for i, h in enumerate(rows[0])}, rows[1:]


def test_workbook_after_the_target_year_has_one_reading_per_row(ended, tmp_path):
    ds, res = ended
    out = wbk.write_summary_xlsx(res, tmp_path / "s.xlsx", ds)
    col, rows = _sheet(openpyxl.load_workbook(out))
    judged = [r for r in rows if r[col["完成情况"]] not in ("无数据", "待实际数据", None, "")]
    assert len(judged) == len(rows)  # every target of the filled plan has its 2025 value
    for r in judged:
        assert r[col["序时进度(%)"]] is None and not r[col["状态"]], r
        assert r[col["实现概率"]] is None and r[col["预测判断"]] is None, r  # never 未实现 beside 基本完成
    late = [r for r in rows if str(r[col["完成情况"]]).startswith("逾期完成")]
    assert late and all(r[col["现值年份"]] == 2025 and r[col["完成进度(%)"]] == "已达标" for r in late)


def test_no_time_progress_once_the_target_year_is_observed():
    t = get_plan("changchun-14th", mzf.load()).targets[0]
    e = evaluate_series(t, [2020, 2025], [1.7, 1.6], reference=2026)
    assert e["closing_status"] == "completed" and e["time_progress"] != e["time_progress"]  # NaN
    e = evaluate_series(t, [2020, 2023], [1.7, 1.6], reference=2024)
    assert e["time_progress"] == 60.0 and e["progress_status"]


def test_exact_goal_reads_as_planners_write_it_in_every_writer(tmp_path):
    from mzforecast.running.output import write_summary
    ds = mzf.load()
    res = mzf.assess_plan("jilin-13th", ds, reference=2026)
    recs = [{k: (None if v != v else v) if isinstance(v, float) else v for k, v in r.items()}
            for r in res.to_dict("records")]
    write_summary(tmp_path, [dict(ok=True, params_file="x.yaml", name="jilin-13th-evaluation", records=recs)])
    col, rows = _sheet(openpyxl.load_workbook(tmp_path / "summary.xlsx"), "jilin-13th")
    goals = {r[col["指标"]]: r[col["目标值"]] for r in rows}
    assert goals["社区养老老人占比"] == "7%" and goals["居家养老老人占比"] == "90%"
    assert not [g for g in goals.values() if g and (g.startswith(("'", "=")) or "==" in g)]
    html = er.page_html("jilin-13th", res, ds)
    assert "= 7%" not in html and "7%（2020年）" in html


def test_formula_protection_stays_in_the_workbook(ended, tmp_path):
    ds, res = ended
    bad = res.copy()
    bad["responsible_unit"] = "=HYPERLINK(\"http://x\")"
    out = wbk.write_summary_xlsx(bad, tmp_path / "f.xlsx", ds)
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert cells and not [c for c in cells if c.data_type == "f" or c.value.startswith("=")]


def test_awaiting_outcome_is_one_word_on_the_page_and_in_the_workbook(summary_book):
    d = mzf.load(ROOT / "data/examples/jilin-prefectures-synthetic.csv")
    p = get_plan(ROOT / "data/examples/jilin-prefectures-example.yaml", d)
    res = mzf.assess_plan(p, d, reference=2026)
    assert set(res.closing_status) == {"pending"} and set(res.verdict) == {"outcome_pending"}
    col, rows = _sheet(summary_book(res, d))
    assert {r[col["完成情况"]] for r in rows} == {"待实际数据"} == {r[col["预测判断"]] for r in rows}
    assert not [r for r in rows if r[col["状态"]]]  # the plan has ended: no 超前/滞后序时进度
    res13 = mzf.assess_plan("jilin-13th", mzf.load(), reference=2026)
    html = er.page_html("jilin-13th", res13, mzf.load())
    row = [x for x in html.split("<tr>") if x.startswith("<td>养老床位总数<")][0]  # 2015 value only
    assert "待实际数据" in row and "无数据" not in row


def test_thirteenth_counts_add_up_with_transferred_and_repeated_targets(summary_book):
    ds = mzf.load()
    res = mzf.assess_plan("changchun-13th", ds, reference=2026)
    html = er.page_html("changchun-13th", res, ds)
    head = html.split("<h2>总体情况</h2>")[1].split("</p>")[0]
    n = int(re.search(r"共 (\d+) 项指标", head).group(1))
    counted = sum(int(k) for k in re.findall(r"(?:完成|未完成|待实际数据|无数据|逾期完成|基本完成) (\d+) 项", head))
    assert "另有 13 项 2018 年机构改革划出民政" in head and "千米社区占比在规划中出现两次，按 1 项计" in head
    assert counted + 13 == n == len(res) - 1
    table = html.split("主要指标完成情况")[1]
    assert table.count("<td>千米社区占比<") == 1
    _, counts = er.index_view(res.to_dict("records"), ds, "changchun-13th")
    assert sum(counts.values()) == counted
    col, rows = _sheet(summary_book(res, ds))  # the workbook keeps one row per target id, marked
    km = [r[col["指标"]] for r in rows if r[col["指标"]].startswith("千米社区占比")]
    assert len(km) == 2 and sum(k.endswith("本行不计数）") for k in km) == 1


def test_late_target_at_its_latest_value(ended):
    ds, res = ended
    _, f = er.closing_form(res, ds)
    html = CP.form_html(f)
    row = [x for x in html.split("<tr>") if x.startswith("<td>县级公办养老机构覆盖率<")][0]
    assert "100.0%（2025）" in row and "99.0%（2022）" not in row
    assert "2022年差1.0个百分点，2023年达到" in row and "已达标" in row
    fig = CP.chart(f)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    i = labels.index("县级公办养老机构覆盖率")
    assert ax.patches[i].get_width() == 100  # the bar says what the label says: reached


def test_rules_section_holds_standing_rules_and_falls_only(ended):
    ds, res = ended
    html = er.page_html("changchun-14th", res, ds)
    binding = html.split("约束性指标完成情况")[1].split("主要指标完成情况")[0]
    assert "81.4%" not in binding and "80.7%" not in binding  # on the way to 100 % in 2025: no breach
    assert "规则" in binding and "覆盖率（≥ 100%，约束性）：" not in binding
    assert "困难残疾人生活补贴覆盖率（≥ 100%，约束性指标）" in binding  # an indicator, named so
    assert "2021 年已达到" not in html


def test_closing_chart_fits_and_names_every_row(ended):
    ds, res = ended
    _, f = er.closing_form(res, ds)
    fig = CP.chart(f)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(set(labels)) == len(labels)  # 乡（镇）级公益性公墓 ×2, 护理型床位占比 ×2 told apart
    assert any("农村特困人员基本生活标准" in lab and "上年度农村低保标准" in lab.replace("\n", "") for lab in labels)  # not cut
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "超额完成" not in legend and legend == [w for w in ("已完成", "逾期完成", "基本完成", "未完成")]
    data = png(fig)
    w = int.from_bytes(data[16:20], "big")
    assert f'width="{w}"' in er.progress_html(res, ds)  # shown at its own size, never scaled up
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent()
    assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height  # the legend is inside the picture


def test_no_star_legend_without_binding_targets():
    ds = mzf.load()
    res = mzf.assess_plan("changchun-13th", ds, reference=2026)
    _, f = er.closing_form(res, ds)
    fig = CP.chart(f)
    assert "★" not in fig.axes[0].get_xlabel() and not any("★" in t.get_text() for t in fig.axes[0].get_yticklabels())


def test_midterm_chart_legend_inside_and_met_ratio_reads_met(tmp_path):
    ds = mzf.load(filled_14th(tmp_path))
    res = mzf.assess_plan("changchun-14th", ds, as_of=2023)
    html = er.form_html(res, ds)
    assert not re.search(r"<td>[1-9]\d{2,}\.\d%</td>", html)  # never 580.0 %: a ratio already met reads 已达标
    assert "<td>已达标</td>" in html
    fig = er.progress_chart(res, ds)
    fig.canvas.draw()
    box = fig.axes[0].get_legend().get_window_extent()
    assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height and box.x0 >= 0


def test_tables_hide_an_empty_responsible_column_and_keep_goals_whole(ended):
    ds, res = ended
    _, f = er.closing_form(res, ds)
    html = CP.form_html(f)
    assert "责任单位" not in html and '<span class="nw">≥ 100%（2025年）</span>' in html
    f2 = f.assign(responsible_unit=["民政局"] + [""] * (len(f) - 1))
    assert "<th>责任单位</th>" in CP.form_html(f2)
    mid = er.form_html(mzf.assess_plan("jilin-2019", mzf.load(), reference=2019), mzf.load())
    assert "<th>责任单位</th>" in mid  # jilin-2019 names its 处室
    from mzforecast.plots import CLOSING_COLORS
    assert CP.TEXT_COLOURS["no_data"] != CLOSING_COLORS["no_data"]
    assert _contrast(CP.TEXT_COLOURS["no_data"]) >= 4.5 and _contrast(CP.TEXT_COLOURS["pending"]) >= 4.5


def _contrast(hex_colour: str) -> float:
    """WCAG contrast ratio of a text colour on white."""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return 1.05 / (lum + 0.05)


def test_nothing_to_judge_is_one_sentence():
    ds = mzf.load()
    for plan, n in (("changchun-14th", 38), ("jilin-2021", None)):
        res = mzf.assess_plan(plan, ds, reference=2026)
        html = er.page_html(plan, res, ds)
        head = html.split("<h2>总体情况</h2>")[1].split("<h2>")[0]
        n = n or len(res)
        assert re.search(rf"全部 {n} 项尚无(目标年（[\d、]+ 年）| \d+ 年)数据", head), head
        assert "已完成 0 项" not in head and "未完成 0 项" not in head and "基本完成：" not in head
        assert head.count("、") < 5  # no list of every name


def test_plan_page_says_a_target_missed_in_its_year_was_met_later(tmp_path):
    # the mid-term view of a filled 14th plan: a 2022 target missed in 2022 and met in 2023 reads
    # 逾期完成 on the plan page too, as on the evaluation form
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from closing_cases import filled_14th
    import mzforecast as mzf
    from mzforecast.data import load
    from mzforecast.pages import dashboard
    ds = load(filled_14th(tmp_path))
    res = mzf.assess_plan("changchun-14th", ds, as_of=2023)
    late = res[res.closing_status == "late"]
    assert len(late) and (late.verdict == "not_achieved").all()
    html = dashboard.overview(res, ds, "zh")
    assert html.count("逾期完成（2023年达到）") == len(late)


def test_plan_page_lists_binding_targets_first():
    import mzforecast as mzf
    from mzforecast.data import load
    from mzforecast.pages import dashboard
    ds = load()
    res = mzf.assess_plan("changchun-14th", ds)
    html = dashboard.risk_table(res, ds, "zh")
    kinds = [k for k in __import__("re").findall(r"<td>(约束性|预期性)</td>", html)]
    assert "约束性" in kinds and "预期性" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "约束性")  # every 约束性 row before any 预期性 row
