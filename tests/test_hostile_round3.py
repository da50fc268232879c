"""Hostile use, round three: defects a hostile tester found after round two, each as a class
(every command, reader or writer with the same flaw). Each test builds its own inputs and
asserts the exit code, the message and that no traceback is printed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import cli_main

ROOT = Path(__file__).resolve().parent.parent
DRAFT = "changchun-15th-draft-example"


main = cli_main  # (exit code, stdout, stderr), never a traceback


# ---------------------------------------------------------------- P1-1 a probability given twice
@pytest.mark.parametrize("argv", [["draft", DRAFT, "--probability", "0.5", "0.5"],
                                  ["draft", DRAFT, "--probability", "0.5", "0.500001"],
                                  ["propose", "changchun", "dibao_standard_urban", "--probability", "0.5", "0.5"]])
def test_probability_given_twice_is_refused(argv, capsys):
    rc, out, err = main(argv, capsys)
    assert rc == 2 and "probability given twice" in err and "50%" in err
    assert out == ""


# ---------------------------------------------------------------- P1-2, P2-8 propose options
@pytest.mark.parametrize("extra, said", [
    (["--denominator", "dibao_standard_rural", "--lag", "11"], "must be 0-10"),
    (["--denominator", "dibao_standard_rural", "--lag", "-1"], "must be 0-10"),
    (["--lag", "1"], "no --denominator"),
    (["--denominator", "dibao_standard_urban"], "the indicator itself"),
    (["--unit", "percent"], "does not fit 'dibao_standard_urban'"),
])
def test_propose_options_that_mean_nothing_are_refused(extra, said, capsys):
    rc, out, err = main(["propose", "changchun", "dibao_standard_urban", *extra], capsys)
    assert rc == 2 and said in err, err
    assert out == ""


# ---------------------------------------------------------------- P1-3 SOURCE_DATE_EPOCH
@pytest.mark.parametrize("value", ["abc", "1e9", "1700000000.5", "99999999999999999999", "253402300800", "-1"])
@pytest.mark.parametrize("argv", [["assess", "--plan", "changchun-14th"], ["template", "changchun-14th", "--out", "t.xlsx"],
                                  ["draft", DRAFT], ["backtest", "--plan", "changchun-13th"],
                                  ["run", "changchun-14th-rural-urban-dibao", "--out", "reports"]])
def test_bad_source_date_epoch_is_refused_at_start(value, argv, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    rc, out, err = main(argv, capsys)
    assert rc == 2
    assert f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. 1767225600)" in err and repr(value) in err
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_library_readers_of_the_clock_raise_one_clear_error(monkeypatch):
    from mzforecast import attainment, clock
    from mzforecast.errors import MzError
    from mzforecast.io.workbook import workbook_bytes
    import openpyxl
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    for call in (attainment.reference_year, clock.now, lambda: workbook_bytes(openpyxl.Workbook())):
        with pytest.raises(MzError, match="SOURCE_DATE_EPOCH must be whole seconds"):
            call()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert attainment.reference_year() == 2026
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "20x5")
    with pytest.raises(MzError, match="MZFORECAST_REFERENCE_YEAR must be a year"):
        attainment.reference_year()


# ---------------------------------------------------------------- P1-4 --period against the title
MONTHLY = "长春市2024年12月社会服务统计月报\n指标名称,单位,数量\n城市低保标准,元/人·月,800\n临时救助,人次,120\n"


@pytest.mark.parametrize("opt", [["--period", "2023Q4"], ["--period", "2024"], ["--period", "2023-12"],
                                 ["--year", "2023"]])
def test_period_contradicting_the_title_is_refused(opt, capsys, tmp_path):
    rep = tmp_path / "rep1.csv"
    rep.write_text(MONTHLY, encoding="utf-8")
    rc, out, err = main(["data", "import", rep, "--region", "changchun", *opt, "--out", tmp_path / "o.csv"], capsys)
    assert rc == 2 and "rep1.csv" in err and "2024-12" in err
    assert not (tmp_path / "o.csv").exists()


def test_period_agreeing_with_the_title_keeps_the_month_flow_out(capsys, tmp_path):
    rep = tmp_path / "rep1.csv"
    rep.write_text(MONTHLY, encoding="utf-8")
    rc, out, err = main(["data", "import", rep, "--region", "changchun", "--period", "2024-12"], capsys)
    assert rc == 0
    assert "dibao_standard_urban,2024,800" in out
    assert "temporary_assistance" not in out and "not written" in err


# ---------------------------------------------------------------- P2-1 the one HTML escaper
HOSTILE_TEXT = "规划\x0b第二行\x1b[31m红\x07\u202eabc\u200b"
RAW = ("\x0b", "\x0c", "\x1b", "\x07", "\u202e", "\u200b")


def hostile_plan(tmp_path, text=HOSTILE_TEXT):
    q = json.dumps
    p = tmp_path / "plan.yaml"
    p.write_text(f"id: p-text\nname_zh: {q(text)}\nregion: changchun\nsource: x\nbase_year: 2020\n"
                 f"target_year: 2025\ntargets:\n  - id: t1\n    indicator: elderly_care_beds\n    comparator: '>='\n"
                 f"    value: 30000\n    unit: beds\n    quote: {q(text)}\n    responsible_unit: {q(text)}\n",
                 encoding="utf-8")
    return p


def test_page_text_and_attributes_show_control_and_bidi_characters(tmp_path):
    from mzforecast import html as H, pages, safe
    from mzforecast.data import load
    from mzforecast.pages import evaluation as er
    from mzforecast.plan import assess_plan
    import matplotlib.pyplot as plt
    p = str(hostile_plan(tmp_path))
    ds = load()
    res = assess_plan(p, ds)
    fig = plt.figure()
    shown = {"header": pages.plan_header(p, ds, res), "evaluation": er.page_html(p, res, ds, None),
             "img": H.img(fig, "x\u202ey\x1b"), "attr": safe.html_attr(HOSTILE_TEXT)}
    plt.close(fig)
    for where, page in shown.items():
        for ch in RAW:
            assert ch not in page, (where, repr(ch))
    assert "⟨U+001B⟩" in shown["header"] and "⟨U+202E⟩" in shown["img"] and "⟨U+0007⟩" in shown["evaluation"]
    assert "第二行" in shown["header"]  # a Word line break is a line break, not lost text


def test_page_title_from_a_notebook_heading_is_shown_safely(tmp_path):
    import nbformat
    from mzforecast.running.index import notebook_to_html
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {HOSTILE_TEXT}"))
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(path))
    page = notebook_to_html(path, "x", "zh", font_cache=False, shared_font=True)
    head = page.split("</head>")[0]
    assert "<title>" in head and all(ch not in head for ch in RAW), head[-300:]
    assert "⟨U+202E⟩" in head


# ---------------------------------------------------------------- P2-2 ids in data files, options and plans
@pytest.mark.parametrize("rid, said", [("=cmd|' /C calc'!A0", "is not a plain id"), ("x\u202ey", "U+202E"),
                                       ("a\x1b[31m", "U+001B"), ("<b>x</b>", "is not a plain id")])
def test_new_region_ids_in_data_files_are_refused(rid, said, tmp_path, capsys):
    f = tmp_path / "reg.csv"
    f.write_text("region,region_name,indicator,year,value,unit,source\n"
                 f'"{rid.replace(chr(34), chr(34) * 2)}",某地,elderly_care_beds,2020,5,beds,s\n'
                 + "".join(f"changchun,,elderly_care_beds,{y},5,beds,s\n" for y in range(1990, 2020)), encoding="utf-8")  # plain rows: text, not binary
    for argv in (["data", "check", f], ["assess", "--plan", "changchun-14th", "--data", f]):
        rc, out, err = main(argv, capsys)
        assert rc == 2 and "reg.csv, row 2, column 'region'" in err and said in err, err
        assert "unknown region" not in err and "1 problem" in err + "1 problem"  # one message per row, not two
        assert err.count("reg.csv") == 1
        assert "\x1b" not in err and "\u202e" not in err


def test_data_import_refuses_a_new_region_id_that_is_not_plain(tmp_path, capsys):
    rep = tmp_path / "r.csv"
    rep.write_text(MONTHLY, encoding="utf-8")
    out = tmp_path / "o.csv"
    rc, _, err = main(["data", "import", rep, "--region", "a\x1b[31m", "--region-name", "某地", "--out", out], capsys)
    assert rc == 2 and "--region" in err and "U+001B" in err and "\x1b" not in err
    assert not out.exists()


@pytest.mark.parametrize("field, value, said", [("tid", "t\n1", "U+000A"), ("tid", "t\t1", "U+0009"),
                                                ("region", "=cmd", "not a plain id"),
                                                ("region", "chang\u200bchun", "U+200B")])
def test_plan_ids_and_regions_refuse_control_and_formula(field, value, said, tmp_path, capsys):
    q = json.dumps
    tid, region = (value, "changchun") if field == "tid" else ("t1", value)
    p = tmp_path / "pl.yaml"
    p.write_text(f"id: p\nname_zh: x\nregion: {q(region)}\nsource: x\nbase_year: 2020\ntarget_year: 2025\n"
                 f"targets:\n  - id: {q(tid)}\n    indicator: elderly_care_beds\n    comparator: '>='\n"
                 f"    value: 30000\n    unit: beds\n    quote: q\n", encoding="utf-8")
    rc, out, err = main(["plans", p], capsys)
    assert rc == 2 and "pl.yaml" in err and said in err, err
    assert "\n1" not in err


def test_region_name_contradicting_a_known_region_is_refused(tmp_path, capsys):
    rep = tmp_path / "r.csv"
    rep.write_text(MONTHLY, encoding="utf-8")
    rc, _, err = main(["data", "import", rep, "--region", "changchun", "--region-name", "北京"], capsys)
    assert rc == 2 and "--region-name 北京" in err and "长春市" in err
    rc, out, _ = main(["data", "import", rep, "--region", "changchun", "--region-name", "长春市"], capsys)
    assert rc == 0 and "changchun,dibao_standard_urban" in out


# ---------------------------------------------------------------- P2-3 a zero denominator
def test_zero_standard_is_refused_by_every_reader(tmp_path, capsys):
    data = tmp_path / "zero.csv"
    data.write_text("region,indicator,year,value,unit,source\nchangchun,dibao_standard_urban,2024,0,yuan/person/month,s\n",
                    encoding="utf-8")
    rep = tmp_path / "rep0.csv"
    rep.write_text("长春市2024年12月社会服务统计月报\n指标名称,单位,数量\n城市低保标准,元/人·月,0\n", encoding="utf-8")
    for argv, where in ((["data", "check", data], "zero.csv, row 2, column 'value'"),
                        (["assess", "--plan", "changchun-14th", "--data", data], "zero.csv, row 2, column 'value'"),
                        (["run", "changchun-14th-rural-urban-dibao", "--data", data, "--out", tmp_path / "r"],
                         "zero.csv, row 2, column 'value'"),
                        (["data", "import", rep, "--region", "changchun", "--out", tmp_path / "o.csv"],
                         "rep0.csv, row 3, column '数量'")):
        rc, out, err = main(argv, capsys)
        assert rc == 2 and where in err and "must be above 0" in err, (argv[0], err)
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "r").exists()


def test_zero_denominator_of_a_user_ratio_names_file_and_row(tmp_path, capsys):
    """A count a user's ratio divides by (not a standard, so 0 is readable) is refused at assessment
    with the file and row of the 0."""
    data = tmp_path / "d.csv"
    data.write_text("region,indicator,year,value,unit,source\n"
                    + "".join(f"changchun,elderly_care_beds,{y},{30000 + y},beds,s\n" for y in range(2015, 2021))
                    + "".join(f"changchun,social_assistance_staff,{y},{0 if y == 2020 else 10},people,s\n"
                              for y in range(2015, 2021)), encoding="utf-8")
    p = tmp_path / "pl.yaml"
    p.write_text("id: p\nname_zh: x\nregion: changchun\nsource: x\nbase_year: 2020\ntarget_year: 2025\ntargets:\n"
                 "  - id: t1\n    indicator: elderly_care_beds\n    kind: ratio\n    denominator: social_assistance_staff\n"
                 "    comparator: '>='\n    value: 3\n    unit: times\n    quote: q\n", encoding="utf-8")
    rc, out, err = main(["assess", "--plan", p, "--data", data], capsys)
    assert rc == 2 and "d.csv, row 13" in err and "social_assistance_staff is 0 in 2020" in err, err


# ---------------------------------------------------------------- P2-4 --out says the format
@pytest.mark.parametrize("argv, said", [
    (["assess", "--plan", "changchun-14th", "--format", "csv", "--out", "out.xlsx"], "--format csv but the name ends in .xlsx"),
    (["assess", "--plan", "changchun-14th", "--format", "json", "--out", "out.csv"], "--format json but the name ends in .csv"),
    (["assess", "--plan", "changchun-14th", "--out", "out.txt"], "--out needs a file name ending in .csv, .json, .xlsx"),
    (["data", "import", "R.csv", "--region", "changchun", "--out", "R.xlsx"], "--out needs a file name ending in .csv"),
])
def test_out_whose_name_contradicts_the_format_is_refused(argv, said, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "R.csv").write_text(MONTHLY, encoding="utf-8")
    rc, out, err = main(argv, capsys)
    assert rc == 2 and said in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R.csv"] and out == ""


@pytest.mark.parametrize("name, first", [("out.csv", "\ufeffplan,target_id"), ("out.json", "[")])
def test_assess_out_writes_the_format_its_name_says(name, first, tmp_path, capsys):
    out = tmp_path / name
    rc, shown, err = main(["assess", "--plan", "changchun-14th", "--out", out], capsys)
    assert rc == 0 and shown == "" and f"wrote {out}" in err
    text = out.read_text(encoding="utf-8")
    assert text.startswith(first)
    if name.endswith(".json"):
        assert len(json.loads(text)) > 10


def test_regions_plan_out_csv_is_written(tmp_path, capsys):
    out = tmp_path / "r.csv"
    rc, shown, err = main(["assess", "--plan", ROOT / "data/examples/jilin-prefectures-example.yaml",
                           "--data", ROOT / "data/examples/jilin-prefectures-synthetic.csv", "--out", out], capsys)
    assert rc == 0 and shown == ""
    assert out.read_text(encoding="utf-8-sig").startswith("plan,target_id,region") and len(out.read_text().splitlines()) > 10


# ---------------------------------------------------------------- P2-10 names and messages
def test_zero_width_space_inside_an_item_name_is_still_the_item(tmp_path, capsys):
    rep = tmp_path / "zw.csv"
    rep.write_text("长春市2024年12月社会服务统计月报\n指标名称,单位,数量\n城市低\u200b保标准,元/人·月,800\n", encoding="utf-8")
    rc, out, err = main(["data", "import", rep, "--region", "changchun"], capsys)
    assert rc == 0 and "changchun,dibao_standard_urban,2024,800" in out and "\u200b" not in out


def test_decimal_comma_example_has_no_comma(tmp_path, capsys):
    rep = tmp_path / "dc.csv"
    rep.write_text("长春市2024年12月社会服务统计月报\n指标名称,单位,数量\n城市低保标准,元/人·月,\"1,2\"\n", encoding="utf-8")
    rc, out, err = main(["data", "import", rep, "--region", "changchun"], capsys)
    assert rc == 2 and "such as 1245.0" in err and "1,245.0" not in err


def test_a_wide_row_problem_is_said_once(tmp_path, capsys):
    f = tmp_path / "wide.csv"
    f.write_text("region,indicator,2020,2021,2022\nchangchun,no_such,1,2,3\n", encoding="utf-8")
    rc, out, err = main(["data", "check", f], capsys)
    assert rc == 2 and err.count("unknown indicator 'no_such'") == 1 and "1 problem(s)" in err


# ---------------------------------------------------------------- P2-5 messages that say what is wrong
REGIONS_PLAN = ROOT / "data/examples/jilin-prefectures-example.yaml"


def test_template_year_range_states_the_real_limit(tmp_path, capsys):
    rc, _, err = main(["template", "changchun-14th", "--from", "1900", "--to", "2100", "--out", tmp_path / "t.xlsx"],
                      capsys)
    assert rc == 2 and "1949 to 2100" in err and "no later than" not in err


@pytest.mark.parametrize("argv", [["template", REGIONS_PLAN, "--out", "t.xlsx"], ["draft", REGIONS_PLAN]])
def test_a_plan_for_several_regions_asks_for_one(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = main(argv, capsys)
    assert rc == 2 and "covers several regions (changchun, jilin_city" in err and "--region" in err, err
    assert "unknown region ''" not in err and not (tmp_path / "t.xlsx").exists()


def test_run_out_that_is_a_device_or_fifo_says_so(tmp_path, capsys):
    import os
    fifo = tmp_path / "ff"
    os.mkfifo(fifo)
    for out, what in (("/dev/null", "is a device, not a folder"), (fifo, "is a FIFO (named pipe), not a folder")):
        rc, _, err = main(["run", "changchun-14th-rural-urban-dibao", "--out", out], capsys)
        assert rc == 2 and what in err and "is a file" not in err


def test_run_params_that_is_a_device_or_folder_says_so(tmp_path, capsys):
    for path, what in (("/dev/zero", "is not a regular file (a device or pipe)"), (tmp_path, "is a folder")):
        rc, _, err = main(["run", path, "--out", tmp_path / "r"], capsys)
        assert rc == 2 and what in err and "not found" not in err


def test_run_unknown_kernel_is_refused_before_running(tmp_path, capsys):
    rc, _, err = main(["run", "changchun-14th-rural-urban-dibao", "--kernel", "nope", "--out", tmp_path / "r"], capsys)
    assert rc == 2 and "--kernel nope: no such Jupyter kernelspec" in err
    assert not (tmp_path / "r").exists()


def test_run_help_agrees_with_the_refusal_of_foreign_folders(capsys):
    rc, out, _ = main(["run", "--help"], capsys)
    assert rc == 0 and "a folder of other files is refused" in " ".join(out.split())
    assert "others are kept" not in out


def test_foreign_file_list_leaves_out_the_runs_own_lock(tmp_path):
    from mzforecast.errors import DataError
    from mzforecast.running.output import check_output_folder
    (tmp_path / ".r.lock").write_text("")  # as the lock of --out tmp_path/r sits beside it
    (tmp_path / "mine.txt").write_text("x")
    out = tmp_path / "r"
    # --out / puts its lock ('/..lock') inside the folder itself: the same rule, seen from inside
    with pytest.raises(DataError) as e:
        check_output_folder(Path(str(tmp_path)))
    assert "mine.txt" in str(e.value)
    from mzforecast.running.output import own_transient
    assert own_transient(Path("/"), "..lock") and own_transient(out, ".r.lock") and not own_transient(out, "mine.txt")


def test_run_out_root_does_not_list_its_own_lock(capsys):
    rc, _, err = main(["run", "changchun-14th-rural-urban-dibao", "--out", "/"], capsys)
    assert rc == 2 and "..lock" not in err and ".partial-" not in err


# ---------------------------------------------------------------- P2-6 hidden sheets and rows, chart sheets
def _hidden_workbook(path):
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["region", "indicator", "year", "value", "unit", "source"])
    for y in range(2015, 2021):
        ws.append(["changchun", "elderly_care_beds", y, 30000 + y, "beds", "s"])
    ws.row_dimensions[3].hidden = True
    for name, state in (("secret", "hidden"), ("vh", "veryHidden")):
        h = wb.create_sheet(name)
        h.append(["region", "indicator", "year", "value"])
        h.append(["changchun", "elderly_care_beds", 2021, 1])
        h.sheet_state = state
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=7))
    wb.create_chartsheet("图表").add_chart(chart)
    wb.save(path)
    return path


def test_data_check_names_hidden_sheets_and_rows_it_skipped(tmp_path, capsys):
    f = _hidden_workbook(tmp_path / "hid.xlsx")
    rc, out, err = main(["data", "check", f], capsys)
    assert rc == 0 and "valid" in out
    assert "hidden sheets not read: 'secret', 1 very hidden sheet(s) (not named)" in err and "'vh'" not in err
    assert "hidden rows not read: 3" in err
    from mzforecast.data import load
    obs = load([f]).observations
    assert 2016 not in set(obs[(obs.region == "changchun") & (obs.file == str(f))].year)  # the hidden row


def test_sheet_suggestions_leave_out_chart_and_hidden_sheets(tmp_path, capsys):
    f = _hidden_workbook(tmp_path / "hid.xlsx")
    rc, out, err = main(["data", "check", f, "--sheet", "nope"], capsys)
    assert rc == 2 and "sheets: '数据'" in err and "图表" not in err and "secret" not in err and "vh" not in err


def test_sheet_on_a_csv_is_said(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit,source\nchangchun,elderly_care_beds,2020,30000,beds,s\n",
                 encoding="utf-8")
    rc, out, err = main(["data", "check", f, "--sheet", "数据"], capsys)
    assert rc == 0 and "a CSV file has no sheets: --sheet 数据 is not used" in err


def test_plan_import_skips_hidden_rows_and_says_so(tmp_path, capsys):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "指标", "2030年目标值", "属性"])
    ws.append([1, "养老机构护理型床位占比", "≥ 60%", "约束性"])
    ws.append([2, "养老床位总数", "新增1.5万张", "预期性"])
    ws.row_dimensions[3].hidden = True
    f = tmp_path / "t.xlsx"
    wb.save(f)
    out = tmp_path / "p.yaml"
    rc, shown, err = main(["plan", "import", f, "--id", "p", "--region", "changchun", "--base-year", "2025",
                           "--target-year", "2030", "--out", out], capsys)
    assert rc == 0 and "hidden rows not read: 3" in err
    text = out.read_text(encoding="utf-8")
    assert "新增1.5万张" not in text and "60" in text


# ---------------------------------------------------------------- P2-7 (part) bounds per unit in plan import
def test_plan_import_refuses_a_share_above_100(tmp_path, capsys):
    t = tmp_path / "sh.csv"
    t.write_text("序号,指标,2030年目标值,属性\n1,养老机构护理型床位占比,≥ 150%,约束性\n", encoding="utf-8")
    out = tmp_path / "p.yaml"
    rc, _, err = main(["plan", "import", t, "--id", "p", "--region", "changchun", "--base-year", "2025",
                       "--target-year", "2030", "--out", out], capsys)
    assert rc == 2 and "sh.csv, row 2, column '目标值'" in err and "outside 0-100%" in err
    assert not out.exists()
