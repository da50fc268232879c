"""Hostile use, round two: every writer, every reader, every new command (lost, injected,
tracebacks, hangs, silently wrong, unclear). Each test builds its own inputs."""
from __future__ import annotations

import collections
import errno
import json
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import mzforecast as mzf
from conftest import cli_main
from mzforecast import running as runner, safe
from mzforecast.errors import DataError
from mzforecast.running import lock as outlock
from mzforecast.io import write as W

ROOT = Path(__file__).resolve().parent.parent
JILIN = ROOT / "params/jilin-2021.yaml"
SMALL = ROOT / "params/changchun-14th-rural-urban-dibao.yaml"
REGIONS_PLAN = ROOT / "data/examples/jilin-prefectures-example.yaml"
SYNTH = ROOT / "data/examples/jilin-prefectures-synthetic.csv"
FORMULA = '=HYPERLINK("http://x","y")'
ESC = "\x1b]0;pwned\x07\x1b[31m"


main = cli_main  # (exit code, stdout, stderr), never a traceback


def plan(tmp_path, *, pid="p", name="测试规划", tid="t1", unit_zh="", quote="q", name_file="plan.yaml"):
    text = (f"id: {json.dumps(pid)}\nname_zh: {json.dumps(name)}\nregion: changchun\nsource: x\nbase_year: 2020\n"
            f"target_year: 2025\ntargets:\n  - id: {json.dumps(tid)}\n    indicator: elderly_care_beds\n"
            f"    comparator: '>='\n    value: 30000\n    unit: beds\n    quote: {json.dumps(quote)}\n"
            f"    responsible_unit: {json.dumps(unit_zh)}\n")
    p = tmp_path / name_file
    p.write_text(text, encoding="utf-8")
    return p


def fake_execute(job, outdir, timeout, kernel=None, start_timeout=60):
    n = job["name"]
    (Path(outdir) / f"{n}.ipynb").write_text("{}", encoding="utf-8")
    (Path(outdir) / f"{n}.html").write_text(f"<p>{n}</p>", encoding="utf-8")
    return {"name": n, "params_file": job["file"], "plan": job["params"].get("plan"), "ok": True, "error": "",
            "html": f"{n}.html", "records": [], "seconds": 0}


def cells(path: Path):
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_no_formula(path: Path):
    for c in cells(path):
        assert c.data_type != "f", (c.coordinate, c.value)
        assert not (isinstance(c.value, str) and c.value.lstrip(" ").startswith(safe.FORMULA_START)), c.value


def statreport(tmp_path, name="r.csv", item="城市最低生活保障平均标准"):
    p = tmp_path / name
    filler = "".join(f"说明{i},,\n" for i in range(30))  # headings without numbers: skipped by the reader
    p.write_text(f"指标名称,单位,数量\n{filler}{item},元/人·月,800\n", encoding="utf-8")
    return p


# ------------------------------------------------------------------ lost (6)
def test_assess_xlsx_onto_its_own_data_file_is_refused(tmp_path, capsys):
    data = tmp_path / "X.xlsx"
    assert main(["template", "changchun-14th", "--out", data], capsys)[0] == 0
    before = data.read_bytes()
    rc, _, err = main(["assess", "--plan", "changchun-14th", "--data", data, "--format", "xlsx", "--out", data], capsys)
    assert rc == 2 and "input" in err and data.read_bytes() == before


def test_template_rerun_keeps_the_filled_file_unless_forced(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", "changchun-14th", "--out", out], capsys)[0] == 0
    wb = openpyxl.load_workbook(out)
    wb["数据"]["G2"] = 123.0
    wb.save(out)
    filled = out.read_bytes()
    rc, _, err = main(["template", "changchun-14th", "--out", out], capsys)
    assert rc == 2 and "--force" in err and out.read_bytes() == filled
    assert main(["template", "changchun-14th", "--out", out, "--force"], capsys)[0] == 0
    assert out.read_bytes() != filled


def test_data_import_onto_its_own_report_is_refused(tmp_path, capsys):
    rep = statreport(tmp_path)
    before = rep.read_bytes()
    rc, _, err = main(["data", "import", rep, "--region", "changchun", "--year", "2023", "--out", rep, "--force"],
                      capsys)
    assert rc == 2 and "input" in err and rep.read_bytes() == before


def test_params_named_index_cannot_replace_the_index(tmp_path, capsys):
    p = tmp_path / "index.yaml"
    p.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    rc, _, err = main(["run", p, "--out", tmp_path / "out"], capsys)
    assert rc == 2 and "index" in err and not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out*")), "nothing created for bad input"


def test_run_into_existing_out_keeps_earlier_pages_and_lists_them(tmp_path):
    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=fake_execute)
    runner.run([str(SMALL)], out, execute=fake_execute)
    assert (out / "jilin-2021.html").exists() and (out / f"{SMALL.stem}.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="./jilin-2021.html"' in index and f'href="./{SMALL.stem}.html"' in index
    runner.run([str(JILIN)], out, execute=fake_execute)  # and again: still both
    assert f'href="./{SMALL.stem}.html"' in (out / "index.html").read_text(encoding="utf-8")


def records_execute(job, outdir, timeout, kernel=None, start_timeout=60):
    """fake_execute with the rows the page's notebook records: the plan assessed."""
    from mzforecast.html import summary_records
    r = fake_execute(job, outdir, timeout)
    r["records"] = summary_records(mzf.assess_plan(job["params"]["plan"]))
    return r


def _index_row(out: Path, name: str) -> str:
    index = (out / "index.html").read_text(encoding="utf-8")
    i = index.index(f'href="./{name}.html"')
    return index[index.rindex("<tr", 0, i):index.index("</tr>", i)]


def test_page_list_refers_to_the_summary_rows_and_a_later_run_lists_the_page_with_them(tmp_path):
    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=records_execute)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    pages = json.loads((out / outlock.PAGES).read_text(encoding="utf-8"))
    assert len(summary) > 1 and [p["records"] for p in pages] == [{"in": "summary.json", "rows": len(summary)}]
    counts = sorted(collections.Counter(r["verdict"] for r in summary).values())
    assert sorted(map(int, re.findall(r"<td>(\d+)</td>", _index_row(out, "jilin-2021")))) == counts
    runner.run([str(SMALL)], out, execute=records_execute)  # jilin-2021 is kept, not rebuilt
    again = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [r for r in again if r["report"] == "jilin-2021"] == summary
    assert sorted(map(int, re.findall(r"<td>(\d+)</td>", _index_row(out, "jilin-2021")))) == counts
    pages = {p["name"]: p["records"] for p in json.loads((out / outlock.PAGES).read_text(encoding="utf-8"))}
    assert pages["jilin-2021"] == {"in": "summary.json", "rows": len(summary)}
    # rows the summary does not hold (the same plan's rows of another page are there) stay in the list
    twin = tmp_path / "jilin-2021-twin.yaml"
    twin.write_text(JILIN.read_text(encoding="utf-8"), encoding="utf-8")
    runner.run([str(JILIN), str(twin)], out, execute=records_execute)
    pages = {p["name"]: p["records"] for p in json.loads((out / outlock.PAGES).read_text(encoding="utf-8"))}
    assert pages["jilin-2021"] == {"in": "summary.json", "rows": len(summary)}
    assert isinstance(pages["jilin-2021-twin"], list) and len(pages["jilin-2021-twin"]) == len(summary)


def test_a_page_whose_rows_left_the_summary_is_still_listed(tmp_path):
    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=records_execute)
    (out / "summary.json").write_text("[]", encoding="utf-8")  # damaged by hand
    runner.run([str(SMALL)], out, execute=records_execute)
    assert 'href="./jilin-2021.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_second_run_on_one_out_exits_2_while_the_first_holds_it(tmp_path, capsys):
    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=fake_execute)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    lock = outlock.Lock(out.resolve())
    lock.acquire()
    try:
        rc, _, err = main(["run", SMALL, "--out", out], capsys)
    finally:
        lock.release()
    assert rc == 2 and "another `mzforecast run`" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".reports.lock")), "the lock file is removed when released"


# ------------------------------------------------------------------ injected (9)
def test_assess_xlsx_has_no_live_formula_from_ids_or_responsible_unit(tmp_path, capsys):
    p = plan(tmp_path, tid=FORMULA, unit_zh="=1+2")
    out = tmp_path / "a.xlsx"
    assert main(["assess", "--plan", p, "--format", "xlsx", "--out", out], capsys)[0] == 0
    assert_no_formula(out)
    assert any(c.value == "'" + FORMULA for c in cells(out))


def test_template_has_no_live_formula(tmp_path, capsys):
    p = plan(tmp_path, tid=FORMULA, name="=cmd|' /C calc'!A0")
    out = tmp_path / "t.xlsx"
    assert main(["template", p, "--out", out], capsys)[0] == 0
    assert_no_formula(out)


def test_regions_csv_stream_is_neutralised(tmp_path, capsys):
    p = tmp_path / "r.yaml"
    p.write_text(REGIONS_PLAN.read_text(encoding="utf-8").replace("id: urban-dibao-allowance-up-20pct",
                                                                   "id: '=1+2'"), encoding="utf-8")
    rc, out, _ = main(["assess", "--plan", p, "--data", SYNTH, "--format", "csv"], capsys)
    assert rc == 0
    df = pd.read_csv(pd.io.common.StringIO(out), dtype=str, keep_default_na=False)
    assert (df.target_id == "'=1+2").sum() >= 9
    for c in df.columns:  # numbers (-0.5) stay numbers; text never starts a formula
        text = df[c][pd.to_numeric(df[c], errors="coerce").isna()]
        assert not any(v.startswith(safe.FORMULA_START) for v in text), (c, text.tolist()[:3])


@pytest.mark.parametrize("to_file", [True, False])
def test_data_import_output_is_neutralised(tmp_path, capsys, to_file):
    rep = statreport(tmp_path, name="=1+2 年报.csv")
    argv = ["data", "import", rep, "--region", "changchun", "--year", "2023"]
    out = tmp_path / "rows.csv"
    rc, stdout, _ = main(argv + (["--out", out] if to_file else []), capsys)
    assert rc == 0
    text = out.read_text(encoding="utf-8-sig") if to_file else stdout
    df = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    assert len(df) == 1
    assert not any(str(v).startswith(safe.FORMULA_START) for v in df.to_numpy().ravel()), df.to_dict("records")


@pytest.mark.parametrize("cmd", ["assess", "plans", "draft"])
def test_csv_format_strips_escape_sequences(tmp_path, capsys, cmd):
    p = plan(tmp_path, name="规划" + ESC, quote="q" + ESC, unit_zh=ESC)
    argv = {"assess": ["assess", "--plan", p], "plans": ["plans", p], "draft": ["draft", p]}[cmd]
    for fmt in ("csv", "json", "table"):
        rc, out, err = main(argv + ["--format", fmt], capsys)
        assert rc in (0, 2) and "\x1b" not in out + err and "\x07" not in out + err


def test_not_recognised_names_are_stripped(tmp_path, capsys):
    rep = statreport(tmp_path, item="未知项目" + ESC)
    rc, out, err = main(["data", "import", rep, "--region", "changchun", "--year", "2023"], capsys)
    assert "\x1b" not in out + err and "未知项目" in err


def test_data_export_scans_past_the_first_8_kb(tmp_path, capsys):
    rows = "".join(f"changchun,elderly_care_beds,{1950 + i % 70},{1000 + i},beds,mine,q,n\n" for i in range(1))
    pad = "".join(f"changchun,elderly_care_beds,{2000 + i},{1000 + i},beds,mine,{'x' * 400},n\n" for i in range(24))
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit,source,quote,note\n" + pad + rows.replace(",n\n", f",{ESC}\n"),
                 encoding="utf-8")
    assert f.stat().st_size > 8192 and f.read_text(encoding="utf-8").index("\x1b") > 8192
    rc, out, err = main(["data", "export", "--data", f], capsys)
    assert rc in (0, 2) and "\x1b" not in out + err


# ------------------------------------------------------------------ tracebacks (6)
def test_regions_all_in_table_format(tmp_path, capsys):
    p = tmp_path / "all.yaml"
    p.write_text(REGIONS_PLAN.read_text(encoding="utf-8").replace(
        "regions: [changchun, jilin_city, siping, liaoyuan, tonghua, baishan, songyuan, baicheng, yanbian]",
        "regions: all"), encoding="utf-8")
    rc, out, _ = main(["assess", "--plan", p], capsys)
    assert rc == 0 and "no_data" in out


def test_data_workbook_with_a_chart_sheet(tmp_path, capsys):
    from openpyxl.chart import BarChart, Reference
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "indicator", "unit", "2023"])
    ws.append(["changchun", "elderly_care_beds", "beds", 40000])
    cs = wb.create_chartsheet("图表")
    ch = BarChart()
    ch.add_data(Reference(ws, min_col=4, min_row=1, max_row=2), titles_from_data=True)
    cs.add_chart(ch)
    f = tmp_path / "c.xlsx"
    wb.save(f)
    rc, out, _ = main(["data", "export", "--data", f, "--format", "json"], capsys)
    assert rc == 0 and '"value":40000' in out.replace(" ", "")


@pytest.mark.parametrize("field", ["name", "unit_zh"])
def test_word_line_break_in_plan_text(tmp_path, capsys, field):
    p = plan(tmp_path, **{field: "第一行\x0b第二行"})
    for argv in (["template", p, "--out", tmp_path / "t.xlsx"],
                 ["assess", "--plan", p, "--format", "xlsx", "--out", tmp_path / "a.xlsx"]):
        assert main(argv, capsys)[0] == 0
    texts = [c.value for f in ("t.xlsx", "a.xlsx") for c in cells(tmp_path / f) if isinstance(c.value, str)]
    assert any("第一行\n第二行" in t for t in texts)


def test_run_summary_with_word_line_break_does_not_crash(tmp_path):
    from mzforecast.attainment import FIELDS
    rec = {k: None for k in FIELDS}
    rec.update(plan="p", target_id="t\x0b1", indicator="elderly_care_beds", region="changchun", as_of=2024, verdict="on_track",
               responsible_unit="救助处\x0b社会事务处")
    runner.write_summary(tmp_path, [dict(name="p", ok=True, params_file="p.yaml", records=[rec])])
    assert any(c.value == "救助处\n社会事务处" for c in cells(tmp_path / "summary.xlsx"))


@pytest.mark.parametrize("p", ["1e-13", "0", "1", "0.999", "-0.5", "nan"])
def test_probability_outside_001_099_refused(capsys, p):
    rc, _, err = main(["propose", "changchun", "dibao_standard_urban", "--probability", p], capsys)
    assert rc == 2 and "0.01-0.99" in err or "not a number" in err


# ------------------------------------------------------------------ hangs and memory (4)
def test_data_import_refuses_devices_and_fifos(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for src in ("/dev/zero", fifo):
        t0 = time.time()
        rc, _, err = main(["data", "import", src, "--region", "changchun", "--year", "2023"], capsys)
        assert rc == 2 and "not a regular file" in err and time.time() - t0 < 5


def test_xlsx_declared_size_checked_before_loading(tmp_path, capsys):
    small = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["region", "indicator", "unit", "2023"])
    wb.save(small)
    bomb = tmp_path / "b.xlsx"
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 60_000_000)
            zout.writestr(info.filename, data)
    assert bomb.stat().st_size < 200_000
    t0 = time.time()
    rc, _, err = main(["data", "check", bomb], capsys)
    assert rc == 2 and "MB" in err and time.time() - t0 < 10


def test_summary_workbook_is_streamed_not_built_in_openpyxl(monkeypatch, tmp_path):
    """summary.xlsx goes row by row to XlsxWriter: no openpyxl workbook (slow at 100,000 rows) is
    built; the rows, a formula-looking id made text, digits and a link kept as text, a control character
shown, and sheet names equal but for case all arrive."""
    import openpyxl

    from mzforecast.attainment import FIELDS
    from mzforecast.data import load
    from mzforecast.pages import workbook as summary_xlsx
    rows = [dict({k: None for k in FIELDS}, plan=plan, target_id=f"=1+{i}", indicator="elderly_care_beds",
                 verdict="on_track", responsible_unit=unit)
            for plan in ("Plan", "plan") for i, unit in enumerate(["0012", "http://x.cn", "a\x01b"] * 100)]
    with monkeypatch.context() as m:
        m.setattr(openpyxl, "Workbook", lambda *a, **k: pytest.fail("summary.xlsx built an openpyxl Workbook"))
        out = summary_xlsx.write_summary_xlsx(pd.DataFrame(rows, columns=FIELDS), tmp_path / "s.xlsx", load())
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Plan", "plan~2"]
    for ws in wb.worksheets:
        ids = [c.value for c in ws["A"][1:]]
        assert len(ids) == 300 and ids[0] == "'=1+0" and {c.data_type for c in ws["A"]} == {"s"}
        units = [r[-1] for r in ws.iter_rows(min_row=2, values_only=True)]
        assert set(units) == {"0012", "http://x.cn", "a⟨U+0001⟩b"} and not ws._hyperlinks  # text, not a number or link


# ------------------------------------------------------------------ silently wrong (9)
def test_count_interval_never_below_zero():
    from mzforecast.models import forecast
    s = pd.Series([30000.0, 20000.0, 10000.0, 0.0], index=pd.Index([2020, 2021, 2022, 2023], name="year"))
    s.attrs.update(kind="level")
    fc = forecast(s, until=2026, method="drift", kind="level").to_frame()
    assert (fc[["lo80", "lo95", "hi80", "hi95", "point"]].to_numpy() >= 0).all()


def test_zero_denominator_refused_with_the_row(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit,source\nchangchun,dibao_standard_urban,2024,0,yuan/person/month,"
                 "我的数据\n", encoding="utf-8")
    rc, _, err = main(["assess", "--plan", "changchun-14th", "--data", f], capsys)
    assert rc == 2 and "d.csv, row 2, column 'value': dibao_standard_urban (城市低保标准) must be above 0" in err


def test_regions_plan_xlsx_refused_not_silently_skipped(tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    rc, _, err = main(["assess", "--plan", REGIONS_PLAN, "--data", SYNTH, "--format", "xlsx", "--out", out], capsys)
    assert rc == 2 and "--format csv" in err and not out.exists()


def _sheets(tmp_path, states):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, state, value in states:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        if value is not None:
            ws.append(["region", "indicator", "unit", "2023"])
            ws.append(["changchun", "elderly_care_beds", "beds", value])
    f = tmp_path / "h.xlsx"
    wb.save(f)
    return f


def test_hidden_sheets_skipped_and_veryhidden_never_named(tmp_path, capsys):
    f = _sheets(tmp_path, [("作废", "hidden", 1), ("数据", "visible", 40000), ("秘密", "veryHidden", 2)])
    rc, out, err = main(["data", "export", "--data", f, "--format", "json"], capsys)
    assert rc == 0 and '"value":40000' in out.replace(" ", "") and '"value":1,' not in out.replace(" ", "")
    # the skipped hidden sheet is named beside the data read, the veryHidden one never
    assert "hidden sheets not read: '作废'" in err and "秘密" not in err + out
    ds = mzf.load(f)
    assert any("作废" in m for m in ds.messages) and not any("秘密" in m for m in ds.messages)
    f = _sheets(tmp_path, [("作废", "hidden", 1), ("数据", "visible", None), ("秘密", "veryHidden", 2)])
    rc, _, err = main(["data", "check", f], capsys)
    assert rc == 2 and "作废" in err and "秘密" not in err
    rc, _, err = main(["data", "check", "--sheet", "nope", f], capsys)
    assert rc == 2 and "秘密" not in err


def test_bidi_and_zero_width_marked_in_text_and_refused_in_ids(tmp_path, capsys):
    rc, _, err = main(["plans", plan(tmp_path, tid="t\u202e1")], capsys)
    assert rc == 2 and "U+202E" in err
    rc, _, err = main(["plans", plan(tmp_path, pid="p\u200b")], capsys)
    assert rc == 2 and "U+200B" in err
    rc, out, _ = main(["plans", plan(tmp_path, name="规划\u202e名")], capsys)
    assert "\u202e" not in out
    assert safe.terminal("a\u202eb") == "a⟨U+202E⟩b" and safe.html_text("a\u200bb") == "a⟨U+200B⟩b"


def test_written_files_get_the_umask_mode(tmp_path, capsys):
    old = os.umask(0o022)
    try:
        assert main(["template", "changchun-14th", "--out", tmp_path / "t.xlsx"], capsys)[0] == 0
        assert main(["assess", "--plan", "changchun-14th", "--format", "xlsx", "--out", tmp_path / "a.xlsx"],
                    capsys)[0] == 0
        assert main(["data", "import", statreport(tmp_path), "--region", "changchun", "--year", "2023",
                     "--out", tmp_path / "i.csv"], capsys)[0] == 0
        runner.run([str(JILIN)], tmp_path / "rep", execute=fake_execute)
        for f in ("t.xlsx", "a.xlsx", "i.csv", "rep/summary.xlsx"):
            assert stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o644, f
    finally:
        os.umask(old)


# ------------------------------------------------------------------ unclear (7)
def test_plan_beside_its_params_file(tmp_path, monkeypatch):
    d = tmp_path / "job"
    d.mkdir()
    plan(d, name_file="myplan.yaml")
    (d / "mine.yaml").write_text("plan: myplan.yaml\nnotebook: plan_dashboard\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    jobs = runner.collect_jobs([str(d / "mine.yaml")])
    assert jobs[0]["params"]["plan"] == str((d / "myplan.yaml").resolve())
    runner.validate_jobs(jobs)


def test_fifo_in_out_refused_before_running(tmp_path, capsys):
    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=fake_execute)
    os.mkfifo(out / "pipe")
    ran = []
    with pytest.raises(Exception) as e:
        runner.run([str(JILIN)], out, execute=lambda *a: ran.append(1) or fake_execute(*a))
    assert "pipe" in str(e.value) and not ran


def test_error_list_capped_with_a_count(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit\n" + "".join(
        f"changchun,elderly_care_beds,{1950 + i % 100},-{i + 1},beds\n" for i in range(3000)), encoding="utf-8")
    rc, _, err = main(["data", "check", f], capsys)
    assert rc == 2 and len(err.splitlines()) < 60 and "more" in err


# ------------------------------------------------------------------ the writer layer itself
def test_writer_refuses_devices_and_existing_files(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="not a regular file"):
        W.check_target(fifo, force=True)
    (tmp_path / "x.csv").write_text("mine")
    with pytest.raises(Exception, match="--force"):
        W.check_target(tmp_path / "x.csv")
    assert W.check_target(tmp_path / "x.csv", force=True) == tmp_path / "x.csv"
    out = W.csv_file(pd.DataFrame({"a": ["=1", "@x", " -2", "ok\x0b", 3], "=b": [1, 2, 3, 4, np.nan]}), tmp_path / "y.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1" in text and "'@x" in text and "' -2" in text and "'=b" in text


def test_summary_json_is_the_text_json_dumps_gives(tmp_path):
    """summary.json is written by the C encoder record by record: the same text as json.dumps(indent=1)."""
    import random
    rnd = random.Random(1)
    values = [None, True, False, 0, -1, 10 ** 30, 1.5, -0.0, 1e-300, float("nan"), float("inf"), "", "长春",
              'q"\\\n\t\x00\x1f', "\u202e=1+2", "</script>"]
    for _ in range(300):
        rows = [{rnd.choice(["a", "中文", "k\n", ""]) + str(j): rnd.choice(values) for j in range(rnd.randint(0, 5))}
                for _ in range(rnd.randint(0, 4))]
        assert W.json_records(rows) == json.dumps(rows, ensure_ascii=False, indent=1)
    nested = [{"a": [1, {"b": 2}]}, {"c": {"d": None}}]
    assert W.json_records(nested) == json.dumps(nested, ensure_ascii=False, indent=1)
    out = tmp_path / "run"
    out.mkdir()
    rows, _ = runner.write_summary(out, [dict(name="jilin-2021", ok=True, params_file="p.yaml",
                                           records=records_execute({"name": "jilin-2021", "file": "p.yaml",
                                                                    "params": {"plan": "jilin-2021"}}, out, 1)["records"])])
    text = (out / "summary.json").read_text(encoding="utf-8")
    assert text == json.dumps(rows, ensure_ascii=False, indent=1) and len(rows) > 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a large summary.xlsx is written by a forked process")
def test_summary_workbook_written_apart_is_the_same_file_and_a_full_disk_there_is_one_message(tmp_path, monkeypatch):
    from mzforecast.running import output
    recs = records_execute({"name": "jilin-2021", "file": "p.yaml", "params": {"plan": "jilin-2021"}}, tmp_path, 1)
    results = [dict(name="jilin-2021", ok=True, params_file="p.yaml", records=recs["records"])]
    here, apart = tmp_path / "here", tmp_path / "apart"
    here.mkdir()
    apart.mkdir()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, book = runner.write_summary(here, results)
    assert book.proc is None
    monkeypatch.setattr(output, "XLSX_APART_FROM", 1)
    _, book = runner.write_summary(apart, results)
    assert book.proc is not None  # a forked process writes it
    book.wait()
    assert (apart / "summary.xlsx").read_bytes() == (here / "summary.xlsx").read_bytes()
    assert sorted(p.name for p in apart.iterdir()) == ["summary.csv", "summary.json", "summary.xlsx"]

    out = tmp_path / "reports"
    runner.run([str(JILIN)], out, execute=records_execute)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(df, path, ds=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(output, "write_summary_xlsx", full)  # in the forked process too
    with pytest.raises(DataError, match="disk is full"):
        runner.run([str(JILIN)], out, execute=records_execute)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reports.")]
