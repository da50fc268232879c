"""The regions dashboard: what it ranks, counts and lists, in the small and the compact layout."""
import importlib.util
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import mzforecast as mzf
from mzforecast import regional
from mzforecast.pages import regions as rr

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data/examples/jilin-prefectures-example.yaml"
DATA = ROOT / "data/examples/jilin-prefectures-synthetic.csv"


@pytest.fixture(scope="module")
def jilin():
    ds = mzf.load([DATA])
    p = mzf.get_plan(str(PLAN), ds)
    # mid-plan (the example's data end in 2023, its target year is 2025): the run stands in 2024,
    # not on the clock, so 序时进度 is read rather than the closing form once 2025 has passed
    return ds, p, regional.assess_regions(p, ds, reference=2024)


@pytest.fixture(scope="module")
def jilin_passed():
    """The same example read in 2026, once its target year (2025) has passed without an outcome."""
    ds = mzf.load([DATA])
    p = mzf.get_plan(str(PLAN), ds)
    return ds, p, regional.assess_regions(p, ds, reference=2026)


def test_example_is_synthetic_and_separate():
    assert "synthetic" in DATA.name
    df = pd.read_csv(DATA)
    assert set(df.source) == {"synthetic-example"} and df.note.str.contains("合成").all()
    bundled = pd.read_csv(ROOT / "data/observations.csv")
    assert not (bundled.source == "synthetic-example").any()
    assert set(df.region) == {"changchun", "jilin_city", "siping", "liaoyuan", "tonghua", "baishan", "songyuan",
                              "baicheng", "yanbian"}
    # the example's indicators have no sourced prefecture data, so no real figure is mixed with synthetic ones
    assert not bundled[bundled.region.isin(df.region) & bundled.indicator.isin(df.indicator)].shape[0]


def test_ranked_lowest_probability_first(jilin_passed):
    ds, p, res = jilin_passed
    t = p.targets[0]
    r = rr.ranked(res, t.id)
    assert list(r["rank"]) == list(range(1, 10)) and r.region.nunique() == 9
    # the example's target year (2025) has passed: every row is outcome_pending, ranked by its nowcast
    assert (r.verdict == "outcome_pending").all() and r.probability.isna().all()
    assert rr.chance(r).is_monotonic_increasing and rr.chance(r).notna().all()
    assert "推算" in rr.target_section(p.targets[0], res, ds)


def test_counts_and_behind_schedule(jilin):
    ds, p, res = jilin
    for t in p.targets:
        c = rr.status_counts(res, t.id)
        assert sum(c.values()) == 9
        b = rr.behind(res, t.id)
        assert (b.progress_status == "behind").all()
        assert (b.completion_progress < b.time_progress).all()
    assert any(len(rr.behind(res, t.id)) for t in p.targets)


def test_section_lists_every_region_and_marks_the_example(jilin):
    ds, p, res = jilin
    html = rr.target_section(p.targets[0], res, ds)
    for r in ("延边朝鲜族自治州", "长春市", "白城市"):
        assert r in html
    assert "滞后序时进度的地区" in html
    assert "合成数据" in rr.page_header(p, ds, res)


def test_dot_plot_and_fan_charts_for_each_region(jilin):
    ds, p, res = jilin
    t = p.targets[0]
    fig = rr.dot_plot(t, res, ds)
    assert len(fig.axes[0].get_yticklabels()) == 9
    fig = rr.small_multiples(t, res, ds)
    assert sum(ax.get_visible() for ax in fig.axes) == 9


def test_compact_layout_for_many_regions(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    sc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sc)
    csv, plan = sc.write(tmp_path, 60, 2, seed=5)
    ds = mzf.load([csv])
    p = mzf.get_plan(str(plan), ds)
    res = regional.assess_regions(p, ds)
    t = p.targets[0]
    html = rr.target_section(t, res, ds)
    assert html.count("<tr>") - html.count("<thead><tr>") <= 2 * rr.COMPACT_ROWS
    assert "其余 40 个地区" in html
    fig = rr.small_multiples(t, res, ds)
    assert sum(ax.get_visible() for ax in fig.axes) == rr.WORST_CHARTS
    fig = rr.dot_plot(t, res, ds)
    assert fig.axes[0].get_yticks().size == 0  # a strip of dots, not one labelled row per region
    assert len(fig.axes[0].collections[0].get_offsets()) == res[res.target_id == t.id].probability.notna().sum()


@pytest.mark.slow
def test_regions_dashboard_renders_for_the_bundled_example(tmp_path):
    from mzforecast import running as runner
    index, results = runner.run([ROOT / "params/jilin-prefectures-example.yaml"], tmp_path / "out", jobs=1,
                                progress=False)
    assert results[0]["ok"], results[0]["error"]
    page = (tmp_path / "out/jilin-prefectures-example.html").read_text(encoding="utf-8")
    assert "延边朝鲜族自治州" in page and "合成数据" in page
    summary = pd.read_csv(tmp_path / "out/summary.csv")
    assert len(summary) == 9 * 5


def _visible(html: str) -> str:
    """The text a reader sees: tags (and their attributes, e.g. generated ids) removed."""
    import re
    return re.sub(r"<[^>]+>", " ", html)


def test_chinese_page_is_chinese_throughout(jilin):
    ds, p, res = jilin
    head = _visible(rr.page_header(p, ds, res))
    for i, t in enumerate(p.targets, 1):
        html = rr.target_section(t, res, ds)
        text = _visible(html)
        assert t.id not in text  # ids only in the generated anchor
        assert f"<h2 id='t{i}'>{ds.indicators[t.indicator].name_zh}</h2>" in html
        for ascii_mark in ("(", ")", ";", ": ", ", "):
            assert ascii_mark not in text + head, (t.id, ascii_mark)
        assert "（" in text and "；" in text and "2025年" in text
    # a level target's goal as reports.goal_text writes it, a relative one in words
    from mzforecast import pages as reports
    t = p.targets[2]
    assert reports.goal_text(rr.ranked(res, t.id).iloc[0], "zh") in rr.target_section(t, res, ds)
    assert "比基期" in _visible(rr.target_section(p.targets[0], res, ds))


def test_english_page_is_english(jilin):
    import re
    ds, p, res = jilin
    head = _visible(rr.page_header(p, ds, res, language="en"))
    assert "all available data" in head
    assert "with data up to 2023" in rr.page_header(p, ds, res, as_of=2023, language="en")
    assert "按截至 2023 年的数据" in rr.page_header(p, ds, res, as_of=2023)
    for t in p.targets:
        html = rr.target_section(t, res, ds, "en")
        text = _visible(html).replace(t.quote, "")  # the document's own words stay as quoted
        assert t.id not in text and ds.indicators[t.indicator].name_en in text
        assert not re.search(r"[\u3000-\u303f\uff00-\uffef]", text), t.id  # no fullwidth punctuation
        assert "binding" in text or "expected" in text


def test_progress_shown_as_the_evaluation_form_gives_it(jilin):
    """完成进度 is already in percent (evaluation.py): a base value that met the target shows 100%."""
    from mzforecast import evaluation as E
    ds, p, res = jilin
    t = next(x for x in p.targets if x.id == "care-worker-certification")
    row = res[(res.target_id == t.id) & (res.region == "jilin_city")].iloc[0]
    assert row.base_value >= t.value  # already met in the base year
    expected = E.completion_progress(t.for_region("jilin_city"), row.base_value, row.latest_value)
    assert expected == row.completion_progress == 100.0
    html = rr.target_section(t, res, ds)
    assert "100.0%" in html and "10000%" not in html and "6000%" not in html
    assert "60.0%" in html  # 序时进度: 3 of 5 years
    # the evaluation form's columns: 基期值 and 超前/符合/滞后序时进度 beside 完成进度 and 序时进度
    assert "<th>基期值</th>" in html and "<th>进度状态</th>" in html
    n_behind = (res[res.target_id == t.id].progress_status == "behind").sum()
    assert html.count(">滞后序时进度</span>") == n_behind > 0 and ">超前序时进度</span>" in html
    unit = t.model_copy(update={"responsible_unit": "市民政局社会救助科"})
    assert "责任单位：市民政局社会救助科" in rr.target_section(unit, res, ds)


def test_charts_drawn_outside_pyplot_with_every_glyph(jilin):
    import warnings

    import matplotlib.pyplot as plt
    from mzforecast import plots
    ds, p, res = jilin
    before = plt.get_fignums()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for language in ("zh", "en"):
            for t in p.targets[:2]:
                for fig in (rr.dot_plot(t, res, ds, language), rr.small_multiples(t, res, ds, language=language)):
                    assert fig is not None
                    assert plots.png(fig)[:4] == b"\x89PNG"
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    assert plt.get_fignums() == before  # nothing left open in pyplot


def test_header_counts_region_target_pairs_not_regions(jilin):
    ds, p, res = jilin
    head = rr.page_header(p, ds, res)
    assert "各类判断的地区·目标项次：" in head and "各类判断的地区数" not in head
    assert sum(rr.status_counts(res).values()) == len(res) == res.region.nunique() * len(p.targets)
    assert "各类判断的地区数：" in rr.target_section(p.targets[0], res, ds)  # per target: regions


def test_midterm_section_lists_the_regions_behind_schedule(jilin):
    """As of the data year (2023 of 2020–2025) a region at 33 % of the way against 60 % of the time
    is 滞后: counted in the heading and listed, never 「没有地区滞后」 beside such rows."""
    ds, p, res = jilin
    for t in p.targets:
        html = rr.target_section(t, res, ds)
        rows = res[res.target_id == t.id]
        lagging = rows[rows.completion_progress < rows.time_progress - 5]
        assert len(lagging) == len(rr.behind(res, t.id))
        assert f"滞后序时进度的地区（{len(lagging)}）" in html
        if len(lagging):
            assert "没有地区滞后" not in html
    yanbian = res[(res.region == "yanbian") & (res.target_id == p.targets[0].id)].iloc[0]
    assert yanbian.progress_status == "behind"


def test_section_after_the_target_year_has_no_schedule(jilin_passed):
    """Once the target year has passed (总结评估) no 序时进度, 进度状态 or 滞后 section on any target,
    and no 序时进度 number in the frame either (so no workbook shows one); 完成情况 instead."""
    ds, p, res = jilin_passed
    assert res.time_progress.isna().all() and (res.progress_status == "").all()
    for t in p.targets:
        html = rr.target_section(t, res, ds)
        for word in ("序时进度", "进度状态", "滞后"):
            assert word not in html, word
        assert "完成情况" in html and "总结评估" in html and "目标年 2025 年已过" in html


def test_regions_workbook_after_the_target_year_has_no_time_progress(jilin_passed, tmp_path):
    import openpyxl
    from mzforecast.pages.workbook import write_summary_xlsx
    ds, p, res = jilin_passed
    ws = openpyxl.load_workbook(write_summary_xlsx(res, tmp_path / "r.xlsx", ds)).active
    head = [c.value for c in ws[1]]
    cols = [i for i, h in enumerate(head) if h and ("序时进度" in h or h == "状态")]
    assert cols and all(row[i] in (None, "", "–") for row in ws.iter_rows(min_row=2, values_only=True) for i in cols)


def test_small_multiples_legend_path_and_unit_label(jilin):
    """The grid has one legend naming the dotted 年度分解 and dash-dot 基年 lines; no chart draws a
    年度分解 that falls for a ≥ target (a region whose base already met it has none); the unit label
    above the axis clears the top tick label."""
    from mzforecast.messages.pages import CHART
    ds, p, res = jilin
    for t in p.targets[:3]:
        fig = rr.small_multiples(t, res, ds)
        assert fig.legends, t.id
        words = [x.get_text() for x in fig.legends[0].get_texts()]
        assert CHART["zh"]["path"] in words and CHART["zh"]["base"] in words and CHART["zh"]["target"] in words
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        r = canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for ln in ax.get_lines():
                if ln.get_label() == CHART["zh"]["path"]:
                    y = ln.get_ydata()
                    assert y[-1] >= y[0], (t.id, ax.get_title())
            lo, hi = ax.get_ylim()
            shown = [lb for lb, v in zip(ax.get_yticklabels(), ax.get_yticks()) if lb.get_text() and lo <= v <= hi]
            top = max(shown, key=lambda lb: lb.get_window_extent(r).y1)
            assert not ax.yaxis.label.get_window_extent(r).overlaps(top.get_window_extent(r)), (t.id, ax.get_title())
    # 四平 and 通化 met 80 % community-centre coverage in the base year: their charts have no 年度分解
    fig = rr.small_multiples(p.targets[2], res, ds)
    for ax in fig.axes:
        if any(n in ax.get_title() for n in ("四平", "通化")):
            assert CHART["zh"]["path"] not in [ln.get_label() for ln in ax.get_lines()]
