"""Generated: every CLI command with hostile strings in every text field of plans, params and data.

For each hostile string, one plan carries it in every text field (name, quote, note, 责任单位;
the ids in a second plan, the region in a third), one data file in its source/quote/note
columns and its region, one params file in its name. Every command runs on them and must exit
0 or 2 with no traceback, no escape sequence on the terminal, and no live formula or markup in
any file it writes (CSV cells, workbook cells, HTML pages).
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mzforecast import cli, running as runner, safe

HOSTILE = {
    "formula": '=HYPERLINK("http://evil","点击")',
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd",
    "markup": '"><script>alert(1)</script><img src=x onerror=alert(2)>',
    "escape": "\x1b]0;pwned\x07\x1b[2J\x1b[31m红",
    "vt": "第一行\x0b第二行\x0c",
    "bidi": "abc\u202eexe.txt\u200b",
    "quotes": "it's \"quoted\", 'single' \\ back",
}


def _plan_text(pid, name, tid, text, region="changchun"):
    q = json.dumps
    return (f"id: {q(pid)}\nname_zh: {q(name)}\nname_en: {q(text)}\nregion: {q(region)}\nsource: {q(text)}\n"
            f"base_year: 2020\ntarget_year: 2025\ntargets:\n"
            f"  - id: {q(tid)}\n    indicator: elderly_care_beds\n    comparator: '>='\n    value: 30000\n"
            f"    unit: beds\n    quote: {q(text)}\n    note: {q(text)}\n    responsible_unit: {q(text)}\n"
            f"  - id: r2\n    indicator: dibao_standard_rural\n    kind: ratio\n    denominator: dibao_standard_urban\n"
            f"    comparator: '>='\n    value: 75\n    unit: percent\n    quote: {q(text)}\n"
            f"    responsible_unit: {q(text)}\n")


def _inputs(tmp: Path, s: str) -> dict[str, Path]:
    files = {
        "plan_text": _plan_text("p-text", s, "t1", s),
        "plan_ids": _plan_text(s, "规划", s, "q"),
        "plan_region": _plan_text("p-region", "规划", "t1", "q", region=s),
    }
    out = {}
    for k, v in files.items():
        out[k] = tmp / f"{k}.yaml"
        out[k].write_text(v, encoding="utf-8")
    data = pd.DataFrame([dict(region="changchun", indicator="elderly_care_beds", year=2024, value=41000, unit="beds",
                              source=s, quote=s, note=s),
                         dict(region=s, indicator="elderly_care_beds", year=2024, value=1, unit="beds",
                              source=s, quote=s, note=s)])
    # plain rows around the hostile one, so a few control characters do not make the file look binary
    plain = pd.DataFrame([dict(region="changchun", indicator="elderly_care_beds", year=y, value=30000 + y, unit="beds",
                               source="mine", quote="q", note="") for y in range(1990, 2020)])
    data = pd.concat([plain, data])
    out["data"] = tmp / "data.csv"
    data.iloc[:-1].to_csv(out["data"], index=False)
    out["data_region"] = tmp / "data_region.csv"
    data.to_csv(out["data_region"], index=False)
    out["report"] = tmp / "report.csv"
    out["report"].write_text("指标名称,单位,数量\n" + "".join(f"说明{i},,\n" for i in range(30))
                             + pd.DataFrame([["城市最低生活保障平均标准", "元/人·月", "800"], [s, s, "5"]]).to_csv(
                                 index=False, header=False), encoding="utf-8")
    out["params"] = tmp / "params.yaml"
    out["params"].write_text(f"plan: {json.dumps(str(out['plan_text']))}\nnotebook: plan_dashboard\n",
                             encoding="utf-8")
    return out


def _commands(f: dict[str, Path], tmp: Path):
    """(label, argv, files the command writes)."""
    yield "plans", ["plans", f["plan_text"]], []
    for plan in ("plan_text", "plan_ids", "plan_region"):
        for fmt in ("table", "csv", "json"):
            yield f"assess-{plan}-{fmt}", ["assess", "--plan", f[plan], "--format", fmt], []
            yield f"draft-{plan}-{fmt}", ["draft", f[plan], "--format", fmt], []
        x = tmp / f"{plan}.xlsx"
        yield f"assess-{plan}-xlsx", ["assess", "--plan", f[plan], "--format", "xlsx", "--out", x], [x]
        t = tmp / f"tpl-{plan}.xlsx"
        yield f"template-{plan}", ["template", f[plan], "--out", t], [t]
    for d in ("data", "data_region"):
        yield f"check-{d}", ["data", "check", f[d]], []
        yield f"export-{d}", ["data", "export", "--data", f[d]], []
        yield f"forecast-{d}", ["forecast", "changchun", "elderly_care_beds", "--data", f[d], "--format", "csv"], []
        yield f"propose-{d}", ["propose", "changchun", "elderly_care_beds", "--data", f[d], "--format", "csv"], []
        yield f"backtest-{d}", ["backtest", "--plan", "changchun-13th", "--data", f[d], "--format", "csv"], []
    yield "import-stdout", ["data", "import", f["report"], "--region", "changchun", "--year", "2023"], []
    o = tmp / "imported.csv"
    yield "import-file", ["data", "import", f["report"], "--region", "changchun", "--year", "2023", "--out", o], [o]


def _check_file(path: Path):
    if not path.exists():
        return
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        assert not c.value.lstrip(" ").startswith(safe.FORMULA_START), (path.name, c.value)
                        assert "\u202e" not in c.value and "\x1b" not in c.value, (path.name, c.value)
    elif path.suffix == ".csv":
        df = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8-sig")), dtype=str, keep_default_na=False)
        _check_cells(df, path.name)
    elif path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, path.name
        for ch in ("\x1b", "\x07", "\x0b", "\x0c", "\u202e", "\u200b"):  # shown as ⟨U+001B⟩, never raw
            assert ch not in text, (path.name, repr(ch))


def _check_cells(df: pd.DataFrame, where: str):
    for c in list(df.columns):
        assert not str(c).startswith(safe.FORMULA_START), (where, c)
        text = df[c][pd.to_numeric(df[c], errors="coerce").isna()]
        bad = [v for v in text if v.lstrip(" ").startswith(safe.FORMULA_START)]
        assert not bad, (where, c, bad[:2])


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_command_with_hostile_strings(tmp_path, capsys, kind):
    s = HOSTILE[kind]
    f = _inputs(tmp_path, s)
    for label, argv, written in _commands(f, tmp_path):
        try:
            rc = cli.main([str(a) for a in argv])
        except SystemExit as e:
            rc = e.code
        out, err = capsys.readouterr()
        assert rc in (0, 2), (label, rc, err[-500:])
        assert "Traceback" not in out + err, label
        for ch in ("\x1b", "\x07", "\x0b", "\u202e", "\u200b"):
            assert ch not in out + err, (label, repr(ch))
        if rc == 0 and argv[-2:] == ["--format", "csv"] or label in ("import-stdout",) or label.startswith("export"):
            if rc == 0 and out.strip():
                _check_cells(pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False), label)
        for w in written:
            if rc == 0:
                assert w.exists(), label
            _check_file(w)


@pytest.mark.parametrize("kind", ["formula", "markup", "escape", "vt", "bidi"])
def test_run_with_hostile_strings_in_params_plan_and_records(tmp_path, capsys, kind):
    """`run` (notebooks stood in for by the assessment itself): index, summary.csv/xlsx/json."""
    from mzforecast.plan import assess_plan
    s = HOSTILE[kind]
    f = _inputs(tmp_path, s)
    named = tmp_path / f"{s.replace('/', '_')[:40]}.yaml"
    try:
        named.write_text(f["params"].read_text(encoding="utf-8"), encoding="utf-8")
        params = [str(named)]
    except OSError:  # a name the file system refuses: the plan and records still carry the string
        params = [str(f["params"])]

    def execute(job, outdir, timeout, kernel=None, start_timeout=60):
        n = job["name"]
        recs = assess_plan(job["params"]["plan"]).to_dict("records")
        (Path(outdir) / f"{n}.html").write_text("<p>page</p>", encoding="utf-8")
        return {"name": n, "params_file": job["file"], "plan": "p", "ok": True, "error": "", "html": f"{n}.html",
                "records": json.loads(json.dumps(recs, default=str)), "seconds": 0}

    out = tmp_path / "reports"
    try:
        runner.run(params, out, execute=execute)
    except Exception as e:  # refused: only the project's own errors, worded for the terminal
        from mzforecast.errors import MzError
        assert isinstance(e, MzError), repr(e)
        return
    for name in ("summary.csv", "summary.xlsx", "index.html"):
        _check_file(out / name)
    assert "\x1b" not in capsys.readouterr().err
