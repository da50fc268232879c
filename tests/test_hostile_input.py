"""Hostile INPUT corpus (issue 12): every bad data, plan or params file is refused through the CLI with
exit code 2, no traceback, a message naming the file and the row/column/key, and nothing written.

Each case builds its files in an empty folder that is also the working directory, so any stray
write would show up in the before/after listing. The runner/CLI/injection half of the corpus lives
in the runner tests.
"""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mzforecast import data as D
from mzforecast.cli import main
from mzforecast.errors import MzError

H = "region,indicator,year,value,unit\n"
ROW = "changchun,elderly_care_beds,2020,{v},beds\n"


# ------------------------------------------------------------------ builders
def text(name, body, encoding="utf-8"):
    def build(d):
        p = d / name
        p.write_bytes(body.encode(encoding) if isinstance(body, str) else body)
        return p
    return build


def workbook(name, rows, setup=None):
    def build(d):
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            ws.append(r)
        if setup:
            setup(wb, ws)
        p = d / name
        wb.save(p)
        return p
    return build


def with_companion(main_file, yaml_text):
    def build(d):
        (d / "mine.indicators.yaml").write_text(yaml_text, encoding="utf-8")
        return main_file(d)
    return build


def folder(name):
    def build(d):
        (d / name).mkdir()
        return d / name
    return build


def xlsx_bytes(rows):
    b = io.BytesIO()
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(b)
    return b.getvalue()


def zip_bytes(name="readme.txt", content="not a workbook"):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(name, content)
    return b.getvalue()


def truncated_xlsx():
    whole = xlsx_bytes([XH, XR])
    return whole[: len(whole) // 2]


XH = ["region", "indicator", "year", "value", "unit"]
XR = ["changchun", "elderly_care_beds", 2020, 5.1, "万张"]


def two_sheets(wb, ws):
    s = wb.create_sheet("县区")
    s.append(XH)
    s.append(XR)


COMPANION = "indicators:\n  - id: {id}\n    name_zh: 改\n    unit: {unit}\n    kind: {kind}\n    aggregation: {agg}\n"

# (case id, builder, expected text in the message, where: row/column/key text, or None for whole-file problems)
DATA_CASES = [
    ("folder-as-file", folder("data.csv"), "folder, not a file", None),
    ("random-binary", text("bin.csv", bytes(range(256)) * 8), "binary", None),
    ("png-named-csv", text("pic.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "PNG image", None),
    ("pdf-named-xlsx", text("doc.xlsx", b"%PDF-1.4\n" + b"\x00\x01" * 40), "PDF document", None),
    ("csv-named-xlsx", text("table.xlsx", H + ROW.format(v=1)), "the file is a text (CSV) file", None),
    ("xlsx-named-csv", text("table.csv", xlsx_bytes([XH, XR])), "the file is an Excel workbook", None),
    ("zip-named-xlsx", text("arch.xlsx", zip_bytes()), "ZIP archive (not an Excel workbook)", None),
    ("damaged-workbook", text("dmg.xlsx", zip_bytes("xl/workbook.xml", "<garbage")), "cannot read the workbook",
     None),
    ("truncated-workbook", text("cut.xlsx", truncated_xlsx()), "damaged ZIP archive", None),
    ("old-xls", text("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64), ".xls", None),
    ("empty-file", text("empty.csv", ""), "the file is empty", None),
    ("header-only", text("h.csv", H), "header but no data rows", None),
    ("nul-bytes-in-text", text("nul.csv", H + "changchun,elderly_care_beds,2020,1\x00,beds\n"), "binary", None),
    ("ansi-control-chars", text("ctl.csv", H + ("\x1b[31m\x07\x08" * 30) + "\n"), "control characters", None),
    ("not-gbk-or-utf8", text("enc.csv", H.encode() + b"changchun,\x81\x30\xff\xfe,2020,1,beds\n"), "cannot decode",
     None),
    ("extra-field", text("x.csv", H + ROW.format(v=1) + "changchun,elderly_care_beds,2021,1,beds,oops\n"),
     "line 3 has 6 fields but the header has 5", "row 3"),
    ("missing-field", text("m.csv", H + "changchun,elderly_care_beds,2020,1\n"),
     "line 2 has 4 fields but the header has 5", "row 2"),
    ("unquoted-decimal-comma", text("dc.csv", H + "changchun,elderly_care_beds,2020,5,1,beds\n"),
     "has 6 fields", "row 2"),
    ("quoted-decimal-comma", text("dq.csv", H + ROW.format(v='"5,1"')), "not a thousands separator", "column 'value'"),
    ("odd-comma-grouping", text("og.csv", H + ROW.format(v='"12,34"')), "not a thousands separator", "row 2"),
    ("inf", text("inf.csv", H + ROW.format(v="inf")), "not a finite number", "column 'value'"),
    ("minus-inf", text("minf.csv", H + ROW.format(v="-Infinity")), "not a finite number", "column 'value'"),
    ("nan", text("nan.csv", H + ROW.format(v="NaN")), "not a finite number", "column 'value'"),
    ("overflow-1e400", text("big.csv", H + ROW.format(v="1e400")), "not a finite number", "column 'value'"),
    ("absurd-1e308", text("e308.csv", H + ROW.format(v="1e308")), "beyond the sanity bound", "row 2"),
    ("absurd-after-multiplier", text("wan.csv", H + "changchun,elderly_care_beds,2020,1e7,万张\n"),
     "beyond the sanity bound", "row 2"),
    ("absurd-money", text("money.csv", H + "changchun,dibao_standard_urban,2020,1e9,yuan/person/month\n"),
     "beyond the sanity bound", "column 'value'"),
    ("underscore-number", text("us.csv", H + ROW.format(v="1_000")), "is not a number", "column 'value'"),
    ("duplicate-column", text("dup.csv", "region,indicator,year,value,unit,value\n"
                                         "changchun,elderly_care_beds,2020,1,beds,2\n"),
     "column 'value' appears 2 times", "column 'value'"),
    ("duplicate-after-case-space", text("dupc.csv", "region,indicator,year,Value, value ,unit\n"
                                                    "changchun,elderly_care_beds,2020,1,2,beds\n"),
     "appears 2 times", "column 'value'"),
    ("duplicate-year-headers", text("dupy.csv", "region,indicator,unit,2019,2019年\n"
                                                "changchun,elderly_care_beds,beds,1,2\n"),
     "column '2019' appears 2 times", "column '2019'"),
    ("values-without-header", text("nh.csv", "region,indicator,year,value,,unit\n"
                                             "changchun,elderly_care_beds,2020,1,9,beds\n"),
     "column 5 has values but no header (first: '9')", "row 2"),
    ("value-and-year-columns", text("vy.csv", "region,indicator,value,2019\nchangchun,elderly_care_beds,1,2\n"),
     "both a 'value' column and year columns", "column 'value'"),
    ("name-column-without-id", text("rn.csv", "region_name,indicator,year,value\n长春,elderly_care_beds,2020,1\n"),
     "missing column 'region'", "column 'region'"),
    ("year-and-year-columns", text("yy.csv", H.strip() + ",2019\nchangchun,elderly_care_beds,2020,1,beds,2\n"),
     "both a 'year' column and year columns (2019)", "column 'year'"),
    ("year-not-whole", text("y.csv", H + "changchun,elderly_care_beds,2020.5,1,beds\n"), "not a whole year",
     "column 'year'"),
    ("year-out-of-range", text("yr.csv", H + "changchun,elderly_care_beds,1800,1,beds\n"), "out of range",
     "column 'year'"),
    ("empty-region-cell", text("er.csv", "region,region_name,indicator,year,value,unit\n"
                                         ",空,elderly_care_beds,2020,1,beds\n"), "region cell is empty",
     "column 'region'"),
    ("row-shift-names-region", text("rs.csv", H + "elderly_care_beds,2020,1,beds,x\n"), "unknown region",
     "row 2"),
    ("negative-count", text("neg.csv", H + ROW.format(v=-5)), "negative value", "row 2"),
    ("share-above-100", text("sh.csv", H + "changchun,nursing_bed_share_public_homes,2020,140,percent\n"),
     "above 100", "row 2"),
    ("xlsx-several-sheets", workbook("two.xlsx", [XH, XR], two_sheets), "data on several sheets: 'Sheet', '县区'",
     None),
    ("xlsx-merged-cells", workbook("mg.xlsx", [XH, XR, XR], lambda wb, ws: ws.merge_cells("A2:A3")),
     "merged cells A2:A3", "row 2"),
    ("xlsx-uncached-formula", workbook("f.xlsx", [XH, ["changchun", "elderly_care_beds", 2020, "=2*3", "beds"]]),
     "cell D2 holds the formula '=2*3' with no saved value", "row 2"),
    ("xlsx-stray-cell", workbook("st.xlsx", [XH, XR + [None, "stray"]]), "column 7 has values but no header (first: 'stray')",
     "row 2"),
    ("xlsx-text-inf", workbook("ti.xlsx", [XH, ["changchun", "elderly_care_beds", 2020, "inf", "beds"]]),
     "not a finite number", "column 'value'"),
    ("xlsx-decimal-comma", workbook("xc.xlsx", [XH, ["changchun", "elderly_care_beds", 2020, "5,1", "万张"]]),
     "not a thousands separator", "row 2"),
    ("xlsx-empty", workbook("e.xlsx", []), "no data on any sheet", None),
    ("xlsx-stray-cell-far-away", workbook("far.xlsx", [XH, XR], lambda wb, ws: ws.__setitem__("XFD1048576", "x")),
     "the sheet spans A1:XFD1048576", None),
    ("many-bad-lines-summarised", text("many.csv", H + "changchun,elderly_care_beds,2020,1,beds,x\n" * 30),
     "and 10 more lines with the wrong number of fields", "row 21"),
    ("companion-changes-unit", with_companion(text("mine.csv", H + "changchun,dibao_standard_rural,2020,550,"
                                                                   "yuan/person/month\n"),
                                              COMPANION.format(id="dibao_standard_rural", unit="yuan/person/month",
                                                               kind="level", agg="stock")),
     "changes its unit from 'yuan/person/year' to 'yuan/person/month'", "column 'dibao_standard_rural'"),
    ("companion-changes-kind", with_companion(text("mine.csv", H + ROW.format(v=1)),
                                              COMPANION.format(id="elderly_care_beds", unit="beds", kind="share",
                                                               agg="stock")),
     "kind from 'level' to 'share'", "column 'elderly_care_beds'"),
    ("companion-changes-aggregation", with_companion(text("mine.csv", H + ROW.format(v=1)),
                                                     COMPANION.format(id="elderly_care_beds", unit="beds",
                                                                      kind="level", agg="period_total")),
     "aggregation from 'stock' to 'period_total'", "column 'elderly_care_beds'"),
    ("companion-unknown-key", with_companion(text("mine.csv", H + ROW.format(v=1)),
                                             "indicators:\n  - id: meals\n    name_zh: 助餐\n    unti: people\n"),
     "unknown key 'unti': did you mean 'unit'?", "indicators[0].unti"),
    ("companion-duplicate-key", with_companion(text("mine.csv", H + ROW.format(v=1)),
                                               "indicators:\n  - id: meals\n    id: meals2\n    name_zh: x\n"
                                               "    unit: people\n"),
     "duplicate key 'id'", "row 3"),
]


def _listing(d):
    return sorted((p.relative_to(d).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in d.rglob("*"))


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name,build,expect,where", DATA_CASES, ids=[c[0] for c in DATA_CASES])
@pytest.mark.parametrize("command", ["check", "assess"])
def test_bad_data_file_refused(tmp_path, monkeypatch, capsys, name, build, expect, where, command):
    monkeypatch.chdir(tmp_path)
    path = build(tmp_path)
    before = _listing(tmp_path)
    argv = (["data", "check", str(path)] if command == "check"
            else ["assess", "--plan", "changchun-14th", "--data", str(path), "--format", "csv"])
    code, out, err = _run(argv, capsys)
    assert code == 2, err
    assert "Traceback" not in err + out
    assert expect in err, err
    named = str(tmp_path / "mine.indicators.yaml") if name.startswith("companion") else str(path)
    assert named in err, err
    if where:
        assert where in err, err
    assert out == ""  # nothing half-printed on stdout
    assert _listing(tmp_path) == before  # nothing written, nothing touched


@pytest.mark.parametrize("kind", ["device", "fifo", "too-large"])
def test_special_or_huge_files_refused(tmp_path, monkeypatch, capsys, kind):
    import os
    monkeypatch.chdir(tmp_path)
    if kind == "device":
        path = "/dev/zero"
    elif kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    else:
        monkeypatch.setattr("mzforecast.io.MAX_BYTES", 50)
        path = text("big.csv", H + ROW.format(v=1) * 3)(tmp_path)
    code, out, err = _run(["data", "check", str(path)], capsys)
    assert code == 2 and "Traceback" not in err and str(path) in err, err
    assert ("more than any statistical table" if kind == "too-large" else "not a regular file") in err


def test_sheet_option_names_the_missing_sheet(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = workbook("two.xlsx", [XH, XR], two_sheets)(tmp_path)
    code, _, err = _run(["data", "check", "--sheet", "乡镇", str(path)], capsys)
    assert code == 2 and "has no sheet '乡镇'" in err and "'Sheet', '县区'" in err


# ------------------------------------------------------------------ plan files
PLAN_HEAD = ("id: p\nname_zh: 测试\nregion: changchun\nsource: x\nbase_year: 2020\ntarget_year: 2025\n")
TARGET = ("targets:\n  - id: t1\n    indicator: elderly_care_beds\n    comparator: '>='\n    unit: beds\n"
          "    quote: q\n")


def deep_yaml(d):
    p = d / "deep.yaml"
    p.write_text("a: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    return p


PLAN_CASES = [
    ("targets-not-a-list", PLAN_HEAD + "targets: 5\n", "valid list (got 5)", "column 'targets'"),
    ("year-true", PLAN_HEAD + TARGET + "    value: 1\n    year: true\n", "valid integer (got True)",
     "targets.0.year"),
    ("misspelt-key", PLAN_HEAD + TARGET + "    value: 1\n    bindng: true\n", "unknown key 'bindng': did you mean "
     "'binding'?", "targets.0.bindng"),
    ("misspelt-top-key", PLAN_HEAD + "targt_year: 2025\n" + TARGET + "    value: 1\n", "unknown key 'targt_year'",
     "column 'targt_year'"),
    ("duplicate-key", PLAN_HEAD + TARGET + "    value: 1\n    value: 2\n", "duplicate key 'value'", "line 13"),
    ("value-nan", PLAN_HEAD + TARGET + "    value: .nan\n", "finite number", "targets.0.value"),
    ("value-inf", PLAN_HEAD + TARGET + "    value: .inf\n", "finite number", "targets.0.value"),
    ("value-1e400", PLAN_HEAD + TARGET + "    value: 1e400\n", "valid number", "targets.0.value"),
    ("value-bool", PLAN_HEAD + TARGET + "    value: yes\n", "valid number", "targets.0.value"),
    ("binding-string", PLAN_HEAD + TARGET + "    value: 1\n    binding: 'yes'\n", "valid boolean",
     "targets.0.binding"),
    ("target-before-base", PLAN_HEAD + TARGET + "    value: 1\n    year: 2010\n",
     "target year 2010 is before the plan's base year 2020", "targets.0"),
    ("plan-years-reversed", PLAN_HEAD.replace("target_year: 2025", "target_year: 2019") + TARGET + "    value: 1\n",
     "target year 2019 is before the plan's base year 2020", "targets.0"),
    ("year-3000", PLAN_HEAD.replace("target_year: 2025", "target_year: 3000") + TARGET + "    value: 1\n",
     "less than or equal to 2100", "column 'target_year'"),
    ("year-1800", PLAN_HEAD.replace("base_year: 2020", "base_year: 1800") + TARGET + "    value: 1\n",
     "greater than or equal to 1949", "column 'base_year'"),
    ("between-reversed", PLAN_HEAD + TARGET.replace("'>='", "between") + "    value: 5\n    value_high: 3\n",
     "'between' needs value <= value_high", "targets.0"),
    ("plan-is-a-list", "- a\n- b\n", "expected a mapping", None),
    ("yaml-syntax", PLAN_HEAD + "targets: [\n", "YAML syntax error", "line"),
]


@pytest.mark.parametrize("name,body,expect,where", PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
@pytest.mark.parametrize("command", ["plans", "assess"])
def test_bad_plan_file_refused(tmp_path, monkeypatch, capsys, name, body, expect, where, command):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "plan.yaml"
    path.write_text(body, encoding="utf-8")
    before = _listing(tmp_path)
    argv = ["plans", str(path)] if command == "plans" else ["assess", "--plan", str(path), "--format", "csv"]
    code, out, err = _run(argv, capsys)
    assert code == 2, err
    assert "Traceback" not in err and expect in err and str(path) in err, err
    if where:
        assert where in err, err
    assert out == "" and _listing(tmp_path) == before


@pytest.mark.parametrize("command", ["plans", "assess"])
@pytest.mark.parametrize("kind,expect", [("deep-nesting", "nested too deeply"), ("folder", "folder"),
                                         ("missing", "plan file not found")])
def test_plan_deep_nesting_folder_or_missing(tmp_path, monkeypatch, capsys, kind, expect, command):
    monkeypatch.chdir(tmp_path)
    path = {"deep-nesting": deep_yaml, "folder": folder("plan.yaml"),
            "missing": lambda d: d / "nope.yaml"}[kind](tmp_path)
    argv = ["plans", str(path)] if command == "plans" else ["assess", "--plan", str(path)]
    code, out, err = _run(argv, capsys)
    assert code == 2 and "Traceback" not in err and str(path) in err and expect in err, err


# ------------------------------------------------------------------ params files (mzforecast run)
PARAMS_CASES = [
    ("a-list", "- plan_dashboard\n", "expected a mapping", None),
    ("unknown-key", "notebook: plan_dashboard\nplan: changchun-14th\nlangauge: en\n",
     "unknown key 'langauge': did you mean 'language'?", "column 'langauge'"),
    ("duplicate-key", "notebook: backtest\nplan: changchun-13th\nplan: jilin-13th\n", "duplicate key 'plan'",
     "line 3"),
    ("as-of-true", "notebook: backtest\nplan: changchun-13th\nas_of: true\n", "valid integer", "column 'as_of'"),
    ("as-of-out-of-range", "notebook: backtest\nplan: changchun-13th\nas_of: -1\n", "greater than or equal to 1949",
     "column 'as_of'"),
    ("unknown-notebook", "notebook: dashbord\nplan: changchun-14th\n", "plan_dashboard", "column 'notebook'"),
    ("unknown-method", "plan: changchun-14th\nmethod: neural\n", "auto", "column 'method'"),
    ("missing-plan", "notebook: plan_dashboard\n", "needs 'plan'", None),
    ("report-needs-target", "notebook: indicator_report\nplan: changchun-14th\n", "needs 'target_id'", None),
]


@pytest.mark.parametrize("name,body,expect,where", PARAMS_CASES, ids=[c[0] for c in PARAMS_CASES])
def test_bad_params_file_refused_before_running(tmp_path, monkeypatch, capsys, name, body, expect, where):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(body, encoding="utf-8")
    before = _listing(tmp_path)
    code, out, err = _run(["run", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"], capsys)
    assert code == 2, err
    assert "Traceback" not in err and expect in err and str(path) in err, err
    if where:
        assert where in err, err
    assert _listing(tmp_path) == before and not (tmp_path / "out").exists()


def test_bundled_params_files_still_valid():
    from mzforecast.running import load_params, params_dir
    files = sorted(params_dir().glob("*.yaml"))
    assert files and all(isinstance(load_params(f), dict) for f in files)


# ------------------------------------------------------------------ fuzz: only the project's own errors
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _only_own_errors(path) -> str:
    """Read `path` as a user data file: it is read into finite long rows, or refused with the
    project's own error and a message; anything else propagates and fails the test."""
    import math

    from hypothesis import event
    try:
        rows = D.load_user_file(path, D.load_bundled())
    except MzError as e:
        assert str(e)  # a message, never empty
        event("refused: " + type(e).__name__)
        outcome = "refused"
    else:
        assert {"region", "indicator", "year", "value"} <= set(rows.columns)
        assert all(math.isfinite(v) for v in rows["value"]), "a value read must be finite"
        event("read")
        outcome = "read"
    assert D.check_files([path]) is not None  # the CLI path never raises either
    return outcome


@FUZZ
@given(raw=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]))
def test_fuzz_random_bytes(tmp_path, raw, suffix):
    p = tmp_path / f"fuzz{suffix}"
    p.write_bytes(raw)
    assert _only_own_errors(p) in ("read", "refused")


CELL = st.one_of(
    st.sampled_from(["changchun", "jilin", "elderly_care_beds", "dibao_standard_urban", "2020", "2019年", "Y2021",
                     "5,1", "1,245.0", "inf", "nan", "1e308", "-0", "万张", "beds", "", " ", "\"", "=1+2"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
NAMES = st.sampled_from(["region", "Indicator", " year", "VALUE", "unit", "2019", "2020年", "Y2021", "2021.0",
                         "source", "region_name", "indicator_name", "kind", "x", "", " "])
CORE = st.sampled_from([["region", "indicator", "year", "value", "unit"], ["region", "indicator", "unit", "2019", "2020"]])
HEADERS = st.one_of(
    st.lists(NAMES, min_size=1, max_size=9),  # anything
    *[CORE.flatmap(lambda c: st.lists(NAMES, max_size=2).flatmap(lambda x: st.permutations(c + x)))] * 3,  # near-valid
)


GOOD = {"region": ["changchun", "jilin"], "indicator": ["elderly_care_beds", "dibao_standard_urban"],
        "year": ["2019", "2020年", "Y2021"], "value": ["1", "1,245.0", "5.1", "0"], "unit": ["", " "],
        "region_name": ["", "长春"], "indicator_name": [""], "source": ["", "mine"], "kind": [""]}


def _cell_for(name):
    n = D.column_name(name)
    good = GOOD.get(n, ["3", "4.5", ""] if n.isdigit() else ["", "note"])
    return st.one_of(*[st.sampled_from(good)] * 6, CELL)  # mostly plausible, sometimes hostile


TABLES = st.one_of(
    st.tuples(HEADERS, st.lists(st.lists(CELL, max_size=8), max_size=5)),  # ragged, anything
    HEADERS.flatmap(lambda h: st.tuples(st.just(h), st.lists(st.tuples(*map(_cell_for, h)).map(list), min_size=1,
                                                             max_size=5))),
)


@FUZZ
@given(table=TABLES, sep=st.sampled_from([",", ",", "\t", ";"]), quoted=st.booleans())
def test_fuzz_random_csv_cells(tmp_path, table, sep, quoted):
    import csv
    header, rows = table
    if quoted:  # as Excel writes it: cells with separators or quotes are quoted
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator="\n").writerows([header] + rows)
        body = buf.getvalue()
    else:
        body = "\n".join(sep.join(r) for r in [header] + rows) + "\n"
    p = tmp_path / "fuzz.csv"
    p.write_text(body, encoding="utf-8")
    assert _only_own_errors(p) in ("read", "refused")


XCELL = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  st.booleans(), CELL)


@FUZZ
@given(table=st.one_of(TABLES, st.tuples(HEADERS, st.lists(st.lists(XCELL, max_size=8), max_size=5))),
       merge=st.sampled_from([False, False, True]))
def test_fuzz_random_xlsx_cells(tmp_path, table, merge):
    header, rows = table
    wb = openpyxl.Workbook()
    ws = wb.active
    legal = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE
    for r in [header] + rows:
        ws.append([legal.sub("", x) if isinstance(x, str) else x for x in r])
    if merge and rows:
        ws.merge_cells("A2:B2")
    p = tmp_path / "fuzz.xlsx"
    wb.save(p)
    assert _only_own_errors(p) in ("read", "refused")


def test_real_process_prints_no_traceback(tmp_path):
    """The same refusals from the installed console entry point, in a real process (exit 2, no traceback)."""
    import subprocess
    import sys
    build = dict((c[0], c[1]) for c in DATA_CASES)
    files = [build["random-binary"](tmp_path), build["extra-field"](tmp_path), build["xlsx-uncached-formula"](tmp_path)]
    plan = deep_yaml(tmp_path)
    for argv in (["data", "check", *map(str, files)], ["assess", "--plan", str(plan)]):
        r = subprocess.run([sys.executable, "-m", "mzforecast.cli", *argv], capture_output=True, text=True,
                           cwd=tmp_path)
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == "", r.stderr
        assert all(str(f) in r.stderr for f in (files if argv[0] == "data" else [plan]))


YAML_BITS = st.sampled_from(["id: p\n", "targets:\n", "  - id: t\n", "    value: ", ".nan", "1e400", "true", "[", "]",
                             "{", "}", "base_year: ", "target_year: ", "2020", "-1", "\n", "    ", ": ", "&a ", "*a",
                             "<<: ", "!!python/object:os.system\n", "'", '"', "%YAML 1.1\n", "---\n", "\t", "年"])


@FUZZ
@given(parts=st.lists(YAML_BITS, max_size=40))
def test_fuzz_plan_yaml(tmp_path, parts):
    from mzforecast.targets import load_plan
    p = tmp_path / "fuzz.yaml"
    p.write_text("".join(parts), encoding="utf-8")
    try:
        load_plan(p, D.load_bundled())
    except MzError as e:
        assert str(e)
