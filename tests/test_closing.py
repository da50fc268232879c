"""总结评估 (issue 20): completion for every target kind and the closing page, on data built here."""
from __future__ import annotations

import math
import re

import pytest

import mzforecast as mzf
from mzforecast import closing as C
from mzforecast.pages import closing as CP
from mzforecast.pages import evaluation as er
from mzforecast.targets import load_plan

from closing_cases import extra_plan, filled_14th  # noqa: I001


@pytest.fixture(scope="module")
def fourteenth(tmp_path_factory):
    import os
    os.environ["MZFORECAST_REFERENCE_YEAR"] = "2026"  # December 2026: the plan has ended
    tmp = tmp_path_factory.mktemp("c14")
    ds = mzf.load(filled_14th(tmp))
    res = mzf.assess_plan("changchun-14th", ds)
    yield ds, res.set_index("target_id")
    os.environ.pop("MZFORECAST_REFERENCE_YEAR", None)


@pytest.fixture(scope="module")
def extra(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("extra")
    plan, data = extra_plan(tmp)
    ds = mzf.load(data)
    p = load_plan(plan, ds)
    return ds, p, mzf.assess_plan(p, ds, reference=2026).set_index("target_id")


def test_growth_target_in_growth_terms(extra):
    ds, p, res = extra
    r = res.loc["growth-beds"]
    assert r.level_unit == "beds"  # levels in their unit, never %
    assert r.realised_growth == pytest.approx(((62000 / 48000) ** (1 / 5) - 1) * 100)
    assert r.closing_status == "completed" and r.verdict == "achieved"
    page = er.page_html(p, res.reset_index(), ds)
    assert "4.8万张（2020）" in page and "6.2万张（2025）" in page and "5.3%" in page
    assert "48,000.0%" not in page and "4.8万%" not in page
    assert "1,000张（2021年，代替基期）" in page  # a stand-in base says so


def test_stand_in_base_for_growth_and_change(extra):
    _, _, res = extra
    g, a = res.loc["growth-no-base"], res.loc["add-no-base"]
    assert g.base_year == 2021 and bool(g.stand_in) and g.verdict == "achieved" and g.closing_status == "completed"
    assert g.realised_growth == pytest.approx(((1262 / 1000) ** 0.25 - 1) * 100)
    assert a.base_year == 2021 and a.verdict == "achieved" and a.closing_status == "completed"  # +15 ≥ 10


def test_between_met_inside_exceeded_above_progress_capped(extra):
    ds, p, res = extra
    r = res.loc["between-coverage"]
    assert r.closing_status == "exceeded" and bool(r.exceeded) and r.verdict == "achieved"
    assert r.completion_progress == 100.0  # not (36 − 25) / (30 − 25) = 220 %, never 400 %
    t = next(t for t in p.targets if t.id == "between-coverage")
    inside = C.completion(t, [2020, 2025], [25, 33])
    assert inside["closing_status"] == "completed" and inside["completion_progress"] == 100.0
    assert C.completion(t, [2020, 2025], [25, 28])["completion_progress"] == pytest.approx(60.0)


def test_tolerance_true_progress_and_basically(extra):
    _, _, res = extra
    r = res.loc["about-orgs"]
    assert r.completion_progress == pytest.approx((9600 - 8283) / (10000 - 8283) * 100)  # 76.7 %, not 100
    assert r.closing_status == "basically"
    assert CP.progress_text(r.completion_progress, r.closing_status, True) == "76.7%"


def test_fell_back_below_floor_reported_with_gap(fourteenth):
    _, res = fourteenth
    r = res.loc["table-01-tekun-rural"]
    assert r.base_value == pytest.approx(860 / 450, abs=1e-9)  # 1.91×
    assert r.latest_value == pytest.approx(1247 / 860)
    assert bool(r.fell_back) and r.closing_status == "not_completed"
    assert r.gap == pytest.approx(1.5 - 1247 / 860)
    assert r.verdict == "not_achieved"
    assert not isinstance(r.eurostat_class, str) or r.eurostat_class == ""  # no 显著进展 for a known outcome


def test_observed_outcomes_have_no_trend_classes(fourteenth):
    _, res = fourteenth
    observed = res[res.method == "observed"]
    assert len(observed) > 30
    assert observed.eurostat_class.fillna("").eq("").all() and observed.unsd_class.fillna("").eq("").all()
    assert set(observed.probability.unique()) <= {0.0, 1.0}


def test_no_schedule_status_after_the_target_year(fourteenth):
    _, res = fourteenth
    r = res.loc["table-15-township-elderly-care-coverage"]  # 59.5 % against 60 %
    assert r.progress_status in ("", None) or (isinstance(r.progress_status, float) and math.isnan(r.progress_status))
    assert r.verdict == "not_achieved" and r.closing_status == "basically"  # 96.7 % of the way: stated rule


def test_completion_never_above_cap_without_met_mark():
    assert CP.progress_text(716.7, "completed", True) == "已达标"
    assert CP.progress_text(133.6, "exceeded", True) == "超额完成"
    assert CP.progress_text(57.7, "not_completed", False) == "57.7%"


def test_proxy_named_only_when_used(fourteenth):
    _, res = fourteenth
    r = res.loc["table-08-social-work-professionals"]
    assert "proxy" not in (r["flags"] or "") and r.latest_value == 6400


def test_closing_page_opens_with_counts_and_lists_binding_breaches(fourteenth):
    ds, res = fourteenth
    html = er.page_html("changchun-14th", res.reset_index(), ds)
    text = re.sub("<[^>]+>", "\n", html)
    first = html.split("<h2>总体情况</h2>")[1].split("</p>")[0]
    counts = res.closing_status.value_counts()
    assert f"已完成 {counts['completed']} 项" in first and f"未完成 {counts['not_completed']} 项" in first
    assert "总结评估" in html and "序时进度" not in html and "需加大推进力度" not in html
    binding = html.split("约束性指标完成情况")[1].split("主要指标完成情况")[0]
    assert "2024 年 1.499倍" in binding and "1.50倍" not in binding  # 1229/820 = 1.4988, precision at the threshold
    assert "2025 年 1.45倍" in binding
    assert "困难残疾人生活补贴覆盖率（≥ 100%，约束性指标）：2022 年达到，2024 年回落至 98.0%" in binding  # met, lost
    assert "2021 年 81.4%" not in binding and "重度残疾人护理补贴覆盖率" not in binding  # on its way, no breach
    assert "县级公办养老机构覆盖率：目标年 2022 年未达到，2023 年达到（逾期完成）" in text
    assert "公办养老机构护理型床位占比" in html.split("相互冲突")[1]  # conflicting duplicates named
    assert "缺少基期值" not in html and "显著进展" not in html


def test_closing_chart_keeps_missed_binding_target(fourteenth):
    ds, res = fourteenth
    _, f = er.closing_form(res.reset_index(), ds)
    fig = CP.chart(f)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("农村特困" in lab for lab in labels)


def test_regions_page_names_its_order_and_reads_met():
    from mzforecast.pages import regions as rr
    from mzforecast.targets import get_plan
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    ds = mzf.load(root / "data/examples/jilin-prefectures-synthetic.csv")
    p = get_plan(root / "data/examples/jilin-prefectures-example.yaml", ds)
    res = mzf.assess_plan(p, ds, reference=2024)
    html = rr.target_section(p.targets[0], res, ds)
    assert "风险排序：实现概率由低到高" in html and "<th>风险排序</th>" in html
    assert not re.search(r"[1-9]\d{2,}\.\d%", html)  # no 716.7 %: over 100 reads 已达标


def test_conflicting_targets_named_by_where_the_plan_writes_them(fourteenth):
    ds, res = fourteenth
    html = er.page_html("changchun-14th", res.reset_index(), ds)
    said = html.split("相互冲突")[1].split("</p>")[0]
    assert "公办养老机构护理型床位占比（规划主要指标表：≥ 55%，约束性）" in said
    assert "公办养老机构护理型床位占比（规划正文：≥ 60%，预期性）" in said
    assert not re.search(r"\b(table|text)-[a-z0-9-]+", html)  # no target id anywhere on the page


def test_target_met_late_reads_met_late_in_the_counts_table_and_chart(fourteenth, summary_book):
    ds, res = fourteenth
    r = res.loc["text-county-public-homes-2022"]  # 99 % in 2022, 100 % in 2023
    assert r.closing_status == "late" and r.late_year == 2023
    html = er.page_html("changchun-14th", res.reset_index(), ds)
    row = [x for x in html.split("<tr>") if x.startswith("<td>县级公办养老机构覆盖率<")][0]
    assert "逾期完成（2023年达到）" in row and "基本完成" not in row
    head = html.split("<h2>总体情况</h2>")[1].split("</p>")[0]
    assert f"逾期完成 {int((res.closing_status == 'late').sum())} 项" in head
    _, f = er.closing_form(res.reset_index(), ds)
    fig = CP.chart(f)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "逾期完成" in legend and "2023年达到" in [t.get_text() for t in fig.axes[0].texts]
    wb = summary_book(res.reset_index(), ds)
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "逾期完成（2023年达到）" in cells


def test_every_met_then_lost_target_is_in_the_fell_back_list(fourteenth):
    ds, res = fourteenth
    html = er.page_html("changchun-14th", res.reset_index(), ds)
    binding = html.split("约束性指标完成情况")[1].split("逾期完成或完成后回落的指标：")[0]
    rules = binding.split("政策规则在部分年份未达到")[1].split("</ul>")[0]
    assert "农村特困人员基本生活标准与上年度农村低保标准之比（≥ 1.5倍，约束性）：2024 年 1.499倍；2025 年 1.45倍" in rules
    assert "覆盖率" not in rules  # coverages due at the end are indicators, not standing rules
    fell = binding.split("以下约束性指标达到目标后又回落")[1].split("</ul>")[0]
    assert "困难残疾人生活补贴覆盖率（≥ 100%，约束性指标）：2022 年达到，2024 年回落至 98.0%" in fell
    assert "2021 年已达到" not in html  # the ratio already held in the 2020 base year


def test_plan_without_binding_targets_says_so_not_all_completed():
    ds = mzf.load()
    res = mzf.assess_plan("changchun-13th", ds, reference=2026)
    assert not res.binding.any()
    html = er.page_html("changchun-13th", res, ds)
    section = html.split("约束性指标完成情况")[1].split("</p>")[0]
    assert "本规划未设约束性指标。" in section and "全部完成" not in html
    b = res.assign(binding=True, closing_status="no_data")
    para = CP.binding_sentence(b, b.iloc[:0])
    assert para == f"约束性指标 {len(b)} 项均无目标年数据，无法判断是否完成。"
