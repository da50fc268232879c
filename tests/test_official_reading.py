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
    for t in two:  # at matplotlib's 1.2 the second line ran into the first (2.0 font heights in all)
        assert t.get_window_extent(renderer).height >= 2 * 1.4 * px
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
