"""The pages as a 民政 planning office reads them: wrapped indicator names in charts legible, the
总结评估 page's findings about every target under their own heading rather than the binding one,
the 目标测算 table's implied growth in the same terms as the growth beside it, and the drafting
note's extrapolation not mistaken for the forecast."""
from __future__ import annotations

import re

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import mzforecast as mzf
from mzforecast.pages import closing as CP
from mzforecast.pages import evaluation as er
from mzforecast.pages import target_setting as ts
from mzforecast.propose import assess_draft


@pytest.fixture(scope="module")
def thirteenth():
    ds = mzf.load()
    return ds, mzf.assess_plan("changchun-13th", ds, reference=2026)


def test_two_line_chart_names_keep_their_lines_apart(thirteenth):
    ds, res = thirteenth
    _, f = er.closing_form(res, ds)
    fig = CP.chart(f)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = fig.axes[0].get_yticklabels()
    two = [t for t in ticks if "\n" in t.get_text()]
    assert two, "the 13th plan's 社会组织数 (年均增长 …) label wraps on two lines"
    px = two[0].get_fontsize() * fig.dpi / 72
    one = min(t.get_window_extent(renderer).height for t in ticks if "\n" not in t.get_text())
    for t in two:  # the second line's pitch: at matplotlib's 1.2 it was 1.2 font heights and ran into the first
        assert t.get_window_extent(renderer).height - one >= 1.4 * px
    boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 for a, b in zip(boxes, boxes[1:]))  # no label runs into the next


def test_other_findings_are_not_under_the_binding_heading(thirteenth):
    ds, res = thirteenth
    html = er.page_html("changchun-13th", res, ds)
    binding = html.split("<h2>约束性指标完成情况</h2>")[1].split("<h2>")[0]
    assert "本规划未设约束性指标。" in binding
    assert "目标年无数据、无法评估的指标" not in binding  # about every target: not a binding finding
    other = html.split("<h2>其他需要说明的情况</h2>")[1].split("<h2>")[0]
    assert re.search(r"目标年无数据、无法评估的指标 \d+ 项", other)
    assert html.index("其他需要说明的情况") < html.index("主要指标完成情况")


@pytest.fixture(scope="module")
def draft():
    ds = mzf.load()
    d = assess_draft("changchun-15th-draft-example", ds)
    return d, ts.table(d, ds)


def test_implied_growth_of_a_share_is_in_points_and_a_rule_has_none(draft):
    d, t = draft
    head = "隐含年均增速"
    share = d.index[(d.unit == "percent") & (d.kind == "ratio")][0]
    r = d.loc[share]
    expected = (r.target_value - r.latest_value) / r.horizon
    assert t.loc[share, head] == f"{expected:.1f}个百分点/年"  # 85 % from 70.4 % in 10 years: 1.5, not 1.9 %
    assert t.loc[share, "上一规划期年均增速"].startswith(f"{r.period_growth:.1f}个百分点/年")  # same terms
    for i in d.index[d.ambition_class == "rule"]:  # 特困 ≥ 1.5×: set by the rule, grown to by no one
        assert t.loc[i, head] == "–"
    level = d.index[d.indicator == "dibao_standard_urban"][0]
    assert t.loc[level, head] == f"{d.loc[level, 'target_cagr']:.1f}%"


def test_drafting_note_extrapolation_is_not_the_forecast(draft):
    d, t = draft
    notes = " ".join(t["起草说明"])
    assert "按此趋势" not in notes
    assert "若保持这一增速" in notes and "简单外推，非预测中位数" in notes


def test_a_share_target_reads_its_pace_in_points_on_the_page_and_the_card():
    from mzforecast.pages.dashboard import plain_words
    plan = mzf.get_plan("changchun-14th")
    ds = mzf.load()
    df = mzf.assess_plan(plan, ds)
    r = df[df.target_id == "table-02-rural-urban-dibao"].iloc[0]
    assert r.unit == "percent" and r.required_increment > 0 and r.historical_increment > 0
    txt = plain_words(r, ds, "zh")
    req = f"{r.required_increment:.1f}个百分点"
    assert f"需年均提高 {req}" in txt and f"历史年均提高 {r.historical_increment:.1f}个百分点" in txt, txt
    assert "需年均增长" not in txt, txt
    card = mzf.assess(mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds), ds)
    rows = dict(card._lines("zh"))
    assert rows["所需年均提高"] == req, rows
