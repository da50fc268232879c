"""What a civil-affairs official reading the pages found wrong, asserted on the corrected text."""
from __future__ import annotations

import mzforecast as mzf
from mzforecast import pages as reports


def test_ratio_card_shows_the_ratio_not_the_numerators_level(ds):
    res = mzf.assess_plan("changchun-14th", ds)
    r = res[res.target_id == "table-01-tekun-urban"].iloc[0]
    t = mzf.get_target("changchun-14th", "table-01-tekun-urban", ds)
    html = reports.section_html(1, t, r, ds)
    # both values, so the ratio can be checked (2019's 低保 is missing: the same-year ratio the note names)
    assert "2020年：1.59倍（1,130元/人·月 ÷ 2020年城市低保标准 710元/人·月）" in html
    assert "2020年：1,130元/人·月 ·" not in html
    assert "2020: 1.59× (1,130 yuan/person/month ÷ Urban dibao standard of 2020, 710 yuan/person/month)" in \
        reports.section_html(1, t, r, ds, language="en")
    rural = mzf.get_target("changchun-14th", "table-01-tekun-rural", ds)
    html = reports.section_html(1, rural, res[res.target_id == rural.id].iloc[0], ds)
    # a yearly 低保 beside a monthly 特困: shown in the monthly unit too, 860 / 500 = 1.72
    assert "2020年：1.72倍（860元/人·月 ÷ 2020年农村低保标准 500元/人·月（6,000元/人·年））" in html


def test_no_data_list_names_a_ratio_target_by_its_ratio(ds):
    for plan in ("jilin-2019", "changchun-13th", "jilin-13th"):
        res = mzf.assess_plan(plan, ds)
        html = reports.no_data_list(res, ds, "zh")
        ratios = [t for t in mzf.get_plan(plan, ds).targets if t.kind == "ratio"
                  and t.id in set(res[res.verdict.isin(["no_data", "transferred"])].target_id)]
        for t in ratios:
            assert f"<li>{reports.target_name(t, ds, 'zh')}（" in html, (plan, t.id)
        assert ratios, plan
    html = reports.no_data_list(mzf.assess_plan("jilin-2019", ds), ds)
    assert "<li>城市特困人员基本生活标准与上年度城市低保标准之比（≥ 1.3倍）" in html
    assert "<li>农村低保标准与农村扶贫标准之比（≥ 100%）" in html and "<li>农村低保标准（" not in html


def test_backtest_with_no_outcome_says_nothing_can_be_scored(ds):
    from mzforecast import backtest as B
    bt = B.backtest_plan("jilin-13th", 2015, ds)
    shown = B.scored_rows(bt)
    assert len(shown) == 4 and (shown.verdict_then == "insufficient_data").all()
    zh = B.score_line(bt, 2015, "zh")
    assert zh.endswith("4项有预测；4项均仅1个观测值，尚无实际结果，暂无法检验")
    assert "0/0" not in zh and "0项" not in zh
    assert "0/0" not in B.score_line(bt, 2015, "en")
    # a backtest with outcomes keeps its score line
    assert "80%区间覆盖实际值" in B.score_line(B.backtest_plan("changchun-13th", 2015, ds), 2015, "zh")


def test_growth_above_required_but_median_below_target_says_why(ds):
    res = mzf.assess_plan("changchun-14th", ds)
    r = res[res.target_id == "table-08-social-work-professionals"].iloc[0]
    assert r["historical_cagr"] > r["required_cagr"] and r["median"] < r["target_value"] and r["n_obs"] == 2
    zh = reports.plain_words(r, ds, "zh")
    assert ("历史年均增长 18.0%。 但预测中位数对应的年均增长为 6.9%，低于所需增速：历史增速仅由两个观测值算得，"
            "预测模型不按其全速外推，区间也较宽。") in zh
    assert "But the median forecast implies yearly growth of 6.9%, below the required rate" in \
        reports.plain_words(r, ds, "en")
    # where history and the median agree, no extra sentence
    ok = res[res.target_id == "table-02-rural-urban-dibao"].iloc[0]
    assert "预测中位数对应的年均增长" not in reports.plain_words(ok, ds, "zh")


def test_one_point_note_explains_why_the_median_moves_while_the_point_is_held(ds):
    from mzforecast.messages.notes import Note
    zh = Note("one_point_moves", move=17.0, years=5).text("zh")
    assert zh == ("只有一个观测值，无法估计趋势，故点预测保持最新值；预测区间则取自参照数据中单点序列的实际变动，"
                  "这些变动上升多于下降，所以抽样路径的中位数5年内变动+17%，与点预测不同")
    assert "下降多于上升" in Note("one_point_moves", move=-8.0, years=3).text("zh")


def test_dashboard_with_nothing_assessable_says_so_instead_of_empty_table(ds):
    for plan in ("jilin-2019", "jilin-2021"):
        res = mzf.assess_plan(plan, ds)
        html = reports.overview(res, ds, "zh")
        assert html == "<h2>目标状态一览</h2><p>暂无可评估的目标（均无数据或已划出民政）。</p>", plan
        assert reports.dashboard_sections(plan, res, ds) == ""
    res = mzf.assess_plan("changchun-14th", ds)  # a plan with assessed targets keeps its table and sections
    assert 'class="risk"' in reports.overview(res, ds) and "<h2>各目标详情</h2>" in reports.dashboard_sections(
        "changchun-14th", res, ds)


def test_closing_summary_writes_the_range_rule_without_a_placeholder(ds):
    from mzforecast.pages import evaluation as ER
    page = ER.page_html("changchun-13th", mzf.assess_plan("changchun-13th", ds), ds)
    assert "区间目标（如“30%–35%”）超过上限的为超额完成。）" in page
    assert "a–b" not in page


def test_a_see_also_link_to_a_page_not_made_goes_with_its_separator(ds):
    from mzforecast.pages import evaluation as ER
    page = ER.page_html("changchun-13th", mzf.assess_plan("changchun-13th", ds), ds)
    assert ' · <a href="changchun-13th.html">规划监测页</a></p>' in page
    kept = reports.drop_dead_links(page, lambda n: False)
    assert "规划监测页" not in kept and "68 项指标</p>" in kept  # 千米社区占比 stated twice, counted once
    assert reports.drop_dead_links(page, lambda n: True) == page


def test_share_milestone_gap_is_in_points_and_a_past_expected_year_is_not_shown(ds, monkeypatch):
    from mzforecast.pages import indicator
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    html = indicator.milestones_html(t, ds)
    assert "<td>0.0个百分点</td>" in html and "<td>0.0%</td>" not in html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")  # the run stands in 2025
    monkeypatch.delenv("MZFORECAST_REFERENCE_YEAR", raising=False)
    r = mzf.assess("changchun-14th:table-02-rural-urban-dibao", ds)
    assert r.expected_year == 2022 and r.latest_year == 2020
    assert "预计达标年份" not in reports.plain_words(r, ds)
    assert reports.expected_year(dict(r, as_of=2020)) == 2022  # standing in 2020, 2022 is ahead
