"""Drafts respect policy floors (issue 20), on a filled 14th-plan template built here."""
from __future__ import annotations

import pytest

import mzforecast as mzf
from mzforecast import rules as R
from mzforecast.propose import assess_draft, get_draft

from closing_cases import filled_14th  # noqa: I001


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    ds = mzf.load(filled_14th(tmp_path_factory.mktemp("draft")))
    return ds, assess_draft("changchun-15th-draft-example", ds).set_index("target_id")


def test_no_proposed_value_below_a_listed_floor_and_each_floor_named(draft):
    ds, d = draft
    plan = get_draft("changchun-15th-draft-example", ds)
    cols = [c for c in d.columns if c.startswith("proposed_")]
    listed = R.load_floors()
    assert all(f.get("source") for f in listed)
    checked = 0
    for t in plan.targets:
        for f in listed:
            if f["indicator"] == t.indicator and (f.get("denominator") or None) == (t.denominator or None):
                for c in cols:
                    assert d.loc[t.id, c] >= f["value"] - 1e-9, (t.id, c)
                assert f["source"] in d.loc[t.id, "note_zh"] and f["source"] in d.loc[t.id, "note"]
                checked += 1
    assert checked >= 8
    r = d.loc["draft-01-tekun-rural"]  # 特困 ÷ 上年低保: never 1.08 / 0.90
    assert min(r[c] for c in cols) >= 1.5
    assert d.loc["draft-14-nursing-beds-public-homes", "proposed_90"] >= 55  # not 47.3 under the 55 % floor
    assert d.loc["draft-06-community-facility-area", "proposed_90"] >= 30  # not 24.9 under 30 m²
    assert d.loc["draft-04-disability-care-allowance", "proposed_90"] == 100  # 应补尽补


def test_never_cut_standard_keeps_the_level_reached(draft):
    _, d = draft
    r = d.loc["draft-dibao-rural"]  # 10,800 元 reached in 2025; the draft says 9,000
    assert bool(r.below_floor) and r.ambition_class == "below_floor"  # flagged, never graded 挑战
    assert all(r[c] >= 10800 for c in d.columns if c.startswith("proposed_"))
    assert "草案值低于政策底线" in r.note_zh


def test_rounded_to_steps_and_growth_of_the_last_plan_period(draft):
    _, d = draft
    r = d.loc["draft-dibao-rural"]
    assert r.proposed_50 % 10 == 0  # 10 元 steps
    s = d.loc["draft-15-township-elderly-care-coverage"]
    assert (s.proposed_80 * 2) % 1 == 0  # 0.5 百分点 steps
    assert s.period == "2020-2025" and s.period_growth_unit == "points"
    assert s.period_growth == pytest.approx((59.5 - 45) / 5)  # 百分点/年 over the 十四五 period
    assert "年均提高 2.9 个百分点" in s.note_zh
    assert R.round_to_step(1037.42, "yuan/person/month") == 1030 and R.round_to_step(47.3, "percent") == 47.0
    assert R.round_to_step(2345, "beds") == 2300


def test_ambition_compared_with_the_previous_trend(draft):
    _, d = draft
    r = d.loc["draft-05-lottery-outlets"]  # 1,800 against a 十四五 trend of about 2,300
    assert r.trend_value > 1800 and r.ambition_class == "below_trend"
    assert "低于上期趋势" in r.note_zh and "2020—2025 年年均增长" in r.note_zh


def test_value_lifted_to_a_floor_says_so_with_its_own_probability():
    """A promisable value raised to a policy floor reads 按底线…（实现概率75%）, never as 80% sure;
    the rural ÷ urban 低保 ratio is never proposed below the previous plan's 75 %; the note's
    period growth is the one in the table; no English and no empty （—） on the Chinese page."""
    import mzforecast as mzf
    from mzforecast.pages import target_setting as ts
    from mzforecast.propose import assess_draft
    ds = mzf.load()
    d = assess_draft("changchun-15th-draft-example", ds)
    t = ts.table(d, ds).set_index("指标")
    ratio = d.set_index("target_id").loc["draft-02-rural-urban-dibao"]
    # the floor 75 % is met with a probability between 80 % and 90 % (models.ratio): only the 90 % value is lifted
    assert ratio.ambition < 0.8 and ratio.raised == "proposed_90" and 0.8 <= ratio.floor_probability < 0.9
    p = f"{ratio.floor_probability:.0%}"
    assert t.loc["农村低保标准与城市低保标准之比", "90%把握可承诺值"] == f"—（底线75.0%仅{p}）"
    assert f"按 80% 把握可承诺 {ratio.proposed_80:.1f}%" in t.loc["农村低保标准与城市低保标准之比", "起草说明"]
    assert ratio.proposed_80 >= ratio.latest_value and ratio.proposed_90 >= ratio.latest_value
    row = t.loc["农村低保标准与城市低保标准之比"]
    assert "数据不足以计算上期增速" not in row["起草说明"] and row["上一规划期年均增速"].endswith("（2015-2020）")
    assert "2015—2020 年年均提高" in row["起草说明"]
    page = ts.table_html(d, ds) + ts.without_data(d, ds) + ts.header("changchun-15th-draft-example", ds)
    assert "floors applied" not in page and "（—）" not in page and "雄心" not in page
    assert "适用底线：" in ts.without_data(d, ds)


def test_no_value_under_a_probability_it_does_not_have():
    """「80%把握可承诺值」 never holds a value whose own probability is below 80 %: a floor that
    high (the 城乡低保 ratio 75.0% at 75 %) reads 「—（底线…仅…）」, in the
    table, the CLI table and the chart's legend alike; a floor met with enough probability stays a value."""
    import re
    import mzforecast as mzf
    from mzforecast import draft_floors as F
    from mzforecast.pages import target_setting as ts
    from mzforecast.propose import assess_draft
    ds = mzf.load()
    d = assess_draft("changchun-15th-draft-example", ds)
    t = ts.table(d, ds)
    shorts = 0
    for (i, r), (_, row) in zip(d.iterrows(), t.iterrows()):
        for q in (50, 80, 90):
            cell = row[f"{q}%把握可承诺值"]
            if F.short_of_promise(r, f"proposed_{q}"):
                shorts += 1
                assert r.floor_probability < q / 100 and cell.startswith("—（底线")
                assert cell.endswith(f"仅{r.floor_probability:.0%}）"), cell
            elif f"proposed_{q}" in str(r.raised):  # lifted, but the floor itself is met with ≥ q %
                assert r.floor_probability >= q / 100 and not cell.startswith("—")
    assert shorts >= 1  # the rural ÷ urban ratio at 90 (特困 1.50倍 is the rule itself: no probability)
    ratio = t.set_index("指标").loc["农村低保标准与城市低保标准之比"]
    assert ratio["80%把握可承诺值"] == "79.0%" and ratio["90%把握可承诺值"] == "—（底线75.0%仅89%）"
    # the chart marks the floor once, as a floor, and no 90% mark sits on it
    tid = "draft-02-rural-urban-dibao"
    fig = ts.figure(mzf.get_target("changchun-15th-draft-example", tid, ds), d.set_index("target_id").loc[tid], ds)
    words = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert not [w for w in words if re.match("90%把握", w)] and any(w.startswith("—（底线75.0%仅") for w in words)


def test_draft_table_is_readable_without_a_unit_column_or_a_notes_column():
    """The table's values carry their units (no 单位 column wrapping 元/人/·/月) and each 起草说明
    sits on its own full-width line below its row, not in a column squeezing the numbers."""
    import mzforecast as mzf
    from mzforecast.pages import target_setting as ts
    from mzforecast.propose import assess_draft
    ds = mzf.load()
    d = assess_draft("changchun-15th-draft-example", ds)
    html = ts.table_html(d, ds)
    head = html[html.index("<thead>"):html.index("</thead>")]
    assert "<th>单位</th>" not in head and "起草说明" not in head and "<th>实现概率</th>" in head
    assert html.count('<tr class="note"><td colspan="9"><b>起草说明</b>：') == len(d)
    assert "710元/人·月(2020)" in html and "≥ 950元/人·月" in html
