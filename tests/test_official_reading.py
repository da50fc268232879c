"""The pages as a 民政 planning office reads them: wrapped indicator names in charts legible, the
总结评估 page's findings about every target under their own heading rather than the binding one,
the 目标测算 table's implied growth in the same terms as the growth beside it, and the drafting
note's extrapolation not mistaken for the forecast."""
from __future__ import annotations

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
