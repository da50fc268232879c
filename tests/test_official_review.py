"""What a civil-affairs official reading the pages found wrong, asserted on the corrected text."""
from __future__ import annotations

import mzforecast as mzf
from mzforecast import pages as reports


def test_ratio_card_shows_the_ratio_not_the_numerators_level(ds):
    res = mzf.assess_plan("changchun-14th", ds)
    r = res[res.target_id == "table-01-tekun-urban"].iloc[0]
    t = mzf.get_target("changchun-14th", "table-01-tekun-urban", ds)
    html = reports.section_html(1, t, r, ds)
    assert "2020年：1.59倍（1,130元/人·月 ÷ 城市低保标准）" in html
    assert "2020年：1,130元/人·月 ·" not in html
    assert "2020: 1.59× (1,130 yuan/person/month ÷ Urban dibao standard)" in reports.section_html(1, t, r, ds,
                                                                                                 language="en")


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
