"""Target setting (issue 15): proposed values, their consistency with assess, drafts, the CLI."""
import importlib
import json

import numpy as np
import pytest

import mzforecast as mzf
from conftest import ROOT
from mzforecast.attainment import N_SAMPLES, P_MAX, assess
from mzforecast.plan import assess_plan
from mzforecast.cli import main
from mzforecast.errors import DataError
from mzforecast.targets import load_plan

P = importlib.import_module("mzforecast.propose")  # mzf.propose is the function
DRAFT = ROOT / "data/drafts/changchun-15th-draft-example.yaml"
HEADER = "region,indicator,year,value,unit\n"


def _target_at(ds, indicator, value, comparator=">=", **kw):
    t = P._probe("changchun", indicator, 2030, ds, **kw)
    return t.model_copy(update=dict(value=float(value), comparator=comparator))


def test_done_when_cli_json_gives_two_values_the_80_one_lower(capsys):
    assert main(["propose", "changchun", "dibao_standard_urban", "--year", "2030", "--probability", "0.5", "0.8",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["probability"] for r in rows] == [0.5, 0.8]
    assert rows[1]["value"] < rows[0]["value"]
    assert all(r["year"] == 2030 and r["comparator"] == ">=" for r in rows)


@pytest.mark.parametrize("p", [0.5, 0.8, 0.9])
def test_a_target_at_the_proposed_value_is_assessed_back_at_its_probability(ds, p):
    """The documented rule: assessed probability >= p always; ~p (within 0.03) where the value is
    not on a point mass; on the 710 floor (urban 低保 held at its 2020 value) the note says so."""
    pr = mzf.propose("changchun", "dibao_standard_urban", 2030, [p], data=ds).iloc[0]
    a = assess(_target_at(ds, "dibao_standard_urban", pr.value), ds)
    assert pr.value >= 710  # an administered standard is never cut below its last value
    assert a.probability >= p and a.probability == pr.assessed_probability
    if pr.held:
        assert p == 0.9 and pr.held == "last_value" and pr.value == 710 and a.probability == P_MAX
        assert "at 90%: held at the last value 710" in pr.note and "met with probability ≥ 99.95%" in pr.note
    else:
        assert abs(a.probability - p) <= 0.03 and "held at" not in pr.note
    # and slightly more ambitious than proposed is less likely
    assert assess(_target_at(ds, "dibao_standard_urban", pr.value * 1.05), ds).probability < p


@pytest.mark.parametrize("indicator,kw", [("dibao_standard_urban", {}), ("dibao_standard_rural", {}),
                                          ("dibao_standard_rural", dict(denominator="dibao_standard_urban",
                                                                        unit="percent"))])
def test_proposals_respect_the_structure_on_a_grid_of_probabilities(ds, indicator, kw):
    ps = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95]
    pr = mzf.propose("changchun", indicator, 2030, ps, data=ds, **kw)
    lv = pr.latest_value.iloc[0]
    assert list(pr.value) == sorted(pr.value, reverse=True)
    if kw:  # rural ÷ urban 低保 never above 100% (the bounds changchun-14th declares for this ratio)
        assert pr.value.max() <= 100
    else:  # a standard is never proposed below its last value
        assert pr.value.min() >= lv
    for r in pr.itertuples():
        assert r.assessed_probability >= r.probability
        if not r.held:
            assert abs(r.assessed_probability - r.probability) <= 0.03
        else:
            assert f"at {r.probability:.0%}: " in r.note
    # one case of each kind of point mass on the bundled data
    if kw:
        b = pr[pr.held == "bound"]
        assert len(b) and (b.value == 100).all() and "at the bound 100" in b.note.iloc[0]


def test_done_when_plan_file_with_the_80_value_assessed_for_2030(ds, write):
    v = float(mzf.propose("changchun", "dibao_standard_urban", 2030, [0.8], data=ds).value.iloc[0])
    f = write("p.yaml", f"""id: t\nname_zh: t\nregion: changchun\nsource: changchun-14th\nbase_year: 2025
target_year: 2030\ntargets:\n  - id: u\n    indicator: dibao_standard_urban\n    comparator: ">="
    value: {v!r}\n    unit: yuan/person/month\n    quote: q\n""")
    res = assess_plan(load_plan(f, ds), ds)
    assert res.target_year.iloc[0] == 2030 and v > 710  # the 80% value is above the 710 floor: no point mass
    assert abs(res.probability.iloc[0] - 0.8) <= 0.03


def test_ratio_target_consistency(ds):
    kw = dict(denominator="dibao_standard_urban", unit="percent")
    pr = mzf.propose("changchun", "dibao_standard_rural", 2030, [0.5, 0.8, 0.9], data=ds, **kw)
    assert list(pr.value) == sorted(pr.value, reverse=True)
    assert pr.latest_value.iloc[0] == pytest.approx(6000 / 12 / 710 * 100)
    for p, v in zip(pr.probability, pr.value):
        assert abs(assess(_target_at(ds, "dibao_standard_rural", v, **kw), ds).probability - p) <= 0.03


def test_lower_is_better_indicator_gives_at_most_values(write, tmp_path):
    f = write("m.csv", HEADER + "".join(f"changchun,elderly_service_circle_minutes,{y},{v},minutes\n"
                                        for y, v in [(2016, 40), (2017, 36), (2018, 33), (2019, 30), (2020, 28)]))
    ds = mzf.load([f])
    assert ds.indicators["elderly_service_circle_minutes"].direction == "lower"
    pr = mzf.propose("changchun", "elderly_service_circle_minutes", 2030, [0.5, 0.8, 0.9], data=ds)
    assert set(pr.comparator) == {"<="}
    # at most: the more certain the promise, the higher (less ambitious) the number
    assert pr.value.iloc[0] < pr.value.iloc[1] < pr.value.iloc[2]
    for p, v in zip(pr.probability, pr.value):
        a = assess(_target_at(ds, "elderly_service_circle_minutes", v, "<="), ds)
        assert abs(a.probability - p) <= 0.03


def test_value_met_with_is_an_order_statistic():
    x = np.arange(1, 101, dtype=float)  # 1..100
    assert P.value_met_with(x, 0.8, "higher") == 21  # 80 of the 100 values are >= 21
    assert P.value_met_with(x, 0.8, "lower") == 80
    assert np.mean(x >= P.value_met_with(x, 0.55, "higher")) >= 0.55


def test_base_year_without_data_is_said_and_the_horizon_is_longer(ds, write):
    pr = mzf.propose("changchun", "dibao_standard_urban", 2030, [0.8], data=ds)
    r = pr.iloc[0]
    assert not r.base_year_observed and r.base_year == 2025 and r.latest_year == 2020 and r.horizon == 10
    assert "no data for the base year 2025 yet" in r.note and "10-year horizon instead of 5" in r.note
    assert r.implied_cagr == pytest.approx(((r.value / 710) ** (1 / 10) - 1) * 100)
    # with a 2025 value the proposal starts there and says nothing about the base year
    f = write("b.csv", HEADER + "changchun,dibao_standard_urban,2025,800,yuan/person/month\n")
    r2 = mzf.propose("changchun", "dibao_standard_urban", 2030, [0.8], data=mzf.load([f])).iloc[0]
    assert r2.base_year_observed and r2.horizon == 5 and r2.base_value == 800 and "base year" not in r2.note


def test_bad_requests_raise_clear_errors(ds, capsys):
    with pytest.raises(DataError, match="between 0 and 1"):
        mzf.propose("changchun", "dibao_standard_urban", 2030, [80], data=ds)
    with pytest.raises(DataError, match="already observed for 2020"):
        mzf.propose("changchun", "dibao_standard_urban", 2020, data=ds)
    with pytest.raises(DataError, match="no observations of social_work_professionals"):
        mzf.propose("changchun", "social_work_professionals", 2030, data=ds)
    with pytest.raises(DataError, match="period totals"):
        mzf.propose("changchun", "dibao_expenditure_5y", 2030, data=ds)
    assert main(["propose", "changchun", "no_such_indicator"]) == 2
    assert "unknown indicator 'no_such_indicator'" in capsys.readouterr().err


def test_same_seed_same_values(ds):
    a = mzf.propose("changchun", "dibao_standard_urban", data=ds)
    b = mzf.propose("changchun", "dibao_standard_urban", data=ds)
    assert a.equals(b) and len(a) == 3 and N_SAMPLES == 4000


def test_example_draft_is_marked_and_kept_apart_from_official_plans(ds):
    plan = mzf.get_plan(str(DRAFT), ds)  # get_plan reads it by path
    assert plan.example and "示例" in plan.name_zh and plan.base_year == 2025 and plan.target_year == 2030
    assert "EXAMPLE" in DRAFT.read_text(encoding="utf-8").splitlines()[0]
    assert plan.id not in mzf.list_plans()
    assert P.get_draft("changchun-15th-draft-example", ds).id == plan.id
    official = {t.indicator for t in mzf.get_plan("changchun-14th", ds).targets} | {
        t.denominator for t in mzf.get_plan("changchun-14th", ds).targets if t.denominator}
    assert {t.indicator for t in plan.targets} <= official


def test_assess_draft_ambition_and_proposals(ds):
    d = P.assess_draft(DRAFT, ds).set_index("target_id")
    assert len(d) == len(mzf.get_plan(str(DRAFT), ds).targets)
    r = d.loc["draft-dibao-urban"]
    t = mzf.get_target(str(DRAFT), "draft-dibao-urban", ds)
    assert r.ambition == assess(t, ds).probability
    # below the previous period's trend or a policy floor the class says so (draft_floors)
    assert r.ambition_class in (P.ambition_class(r.ambition), "below_trend", "below_floor", "at_floor")
    assert r.proposed_50 > r.proposed_80 > r.proposed_90
    pr = mzf.propose("changchun", "dibao_standard_urban", 2030, data=ds)
    from mzforecast.rules import round_to_step  # 10 元 steps, never below the 710 元 reached (never cut)
    assert [max(round_to_step(v, "yuan/person/month"), 710) for v in pr.value] == \
        [r.proposed_50, r.proposed_80, r.proposed_90]
    assert "no data for the base year 2025" in r.note
    # a target with no data has no ambition and says why
    nd = d.loc["draft-06-community-facility-area"]
    assert np.isnan(nd.ambition) and np.isnan(nd.proposed_80) and "no observations" in nd.note


def test_ambition_classes():
    assert [P.ambition_class(p) for p in (0.95, 0.8, 0.79, 0.5, 0.2)] == [
        "safe", "safe", "ambitious", "ambitious", "stretch"]
    assert P.ambition_class(float("nan")) == ""


def test_unknown_draft_lists_the_known_ones():
    with pytest.raises(DataError, match="changchun-15th-draft-example"):
        P.get_draft("no-such-draft")


# ---------------------------------------------------------------- 目标测算 report and notebook
def test_table_for_drafting_notes_has_the_chinese_headers_and_a_row_per_target(ds):
    from mzforecast.pages import target_setting as ts
    d = P.assess_draft(DRAFT, ds)
    t = ts.table(d, ds, "zh")
    assert list(t.columns[:9]) == ["指标", "最新值(年份)", "草案目标", "实现概率", "50%把握可承诺值",
                                   "80%把握可承诺值", "90%把握可承诺值", "隐含年均增速", "上一规划期年均增速"]
    assert len(t) == len(d)
    row = t.iloc[list(d.target_id).index("draft-dibao-urban")]
    r = d.set_index("target_id").loc["draft-dibao-urban"]
    assert row["最新值(年份)"] == "710元/人·月(2020)"
    # the growth model puts the draft's 2030 value (950, 3.0% a year from 710 in 2020) at 88%; the draft is
    # below the 2015-2020 trend (the latest five years observed, 6.8% a year), which the table says
    assert 0.8 <= r.ambition < 0.95 and row["实现概率"] == f"{r.ambition:.0%}（低于上期趋势）"
    # a draft value that is the policy rule itself (特困 = 1.5 × 上年低保) gets no probability
    assert t.iloc[list(d.target_id).index("draft-01-tekun-urban")]["实现概率"] == "政策规则"
    # the last five years observed (2015-2020: the base year 2025 has no data yet), as the note says
    assert row["隐含年均增速"] == f"{r.target_cagr:.1f}%" and row["上一规划期年均增速"] == f"{r.period_growth:.1f}%（2015-2020）"
    assert f"2015—2020 年年均增长 {r.period_growth:.1f}%" in row["起草说明"]
    assert "基期2025年尚无数据：从最新年份2020年起测算（测算期10年，而非5年）" in row["起草说明"]
    # no English left in the Chinese table's notes
    import re
    assert not [n for n in t["起草说明"] if re.search("[A-Za-z]{3,}", n)]
    assert "<th>实现概率</th>" in ts.table_html(d, ds)
    assert "示例" in ts.header(DRAFT, ds) and "非正式规划" in ts.header(DRAFT, ds)


def test_figure_marks_the_proposed_values_and_the_draft_target(ds):
    import matplotlib.pyplot as plt
    from mzforecast.pages import target_setting as ts
    d = P.assess_draft(DRAFT, ds)
    assert set(ts.charted(d).target_id) == {"draft-dibao-urban", "draft-dibao-rural", "draft-01-tekun-urban",
                                            "draft-01-tekun-rural", "draft-02-rural-urban-dibao",
                                            "draft-08-social-work-professionals"}  # through 持证社工
    t = mzf.get_target(str(DRAFT), "draft-dibao-urban", ds)
    r = d.set_index("target_id").loc["draft-dibao-urban"].to_dict()
    fig = ts.figure(t, r, ds)
    ax = fig.axes[0]
    marks = {ln.get_label(): ln.get_ydata()[0] for ln in ax.get_lines() if "把握" in ln.get_label()}
    assert sorted(marks.values()) == sorted([r["proposed_50"], r["proposed_80"], r["proposed_90"]])
    assert any(ln.get_label().startswith("草案目标 950") and ln.get_ydata()[0] == 950 for ln in ax.get_lines())
    assert max(ax.get_lines()[-1].get_xdata()) == 2030
    plt.close(fig)
    assert ts.figure(mzf.get_target(str(DRAFT), "draft-06-community-facility-area", ds), {}, ds) is None
    assert "暂无法测算的指标（8）" in ts.without_data(d, ds)


def test_target_setting_notebook_has_a_plain_parameters_cell():
    import re
    import nbformat
    cells = nbformat.read(str(ROOT / "notebooks/target_setting.ipynb"), as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert re.fullmatch(r'\w+ = ("[^"]*"|None|\d+)', line), line


@pytest.mark.slow
def test_draft_notebook_renders_with_its_charts(tmp_path):
    from mzforecast import running as runner
    index, results = runner.run([str(ROOT / "params/changchun-15th-draft-example.yaml")], tmp_path / "ts", jobs=1,
                                timeout=120, progress=False)
    assert [r["ok"] for r in results] == [True], results
    html = (tmp_path / "ts" / "changchun-15th-draft-example.html").read_text(encoding="utf-8")
    assert html.count("data:image/png") == 6  # one chart per target with data
    assert "80%把握可承诺值" in html and "非正式规划" in html and "Traceback" not in html
    # a draft never mixes into the monitoring summary
    assert (tmp_path / "ts" / "summary.csv").read_text(encoding="utf-8").count("\n") == 1


def test_cli_draft_and_propose_tables(capsys):
    assert main(["draft", "changchun-15th-draft-example", "--probability", "0.5", "0.8", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    head = out.splitlines()[0].split(",")
    assert "ambition" in head and "proposed_50" in head and "proposed_80" in head and "proposed_90" not in head
    assert out.count("\ndraft-") == 0 and len(out.strip().splitlines()) == 1 + 14
    assert main(["propose", "changchun", "dibao_standard_rural", "--denominator", "dibao_standard_urban",
                 "--unit", "percent", "--probability", "0.8"]) == 0
    cap = capsys.readouterr()
    assert "probability" in cap.out and "80%" in cap.out and "note: ratio of two standards set together" in cap.err


def test_as_of_runs_the_proposal_as_it_would_have_run_then(ds):
    r = mzf.propose("changchun", "dibao_standard_urban", 2030, [0.8], as_of=2015, data=ds).iloc[0]
    assert r.latest_year == 2015 and r.latest_value == 510 and r.horizon == 15 and r.n_obs == 2
    assert "15-year horizon instead of 5" in r.note and "only two observations" in r.note
    t = _target_at(ds, "dibao_standard_urban", r.value)
    assert abs(assess(t, ds, as_of=2015).probability - 0.8) <= 0.03


def test_an_indicator_read_through_a_proxy_reads_alike_on_every_page(ds):
    """社会工作专业人才总量 has no series: the 14th plan and the draft both read it through 持证社工
    (data/plan_indicators.yaml), so the draft shows 4,139人 (2020) as a lower bound, not 暂无观测数据."""
    from mzforecast.pages import target_setting as ts
    from mzforecast.pages.evaluation import form
    d = P.assess_draft(DRAFT, ds)
    r = d.set_index("target_id").loc["draft-08-social-work-professionals"]
    assert r.proxy == "certified_social_workers" and r.latest_year == 2020 and round(r.latest_value) == 4139
    row = ts.table(d, ds).set_index("指标").loc["社会工作专业人才总量（以持证社会工作者人数计，下限）"]
    assert row["最新值(年份)"] == "4,139人(2020)"
    assert "社会工作专业人才总量" not in ts.without_data(d, ds)
    f = form(mzf.assess_plan("changchun-14th", data=ds), ds, "changchun-14th")
    assert "社会工作专业人才总量（以持证社会工作者人数计，下限）" in set(f.indicator_name)
