"""完成进度 / 序时进度 on hand-computed cases, and the fields in assess_plan."""
import math

import pandas as pd
import pytest

from mzforecast import evaluation as E
from mzforecast.pages import evaluation as ER
from mzforecast.pages import workbook as EW
from mzforecast.data import load
from mzforecast.targets import Target, get_plan


@pytest.fixture(autouse=True)
def _mid_plan(monkeypatch):
    """These tests read the mid-term form (中期评估): the run stands in 2025, before the 14th
    plan's target year has passed (the closing form has its own tests in test_closing.py)."""
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2025")


def T(**kw):
    base = dict(id="t", indicator="x", comparator=">=", value=75, unit="percent", quote="q", year=2025,
                base_year=2020, plan="p", region="changchun")
    base.update(kw)
    return Target(**base)


def test_rural_urban_dibao_case_from_the_issue():
    t = T(kind="ratio", denominator="y")
    c = E.completion_progress(t, 70.42, 72.37)
    assert c == pytest.approx((72.37 - 70.42) / (75 - 70.42) * 100)
    assert round(c, 1) == 42.6
    tp = E.time_progress(2020, 2025, 2023)
    assert tp == 60.0
    assert E.progress_status(c, tp) == "behind"


def test_status_tolerance_is_five_points():
    assert E.progress_status(56.0, 60.0) == "on_schedule"
    assert E.progress_status(55.0, 60.0) == "behind"
    assert E.progress_status(65.0, 60.0) == "ahead"
    assert E.progress_status(float("nan"), 60.0) == ""


def test_falling_target_and_already_met():
    t = T(comparator="<=", value=15, unit="minutes")
    assert E.completion_progress(t, 30, 24) == pytest.approx(40.0)  # 6 of the 15 minutes cut
    assert E.completion_progress(t, 30, 12) == pytest.approx(120.0)  # beyond the target: 100+
    up = T(value=100)
    assert E.completion_progress(up, 100, 100) == 100.0  # base already at target and still there
    assert math.isnan(E.completion_progress(up, 100, 95))  # base met, now fallen back: no progress figure
    assert E.completion_progress(up, 80, 100) == 100.0


def test_growth_and_change_targets_use_the_implied_level():
    g = T(kind="growth", value=10, unit="percent")  # 年均增长 10% over 2020-2025
    goal = 100 * 1.1 ** 5
    assert E.implied_goal(g, 100) == pytest.approx(goal)
    assert E.completion_progress(g, 100, 130) == pytest.approx(30 / (goal - 100) * 100)
    ch = T(kind="change", value=50, unit="beds")  # 新增 50
    assert E.completion_progress(ch, 200, 230) == pytest.approx(60.0)
    assert E.completion_progress(ch, 200, 260) == pytest.approx(120.0)


def test_time_progress_clipped_and_reference_year():
    assert E.time_progress(2020, 2025, 2027) == 100.0
    assert E.time_progress(2020, 2025, 2020) == 0.0
    assert E.time_progress(2020, 2022, 2021) == 50.0


def test_evaluate_on_data(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value\nchangchun,dibao_standard_urban,2023,800\n"
                 "changchun,dibao_standard_rural,2023,6947.9\n", encoding="utf-8")  # 6947.9/12/800 = 72.37%
    ds = load([f])
    t = next(x for x in get_plan("changchun-14th", ds).targets if x.id == "table-02-rural-urban-dibao")
    ev = E.evaluate(t, ds)
    assert ev["base_year"] == 2020 and ev["base_value"] == pytest.approx(70.42, abs=0.01)
    assert ev["time_progress"] == 60.0
    assert ev["progress_status"] == "behind"
    # as_of before the new data: base only, no status
    assert E.evaluate(t, ds, as_of=2020)["progress_status"] == ""


def test_assess_plan_has_the_evaluation_fields(ds):
    from mzforecast import assess_plan
    res = assess_plan("changchun-14th", ds)
    for c in E.FIELDS + ["binding"]:
        assert c in res.columns
    assert (res.base_year == 2020).all()
    r = res.set_index("target_id").loc["table-02-rural-urban-dibao"]
    assert r.base_value == pytest.approx(70.42, abs=0.01)
    assert r.progress_status == ""  # bundled data stop at 2020: no 现值 after the base year
    j = assess_plan("jilin-2019", ds).set_index("target_id")
    assert j.loc["tekun-urban-1.3x", "responsible_unit"] == "救助处"


def test_form_binding_first_and_summary_names_behind_binding(tmp_path):
    ds = load()
    res = pd.DataFrame([
        dict(plan="changchun-14th", target_id="table-05-lottery-outlets", indicator="welfare_lottery_outlets",
             binding=False, progress_status="ahead", completion_progress=80.0, time_progress=60.0,
             verdict="on_track", unit="outlets", target_year=2025, latest_year=2023),
        dict(plan="changchun-14th", target_id="table-14-nursing-beds-public-homes",
             indicator="nursing_bed_share_public_homes", binding=True, progress_status="behind",
             completion_progress=20.0, time_progress=60.0, verdict="at_risk", unit="percent", target_year=2025,
             latest_year=2023, responsible_unit="养老服务处"),
    ])
    f = ER.form(res, ds)
    assert list(f.target_id) == ["table-14-nursing-beds-public-homes", "table-05-lottery-outlets"]
    text = ER.summary_zh(res, ds)
    assert "超前序时进度 1 项" in text and "滞后序时进度 1 项" in text
    assert "护理型床位" in text and "养老服务处" in text
    assert "未实现或存在实现风险的约束性指标 1 项：公办养老机构护理型床位占比（存在风险，责任单位：养老服务处）" in text
    html = ER.form_html(res, ds)
    assert "滞后序时进度" in html and html.index("约束性") < html.index("预期性")


def test_assess_xlsx_one_row_per_target(tmp_path, capsys):
    import openpyxl

    from mzforecast import cli
    out = tmp_path / "form.xlsx"
    assert cli.main(["assess", "--format", "xlsx", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ds = load()
    from mzforecast.targets import list_plans
    assert wb.sheetnames == list_plans()
    for name in wb.sheetnames:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert header[:3] == ["编号", "指标", "属性"] and "完成进度(%)" in header and "责任单位" in header
        ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
        assert sorted(ids) == sorted(t.id for t in get_plan(name, ds).targets)
        assert ws.freeze_panes == "C2" and ws.column_dimensions["B"].width == 36
    j = wb["jilin-2019"]
    col = [c.value for c in j[1]].index("责任单位")
    assert {r[col] for r in j.iter_rows(min_row=2, values_only=True)} >= {"救助处", "福利处"}
    assert cli.main(["assess", "--format", "xlsx"]) == 2  # no --out
    assert "--out" in capsys.readouterr().err


def test_status_colours_in_workbook(tmp_path):
    import openpyxl
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value\nchangchun,dibao_standard_urban,2023,800\n"
                 "changchun,dibao_standard_rural,2023,6947.9\n", encoding="utf-8")
    ds = load([f])
    from mzforecast import assess_plan
    res = assess_plan("changchun-14th", ds)
    p = EW.write_summary_xlsx(res, tmp_path / "s.xlsx", ds)
    ws = openpyxl.load_workbook(p)["changchun-14th"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "table-02-rural-urban-dibao")
    st = row[header.index("状态")]
    assert st.value == "滞后序时进度"
    assert st.fill.fgColor.rgb[-6:].lower() == E.STATUS_COLORS["behind"].lstrip("#")
    assert round(row[header.index("完成进度(%)")].value, 1) == 42.6


def test_runner_writes_summary_xlsx(tmp_path):
    from mzforecast import assess_plan, running as runner
    from mzforecast.html import summary_records
    res = assess_plan("jilin-2021")
    runner.write_summary(tmp_path, [dict(name="jilin-2021", ok=True, params_file="p.yaml",
                                          records=summary_records(res))])
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "summary.xlsx")["jilin-2021"]
    assert ws.max_row - 1 == len(res)
    assert (tmp_path / "summary.csv").exists()


def test_evaluation_params_for_five_year_plans():
    from pathlib import Path

    from mzforecast import running as runner
    root = Path(__file__).resolve().parent.parent
    assert "evaluation" in runner.NOTEBOOKS
    for plan in ("changchun-13th", "changchun-14th", "jilin-13th"):
        p = runner.load_params(root / "params" / f"{plan}-evaluation.yaml")
        assert p["notebook"] == "evaluation" and p["plan"] == plan
    assert (root / "notebooks" / "evaluation.ipynb").exists()


@pytest.mark.slow
def test_evaluation_page_runs_with_office_data(tmp_path):
    """The page an office pastes: form, summary paragraph, chart, from a filled template."""
    import sys
    from pathlib import Path

    import papermill as pm

    from mzforecast import cli
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(Path(__file__).parent))
    from fill_template import fill
    t, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    assert cli.main(["template", "changchun-14th", "--out", str(t)]) == 0
    fill(t, filled, "changchun-14th")
    nb = pm.execute_notebook(str(root / "notebooks/evaluation.ipynb"), str(tmp_path / "e.ipynb"),
                             parameters=dict(plan="changchun-14th", data_file=str(filled)),
                             kernel_name="python3", progress_bar=False, cwd=str(root))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "中期评估" in html and "滞后序时进度" in html and "序时进度" in html
    assert html.index("约束性") < html.index("预期性")
    assert 'src="data:image/png;base64,' in html  # charts are inlined PNGs under any backend (issue 10)


def test_page_title_follows_the_data(ds):
    from mzforecast import assess_plan
    assert ER.kind_of_evaluation(assess_plan("changchun-13th", ds), 2020) == "总结评估"
    assert ER.kind_of_evaluation(assess_plan("jilin-13th", ds), 2020) == "实施情况评估（暂无基期后数据）"
    text = ER.summary_zh(assess_plan("jilin-13th", ds), ds)
    assert "55 项均缺少基期值或基期后数据" in text and "约束性指标中没有" not in text


def test_progress_section_is_a_sentence_not_a_blank_chart_without_progress(ds):
    from mzforecast import assess_plan
    res = assess_plan("changchun-14th", ds)  # data run to the base year 2020: no 完成进度 anywhere
    assert (res.get("progress_status", pd.Series(dtype=str)).fillna("") == "").all()
    assert ER.progress_chart(res, ds) is None
    html = ER.progress_html(res, ds)
    assert "<img" not in html and "暂无可计算完成进度的指标" in html


def test_progress_section_draws_the_chart_when_progress_exists(ds):
    from mzforecast import assess_plan
    res = assess_plan("changchun-13th", ds)  # ended: the chart shows 完成进度 by closing status
    assert (res.closing_status.isin(["completed", "not_completed", "basically", "exceeded"])).any()
    assert ER.progress_html(res, ds).startswith('<img src="data:image/png;base64,')


def test_summary_does_not_say_another_when_no_target_has_progress(ds):
    from mzforecast import assess_plan
    text = ER.summary_zh(assess_plan("changchun-14th", ds), ds, "某规划")
    assert "另有" not in text and "38 项均缺少基期值或基期后数据" in text
    closing = ER.page_html("changchun-13th", assess_plan("changchun-13th", ds), ds)
    assert "总结评估" in closing and "序时进度" not in closing


def test_form_lists_binding_first_then_rows_with_numbers_and_transferred_last(ds):
    from mzforecast import assess_plan
    f = ER.form(assess_plan("changchun-13th", ds), ds)
    v = f.verdict_code.tolist()
    assert "transferred" in v and set(v[v.index("transferred"):]) == {"transferred"}
    scored = f[f.verdict_code != "transferred"]
    for _, g in scored.groupby("binding", sort=False):  # within each 属性: no empty row above a row with numbers
        codes = g.verdict_code.tolist()
        assert "no_data" not in codes or set(codes[codes.index("no_data"):]) == {"no_data"}
    assert list(scored.binding) == sorted(scored.binding, key=lambda b: b != "约束性")


def test_evaluation_table_keeps_short_columns_on_one_line():
    from mzforecast import running as runner
    css = runner.css()
    assert "table.evaluation th" in css and "table.evaluation td:nth-child(8)" in css


def test_evaluation_page_links_back_to_the_plan_dashboard(ds):
    from mzforecast import assess_plan
    html = ER.page_html("changchun-14th", assess_plan("changchun-14th", ds), ds, None)
    assert '<a href="changchun-14th.html">规划监测页</a>' in html


def test_proxy_target_reads_base_and_current_value_on_the_proxy_and_says_so(ds):
    """社会工作专业人才总量 has no series: 基期值 and 现值 both come from 持证社工 (its proxy), and the
    form names the proxy and that the values are a lower bound."""
    from mzforecast.attainment import assess
    t = next(x for x in get_plan("changchun-14th", ds).targets if x.id == "table-08-social-work-professionals")
    assert t.proxy == "certified_social_workers"
    ev = E.evaluate(t, ds)
    assert ev["base_year"] == 2020 and ev["base_value"] == 4139.0  # the proxy's 2020 value
    row = E.add_evaluation(assess(t, ds), t, ds)
    assert row.latest_value == row.base_value == 4139.0
    assert E.proxy_used(t, ds) == "certified_social_workers"
    f = ER.form(pd.DataFrame([row]), ds, plan="changchun-14th")
    assert f.loc[0, "indicator_name"] == "社会工作专业人才总量（以持证社会工作者人数计，下限）"
    assert f.loc[0, "proxy"] == "certified_social_workers"
    html = ER.form_html(pd.DataFrame([row]), ds)
    assert "以持证社会工作者人数计，下限" in html and "4,139人（2020）" in html
    # a target read on its own series is not labelled
    own = next(x for x in get_plan("changchun-14th", ds).targets if x.id == "table-01-tekun-urban")
    assert E.proxy_used(own, ds) == ""


def test_proxy_completion_progress_uses_the_proxy_series(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value\nchangchun,certified_social_workers,2023,5000\n", encoding="utf-8")
    ds = load([f])
    t = next(x for x in get_plan("changchun-14th", ds).targets if x.id == "table-08-social-work-professionals")
    ev = E.evaluate(t, ds)
    assert ev["base_value"] == 4139.0
    assert ev["completion_progress"] == pytest.approx((5000 - 4139) / (6000 - 4139) * 100)
    assert ev["time_progress"] == 60.0


def test_missing_base_value_stands_in_from_the_earliest_later_year():
    """Offices often fill only the plan years: 2021 stands in for a missing 2020 基期值, and both
    progress measures run from 2021 (base_year says so)."""
    from mzforecast.evaluation import evaluate_series
    from mzforecast.targets import Target
    t = Target(id="t", indicator="x", comparator=">=", value=100, unit="people", year=2025, base_year=2020, quote="q")
    got = evaluate_series(t, [2021, 2022, 2024], [60.0, 70.0, 90.0])
    assert got["base_year"] == 2021 and got["base_value"] == 60.0
    assert got["completion_progress"] == pytest.approx((90 - 60) / (100 - 60) * 100)  # 75 %
    assert got["time_progress"] == pytest.approx((2024 - 2021) / (2025 - 2021) * 100)  # 75 %
    assert got["progress_status"] == "on_schedule"
    one = evaluate_series(t, [2024], [90.0])  # a single later year is no base
    assert one["base_year"] == 2020 and one["completion_progress"] != one["completion_progress"]
    g = Target(id="g", indicator="x", kind="growth", comparator=">=", value=10, unit="percent", year=2025,
               base_year=2020, quote="q")
    got = evaluate_series(g, [2021, 2023], [100.0, 110.0])  # goal from 2021: 100 * 1.1**4
    assert got["completion_progress"] == pytest.approx(10 / (100 * 1.1 ** 4 - 100) * 100)


def test_workbook_reads_as_the_pages_do(summary_book):
    """summary.xlsx: Chinese units, 完成进度 never above 100 alone (已达标), 序时进度, a 地区 column for
    a regions plan, thousands-separated values, an autofilter, and an observed outcome said in words."""
    import re
    from pathlib import Path
    import mzforecast as mzf
    root = Path(__file__).resolve().parent.parent
    ds = load()
    res = mzf.assess_plan("changchun-13th", ds, reference=2026)
    ws = summary_book(res, ds).worksheets[0]
    head = [c.value for c in ws[1]]
    assert "序时进度(%)" in head and "时序进度(%)" not in head and "地区" not in head
    assert ws.auto_filter.ref == ws.dimensions
    col = {h: i for i, h in enumerate(head)}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert not [r[col["单位"]] for r in rows if r[col["单位"]] and re.search("[A-Za-z]", r[col["单位"]])]
    prog = [r[col["完成进度(%)"]] for r in rows]
    assert "已达标" in prog and not [p for p in prog if isinstance(p, float) and p > 100]
    probs = {r[col["实现概率"]] for r in rows}
    assert 1 not in probs and 1.0 not in probs
    # a target 民政 no longer holds reads 已划出民政 in both columns: listed, not judged
    assert {r[col["预测判断"]] for r in rows if r[col["完成情况"]] == "已划出民政"} == {"已划出民政"}
    judged = [r for r in rows if r[col["完成情况"]] not in ("无数据", "待实际数据", "已划出民政", "", None)]
    assert judged and not [r for r in judged if r[col["实现概率"]] or r[col["预测判断"]] or r[col["序时进度(%)"]]
                           or r[col["状态"]]]  # 完成情况 alone says how a judged target ended
    cells = {c.number_format for r in ws.iter_rows(min_row=2) for c in r[col["现值"]:col["现值"] + 1] if c.value}
    assert "#,##0" in cells
    d = load(root / "data/examples/jilin-prefectures-synthetic.csv")
    p = get_plan(root / "data/examples/jilin-prefectures-example.yaml", d)
    ws = summary_book(mzf.assess_plan(p, d, reference=2024), d).worksheets[0]
    head = [c.value for c in ws[1]]
    assert head[1] == "地区" and "长春市" in {r[1] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_workbook_rows_carry_their_own_styles(summary_book):
    """Styles are set once per kind and copied: every row still has its status and verdict colours
    and number formats."""
    from pathlib import Path
    import mzforecast as mzf
    from mzforecast.plots import STATUS_COLORS
    root = Path(__file__).resolve().parent.parent
    ds = load(root / "data/examples/jilin-prefectures-synthetic.csv")
    res = mzf.assess_plan(get_plan(root / "data/examples/jilin-prefectures-example.yaml", ds), ds, reference=2024)
    ws = summary_book(res, ds).worksheets[0]
    col = {c.value: i for i, c in enumerate(ws[1])}
    rows = ER.form(res, ds).to_dict("records")
    assert len(rows) == ws.max_row - 1 and len({r["progress_status"] for r in rows}) > 2
    assert len({r["verdict_code"] for r in rows}) > 2
    for r, cells in zip(rows, ws.iter_rows(min_row=2)):
        status = cells[col["状态"]]
        if r["progress_status"]:
            assert status.fill.fgColor.rgb.lower().endswith(STATUS_COLORS[r["progress_status"]].lstrip("#").lower())
            assert status.font.bold and status.font.color.rgb.upper().endswith("FFFFFF")
        else:
            assert status.fill.fill_type is None and not status.font.bold
        fill = EW.VERDICT_FILL.get(r["verdict_code"] or "")
        verdict = cells[col["预测判断"]]
        assert verdict.fill.fgColor.rgb.lower().endswith(fill.lower()) if fill else verdict.fill.fill_type is None
        assert cells[col["完成进度(%)"]].number_format == "0.0" == cells[col["序时进度(%)"]].number_format
        assert cells[col["实现概率"]].number_format == "0%"
        for key, head in (("base_value", "基期值"), ("latest_value", "现值")):
            assert cells[col[head]].number_format == EW.number_format_of(r[key], r)


def test_records_are_what_to_dict_gives():
    import numpy as np
    import mzforecast as mzf
    from mzforecast.pages.common import records
    odd = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": pd.array([1.5, None], dtype="Float64"),
                        "c": pd.array([True, None], dtype="boolean"), "d": pd.Series(["x", None], dtype="string"),
                        "e": pd.Series([np.float64(1.5), np.int64(3)], dtype=object), "f": [np.datetime64("2020-01-01"), None],
                        "g": pd.to_datetime(["2020-01-01", None]), "h": [np.bool_(True), 1], "i": [1.0, float("nan")]})
    ds = load()
    res = mzf.assess_plan("changchun-13th", ds)
    for df in (odd, res, ER.form(res, ds)):
        want, got = df.to_dict("records"), records(df)
        assert [repr(r) for r in got] == [repr(r) for r in want]
        assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in want]
