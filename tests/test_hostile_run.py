"""Hostile use of `mzforecast run` and the CLI: nothing lost, nothing injected, no traceback.

Each case asserts the exit code, that no traceback is printed, that the message names the
file or option at fault, and that the previous reports folder is byte-for-byte unchanged.
Fast cases build the "previous reports" with a stand-in executor (no kernel); the slow ones
run real notebooks, kill a run with SIGKILL, and fill the disk with a mocked OS error.
"""
from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import cli_main
from mzforecast import running as runner, safe
from mzforecast.running import batch
from mzforecast.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "params/changchun-14th-rural-urban-dibao.yaml"
JILIN = ROOT / "params/jilin-2021.yaml"
PREFECTURES = ROOT / "params/jilin-prefectures-example.yaml"
XSS = '"><script>alert(1)</script>'
FORMULA = '=HYPERLINK("http://x","y")'


# ------------------------------------------------------------------ helpers
def fake_execute(fail=()):
    """Stand-in for run_one (no kernel): writes a page per job, fails the names in `fail`."""
    def run(job, outdir, timeout, kernel=None, start_timeout=60):
        n = job["name"]
        res = {"name": n, "params_file": job["file"], "plan": job["params"].get("plan"), "ok": n not in fail,
               "error": "ValueError: boom" if n in fail else "", "html": None, "records": [], "seconds": 0}
        (Path(outdir) / f"{n}.ipynb").write_text(json.dumps({"run": time.time_ns()}), encoding="utf-8")
        if n not in fail:
            (Path(outdir) / f"{n}.html").write_text(f"<p>{time.time_ns()}</p>", encoding="utf-8")
            res["html"] = f"{n}.html"
        return res
    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (hidden ones too), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name)


main = cli_main  # (exit code, stdout, stderr); argparse refusals count as exit 2


@pytest.fixture(scope="module")
def _previous_once(tmp_path_factory):
    out = tmp_path_factory.mktemp("previous") / "reports"
    runner.run([str(JILIN), str(SMALL)], out, execute=fake_execute())
    (out / "my-notes.txt").write_text("hand-written, keep me", encoding="utf-8")
    return out


@pytest.fixture
def previous(tmp_path, _previous_once):
    """A reports folder from an earlier run, with a file the analyst added by hand (a fresh copy per test)."""
    import shutil
    out = tmp_path / "reports"
    shutil.copytree(_previous_once, out)
    return out, snapshot(out)


def params_file(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


# ------------------------------------------------------------------ invalid input: exit 2, nothing touched
def _bad_csv(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("region,indicator,year,value\nnowhere,dibao_standard_urban,2020,700\n", encoding="utf-8")
    return p


def _good_csv(tmp_path):
    p = tmp_path / "good.csv"
    p.write_text("region,indicator,year,value\nchangchun,dibao_standard_urban,2020,700\n", encoding="utf-8")
    return p


RUN_CASES = {
    # id: (extra argv builder, text the message must contain)
    "data-missing": (lambda t: ["--data", t / "missing.csv"], "missing.csv"),
    "data-folder": (lambda t: ["--data", (t / "adir").mkdir() or t / "adir"], "adir"),
    "data-bad-row": (lambda t: ["--data", _bad_csv(t)], "bad.csv"),
    "data-second-of-two-bad": (lambda t: ["--data", _good_csv(t), "--data", _bad_csv(t)], "bad.csv"),
    "data-empty": (lambda t: ["--data", params_file(t, "empty.csv", "")], "empty.csv"),
    "data-binary": (lambda t: ["--data", params_file(t, "junk.csv", bytes(range(256)) * 4)], "junk.csv"),
    "data-header-only": (lambda t: ["--data", params_file(t, "head.csv", "region,indicator,year,value\n")],
                         "head.csv"),
    "data-unknown-indicator": (lambda t: ["--data", params_file(
        t, "ind.csv", "region,indicator,year,value\nchangchun,no_such_thing,2020,1\n")], "no_such_thing"),
    "data-year-out-of-range": (lambda t: ["--data", params_file(
        t, "yr.csv", "region,indicator,year,value\nchangchun,dibao_standard_urban,1800,1\n")], "yr.csv"),
    "data-text-value": (lambda t: ["--data", params_file(
        t, "val.csv", "region,indicator,year,value\nchangchun,dibao_standard_urban,2020,lots\n")], "val.csv"),
    "jobs-negative": (lambda t: ["--jobs", "-1"], "--jobs"),
    "jobs-not-a-number": (lambda t: ["--jobs", "many"], "--jobs"),
    "timeout-zero": (lambda t: ["--timeout", "0"], "--timeout"),
    "timeout-negative": (lambda t: ["--timeout", "-5"], "--timeout"),
    "as-of-negative": (lambda t: ["--as-of", "-1"], "--as-of"),
    "as-of-1900": (lambda t: ["--as-of", "1900"], "--as-of"),
    "as-of-huge": (lambda t: ["--as-of", "100000000"], "--as-of"),
    "as-of-text": (lambda t: ["--as-of", "soon"], "--as-of"),
}


@pytest.mark.parametrize("case", RUN_CASES, ids=list(RUN_CASES))
def test_invalid_run_input_exits_2_and_leaves_previous_reports(case, previous, tmp_path, capsys):
    out, before = previous
    build, named = RUN_CASES[case]
    rc, _, err = main(["run", JILIN, "--out", out] + build(tmp_path), capsys)
    assert rc == 2, err
    assert "Traceback" not in err
    assert named in err
    assert snapshot(out) == before, "previous reports byte-identical"
    assert staging(out.parent) == []


PARAMS_CASES = {
    # id: (file name, content, text the message must contain besides the file name)
    "yaml-list": ("list.yaml", "- plan: jilin-2021\n", "mapping"),
    "yaml-scalar": ("scalar.yaml", "5\n", "mapping"),
    "yaml-syntax": ("syntax.yaml", "plan: [jilin-2021\n", "YAML"),
    "deep-nesting": ("deep.yaml", "a: " + "[" * 20000 + "]" * 20000 + "\n", "deep.yaml"),
    "unknown-notebook": ("nb.yaml", "notebook: dashboard2\nplan: jilin-2021\n", "notebook"),
    "unknown-plan": ("plan.yaml", "plan: jilin-2099\n", "jilin-2099"),
    "plan-not-text": ("plan5.yaml", "plan: 5\n", "plan"),
    "as-of-text": ("asof.yaml", "plan: jilin-2021\nas_of: soon\n", "as_of"),
    "as-of-1800": ("asof1800.yaml", "plan: jilin-2021\nas_of: 1800\n", "as_of"),
    "as-of-bool": ("asofbool.yaml", "plan: jilin-2021\nas_of: true\n", "as_of"),
    "language": ("lang.yaml", "plan: jilin-2021\nlanguage: fr\n", "language"),
    "method": ("method.yaml", "plan: jilin-2021\nmethod: magic\n", "method"),
    "not-utf8": ("gbk.yaml", "plan: 吉林\n".encode("gbk"), "UTF-8"),
    "data-file-missing": ("df.yaml", "plan: jilin-2021\ndata_file: /nonexistent/mine.csv\n", "mine.csv"),
    "plan-file-hostile-syntax": ("hp.yaml", "plan: ../../etc/passwd\n", "passwd"),
    "plan-is-a-folder": ("pf.yaml", "plan: {tmp}/folder.yaml\n", "folder.yaml"),
    "plan-targets-not-a-list": ("pt.yaml", "plan: {tmp}/t5.yaml\n", "t5.yaml"),
    "plan-file-not-yaml": ("py.yaml", "plan: {tmp}/broken.yaml\n", "broken.yaml"),
}


@pytest.mark.parametrize("case", PARAMS_CASES, ids=list(PARAMS_CASES))
def test_invalid_params_file_exits_2_and_leaves_previous_reports(case, previous, tmp_path, capsys):
    out, before = previous
    name, text, named = PARAMS_CASES[case]
    (tmp_path / "folder.yaml").mkdir()
    params_file(tmp_path, "t5.yaml", "id: x\nname_zh: x\nregion: changchun\nsource: s\nbase_year: 2020\n"
                "target_year: 2025\ntargets: 5\n")
    params_file(tmp_path, "broken.yaml", "id: [x\n")
    p = params_file(tmp_path, name, text.replace("{tmp}", str(tmp_path)) if isinstance(text, str) else text)
    rc, _, err = main(["run", JILIN, p, "--out", out], capsys)
    assert rc == 2, err
    assert "Traceback" not in err
    assert name in err and named in err
    assert snapshot(out) == before
    assert staging(out.parent) == []


def test_params_missing_or_a_folder_or_twice_the_same_name(previous, tmp_path, capsys):
    out, before = previous
    (tmp_path / "pdir").mkdir()
    (tmp_path / "other").mkdir()
    twin = tmp_path / "other" / JILIN.name
    twin.write_text(JILIN.read_text(encoding="utf-8"), encoding="utf-8")
    for argv, named in ([tmp_path / "nope.yaml"], "nope.yaml"), ([tmp_path / "pdir"], "pdir"), \
            ([JILIN, twin], "jilin-2021"):
        rc, _, err = main(["run", *argv, "--out", out], capsys)
        assert rc == 2 and "Traceback" not in err and named in err, err
    assert snapshot(out) == before


def test_every_problem_is_listed_in_one_pass(previous, tmp_path, capsys):
    out, before = previous
    a = params_file(tmp_path, "a.yaml", "- x\n")
    b = params_file(tmp_path, "b.yaml", "notebook: nope\nlanguage: fr\n")
    rc, _, err = main(["run", a, b, "--out", out], capsys)
    assert rc == 2
    assert "a.yaml" in err and "b.yaml" in err and "notebook" in err and "language" in err
    assert snapshot(out) == before


def test_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "reports"
    f.write_text("not a folder", encoding="utf-8")
    rc, _, err = main(["run", JILIN, "--out", f], capsys)
    assert rc == 2 and "Traceback" not in err and str(f) in err and "folder" in err
    assert f.read_text(encoding="utf-8") == "not a folder"
    assert staging(tmp_path) == []


def test_foreign_folder_without_marker_is_refused(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    rc, _, err = main(["run", JILIN, "--out", out], capsys)
    assert rc == 2 and "thesis.docx" in err and "Traceback" not in err
    assert snapshot(out) == {"thesis.docx": b"years of work"}
    assert staging(tmp_path) == []


def test_hand_file_named_like_a_report_is_refused(previous, tmp_path, capsys):
    out, _ = previous
    (out / "mine.html").write_text("my page", encoding="utf-8")
    before = snapshot(out)
    p = params_file(tmp_path, "mine.yaml", "plan: jilin-2021\n")
    rc, _, err = main(["run", p, "--out", out], capsys)
    assert rc == 2 and "mine.html" in err and "Traceback" not in err
    assert snapshot(out) == before


# ------------------------------------------------------------------ CLI misuse on other subcommands
CLI_CASES = {
    "forecast-until-huge": (["forecast", "changchun", "dibao_standard_urban", "--until", "100000000"], "--until"),
    "forecast-until-negative": (["forecast", "changchun", "dibao_standard_urban", "--until", "-5"], "--until"),
    "forecast-as-of-negative": (["forecast", "changchun", "dibao_standard_urban", "--as-of", "-1"], "--as-of"),
    "assess-as-of-1900": (["assess", "--as-of", "1900"], "--as-of"),
    "backtest-as-of-3000": (["backtest", "--as-of", "3000"], "--as-of"),
    "forecast-unknown-region": (["forecast", "atlantis", "dibao_standard_urban"], "atlantis"),
    "forecast-unknown-indicator": (["forecast", "changchun", "nope"], "nope"),
    "plans-unknown": (["plans", "no-such-plan"], "no-such-plan"),
    "assess-unknown-plan": (["assess", "--plan", "no-such-plan"], "no-such-plan"),
}


@pytest.mark.parametrize("case", CLI_CASES, ids=list(CLI_CASES))
def test_cli_misuse_exits_2_without_traceback(case, capsys):
    argv, named = CLI_CASES[case]
    rc, _, err = main(argv, capsys)
    assert rc == 2 and "Traceback" not in err and named in err, err


@pytest.mark.parametrize("cmd", [["assess"], ["forecast", "changchun", "dibao_standard_urban"], ["data", "export"]])
def test_data_folder_or_missing_file_is_one_message(cmd, tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    for arg in ("adir", "missing.csv"):
        rc, _, err = main(cmd + ["--data", tmp_path / arg], capsys)
        assert rc == 2 and "Traceback" not in err and arg in err, err


def test_data_check_on_a_folder(tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    rc, _, err = main(["data", "check", tmp_path / "adir"], capsys)
    assert rc == 2 and "Traceback" not in err and "adir" in err


def test_cli_subprocess_prints_no_traceback(tmp_path):
    """The installed entry point too: a missing --data file and a list params file."""
    lst = params_file(tmp_path, "list.yaml", "- a\n")
    for argv in (["run", str(JILIN), "--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r")],
                 ["run", str(lst), "--out", str(tmp_path / "r")]):
        r = subprocess.run([sys.executable, "-m", "mzforecast.cli", *argv], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("error:"), r.stderr
    assert not (tmp_path / "r").exists() and staging(tmp_path) == []


# ------------------------------------------------------------------ the output folder across runs
def test_hand_added_file_and_folder_survive_a_rerun(previous):
    out, before = previous
    (out / "extra").mkdir()
    (out / "extra" / "chart.png").write_bytes(b"\x89PNG mine")
    runner.run([str(JILIN), str(SMALL)], out, execute=fake_execute())
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "hand-written, keep me"
    assert (out / "extra" / "chart.png").read_bytes() == b"\x89PNG mine"
    marker = json.loads((out / runner.MARKER).read_text(encoding="utf-8"))
    assert "my-notes.txt" not in marker["files"] and "extra" not in marker["files"]
    assert "index.html" in marker["files"] and "jilin-2021.html" in marker["files"]
    # the tool's own pages were replaced
    assert (out / "jilin-2021.html").read_bytes() != before["jilin-2021.html"]


def test_hand_file_survives_a_marker_from_before_the_file_list(previous):
    out, _ = previous
    (out / runner.MARKER).write_text("written by mzforecast run; the folder is replaced on each run\n")
    runner.run([str(JILIN)], out, execute=fake_execute())
    assert (out / "my-notes.txt").exists()
    assert not (out / f"{SMALL.stem}.html").exists(), "a page the tool wrote before is not carried over"


def test_failed_notebook_keeps_its_previous_page_marked_stale(previous):
    out, before = previous
    _, results = runner.run([str(JILIN), str(SMALL)], out, execute=fake_execute(fail={SMALL.stem}))
    assert (out / f"{SMALL.stem}.html").read_bytes() == before[f"{SMALL.stem}.html"]
    assert (out / f"{SMALL.stem}.ipynb").read_bytes() == before[f"{SMALL.stem}.ipynb"]
    r = [r for r in results if r["name"] == SMALL.stem][0]
    assert r["stale"] and not r["ok"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert runner.INDEX_TEXT["zh"]["stale"] in index and "ValueError: boom" in index
    assert f'href="./{SMALL.stem}.html"' in index
    assert (out / "my-notes.txt").exists()


def test_a_run_where_every_notebook_fails_changes_nothing(previous):
    out, before = previous
    _, results = runner.run([str(JILIN), str(SMALL)], out, execute=fake_execute(fail={JILIN.stem, SMALL.stem}))
    assert not any(r["ok"] for r in results)
    assert snapshot(out) == before
    assert staging(out.parent) == []


def test_failed_notebook_without_a_previous_page_is_listed_failed(tmp_path):
    out = tmp_path / "r"
    runner.run([str(JILIN), str(SMALL)], out, execute=fake_execute(fail={SMALL.stem}))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert runner.INDEX_TEXT["zh"]["failed"] in index and runner.INDEX_TEXT["zh"]["stale"] not in index
    assert not (out / f"{SMALL.stem}.html").exists()


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_staging_folders_of_killed_runs_are_cleaned(previous):
    out, _ = previous
    dead = _dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name in (f".reports.partial-{dead}-abc", f".reports.old-{dead}", f".reports.partial-{sleeper.pid}-live"):
            (out.parent / name).mkdir()
            (out.parent / name / "x.html").write_text("x")
        (out.parent / ".other.partial-1-x").mkdir()  # another output folder's: not ours
        runner.run([str(JILIN)], out, execute=fake_execute())
        assert staging(out.parent) == [".other.partial-1-x", f".reports.partial-{sleeper.pid}-live"]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_swap_cut_in_half_gets_the_previous_reports_back(previous):
    """Killed between the two renames: reports/ is gone and .reports.old-<pid> holds it."""
    out, before = previous
    dead = _dead_pid()
    os.replace(out, out.parent / f".reports.old-{dead}")
    runner.clean_staging(out)
    assert snapshot(out) == before


# ------------------------------------------------------------------ read-only, full disk
@pytest.mark.parametrize("code,words", [(errno.EROFS, "read-only"), (errno.ENOSPC, "full"),
                                        (errno.EACCES, "permission")])
def test_unwritable_output_is_one_message(code, words, previous, monkeypatch, capsys):
    out, before = previous

    def refuse(*a, **k):
        raise OSError(code, os.strerror(code), str(out.parent))
    monkeypatch.setattr(batch.tempfile, "mkdtemp", refuse)
    rc, _, err = main(["run", JILIN, "--out", out], capsys)
    assert rc == 2 and "Traceback" not in err and words in err and str(out.parent) in err, err
    assert snapshot(out) == before


@pytest.mark.parametrize("where", ["write_summary", "write_index"])
def test_disk_full_while_writing_keeps_previous_reports(where, previous, monkeypatch):
    out, before = previous

    def full(stage, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "summary.csv"))
    monkeypatch.setattr(batch, where, full)
    with pytest.raises(DataError, match="disk is full"):
        runner.run([str(JILIN)], out, execute=fake_execute())
    assert snapshot(out) == before
    assert staging(out.parent) == []


def test_notebooks_failing_on_a_full_disk_are_one_message(previous):
    out, before = previous

    def full(job, outdir, timeout, kernel=None, start_timeout=60):
        return {"name": job["name"], "params_file": job["file"], "plan": None, "ok": False, "html": None,
                "records": [], "error": "OSError: [Errno 28] No space left on device: 'x.ipynb'"}
    with pytest.raises(DataError, match="disk is full"):
        runner.run([str(JILIN)], out, execute=full)
    assert snapshot(out) == before and staging(out.parent) == []


def test_failure_during_the_swap_restores_the_previous_folder(previous, monkeypatch):
    out, before = previous
    real = os.replace

    def replace(src, dst):
        if ".partial-" in str(src) and Path(dst) == out:
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real(src, dst)
    monkeypatch.setattr(batch.os, "replace", replace)
    with pytest.raises(DataError, match="read-only"):
        runner.run([str(JILIN)], out, execute=fake_execute())
    monkeypatch.undo()
    assert snapshot(out) == before
    assert staging(out.parent) == []


# ------------------------------------------------------------------ injection
@pytest.mark.parametrize("text,cell", [("=1+1", "'=1+1"), ("+31", "'+31"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
                                       ("\tx", "'\tx"), ("\rx", "'\rx"), (FORMULA, "'" + FORMULA),
                                       ("plain", "plain"), ("", ""), (-5.0, -5.0), (3, 3)])
def test_csv_cell(text, cell):
    assert safe.csv_cell(text) == cell


def test_neutralised_frame_keeps_numbers_numbers():
    df = pd.DataFrame({"a": [FORMULA, "ok"], "n": [-1.5, 2.0], "=c": [1, 2]})
    out = safe.neutralise_frame(df)
    assert list(out["a"]) == ["'" + FORMULA, "ok"] and out["n"].tolist() == [-1.5, 2.0]
    assert out.columns.tolist() == ["a", "n", "'=c"] and df["a"][0] == FORMULA, "the input is not changed"


@pytest.mark.parametrize("text", ["\x1b[31mred\x1b[0m", "\x1b]0;title\x07x", "a\x00b\x07c\x9b2J", "\x1bcreset"])
def test_terminal_strips_escapes(text):
    t = safe.terminal(text)
    assert "\x1b" not in t and "\x07" not in t and "\x00" not in t and "\x9b" not in t


def test_html_helpers_escape_every_context():
    assert "<" not in safe.html_text(XSS) and '"' not in safe.html_attr(XSS) and "'" not in safe.html_attr("a'b")
    assert re.fullmatch(r"t-[0-9a-f]{10}", safe.html_id(XSS))
    assert safe.html_id(XSS) == safe.html_id(XSS) != safe.html_id("other")


def test_dashboard_headings_use_generated_ids():
    src = (ROOT / "notebooks/plan_dashboard.ipynb").read_text(encoding="utf-8")
    assert "id='{r.target_id}'" not in src and "reports.dashboard_sections(" in src  # ids made there: t1, t2…


def _hostile_data(tmp_path) -> Path:
    p = tmp_path / "hostile.csv"
    pd.DataFrame({"region": ["changchun"], "indicator": ["dibao_standard_urban"], "year": [2024], "value": [800],
                  "source": ["@evil"], "quote": [FORMULA], "note": ["\x1b[2J+cmd"]}).to_csv(p, index=False)
    return p


def test_data_export_csv_is_inert_and_terminal_is_clean(tmp_path, capsys):
    rc, out, err = main(["data", "export", "--data", _hostile_data(tmp_path), "--format", "csv"], capsys)
    assert rc == 0 and "\x1b" not in err
    df = pd.read_csv(__import__("io").StringIO(out), keep_default_na=False)
    row = df[(df.region == "changchun") & (df.year == 2024) & (df.indicator == "dibao_standard_urban")].iloc[0]
    assert row.quote == "'" + FORMULA and row.source == "'@evil" and row.value == 800
    assert not any(str(v).startswith(safe.FORMULA_START) for c in df.columns if df[c].dtype.kind not in 'iufb'
               for v in df[c])


def test_data_check_does_not_echo_escape_sequences(tmp_path, capsys):
    p = params_file(tmp_path, "ansi.csv", "region,indicator,year,value\n\x1b[31mevil\x1b[0m,dibao_standard_urban,2020,1\n")
    rc, _, err = main(["data", "check", p], capsys)
    assert rc == 2 and "ansi.csv" in err and "evil" in err and "\x1b" not in err


def _hostile_plan(tmp_path) -> Path:
    """changchun-14th with a script in its name, a formula and a script as target ids and quotes."""
    import yaml
    doc = yaml.safe_load((ROOT / "data/plans/changchun-14th.yaml").read_text(encoding="utf-8"))
    doc["name_zh"] = f"长春{XSS}"
    doc["targets"] = [t for t in doc["targets"] if t["id"] == "table-02-rural-urban-dibao"]
    doc["targets"][0]["quote"] = XSS
    second = dict(doc["targets"][0], id=FORMULA, quote=FORMULA)
    doc["targets"][0]["id"] = XSS
    doc["targets"].append(second)
    p = tmp_path / "hostile-plan.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return p


def test_assess_csv_neutralises_formulas(tmp_path, capsys):
    rc, out, err = main(["assess", "--plan", _hostile_plan(tmp_path), "--format", "csv"], capsys)
    if rc == 2:  # a stricter plan reader may refuse such ids: then it must say which
        assert "Traceback" not in err and "id" in err
        return
    assert rc == 0, err
    df = pd.read_csv(__import__("io").StringIO(out))
    assert set(df.target_id) == {XSS, "'" + FORMULA}
    assert df.probability.dtype.kind == "f" and df.target_value.dtype.kind == "f"


def test_index_escapes_plan_names_and_quotes_links(tmp_path):
    plan = _hostile_plan(tmp_path)
    p = params_file(tmp_path, "javascript:alert(1).yaml", f"plan: {plan}\n")
    out = tmp_path / "r"
    try:
        runner.run([str(p)], out, execute=fake_execute())
    except DataError as e:  # a stricter plan reader refusing the ids is fine too
        assert "id" in str(e)
        return
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "&lt;script&gt;alert(1)" in index
    assert 'href="./javascript%3Aalert%281%29.html"' in index
    assert 'href="javascript' not in index


# ------------------------------------------------------------------ real notebooks (slow)
@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A real previous run of one small notebook plus a hand-added file."""
    out = tmp_path_factory.mktemp("real") / "reports"
    _, results = runner.run([str(SMALL)], out, jobs=1, timeout=120)
    assert all(r["ok"] for r in results), results
    (out / "my-notes.txt").write_text("keep", encoding="utf-8")
    return out


@pytest.mark.slow
def test_real_invalid_data_run_leaves_reports_byte_identical(real, tmp_path):
    before = snapshot(real)
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "run", str(SMALL), "--out", str(real),
                        "--data", str(_bad_csv(tmp_path))], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "bad.csv" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(real) == before
    assert staging(real.parent) == []


@pytest.mark.slow
def test_real_failing_notebook_keeps_previous_page_stale(real, tmp_path):
    before = snapshot(real)
    other = tmp_path / "p"
    other.mkdir()
    broken = other / SMALL.name
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("table-02-rural-urban-dibao", "no-such-target"),
                      encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "run", str(broken), str(JILIN), "--out", str(real),
                        "--jobs", "2", "--timeout", "120"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "no-such-target" in r.stderr and "Traceback" not in r.stderr
    assert (real / f"{SMALL.stem}.html").read_bytes() == before[f"{SMALL.stem}.html"]
    assert (real / "jilin-2021.html").exists() and (real / "my-notes.txt").read_text(encoding="utf-8") == "keep"
    index = (real / "index.html").read_text(encoding="utf-8")
    assert runner.INDEX_TEXT["zh"]["stale"] in index and "no-such-target" in index


@pytest.mark.slow
def test_real_disk_full_in_the_summary_writer(real, monkeypatch, capsys):
    before = snapshot(real)

    def full(stage, results):
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "summary.csv"))
    monkeypatch.setattr(batch, "write_summary", full)
    rc, _, err = main(["run", SMALL, "--out", real, "--jobs", "1"], capsys)
    assert rc == 2 and "disk is full" in err and "Traceback" not in err
    assert snapshot(real) == before and staging(real.parent) == []


@pytest.mark.slow
def test_real_hostile_strings_are_text_in_html_and_inert_in_csv(tmp_path):
    plan = _hostile_plan(tmp_path)
    p = params_file(tmp_path, "hostile.yaml", f"notebook: plan_dashboard\nplan: {plan}\nlanguage: zh\n")
    q = params_file(tmp_path, "hostile-one.yaml",
                    f"notebook: indicator_report\nplan: {plan}\ntarget_id: '{XSS}'\nlanguage: zh\n")
    out = tmp_path / "r"
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "run", str(p), str(q), "--out", str(out),
                        "--data", str(_hostile_data(tmp_path)), "--data", str(_good_csv(tmp_path)),
                        "--jobs", "2", "--timeout", "120"], capture_output=True, text=True, cwd=ROOT)
    if r.returncode == 2:  # a stricter plan reader may refuse the ids: then nothing is written
        assert "Traceback" not in r.stderr and not out.exists()
        return
    assert r.returncode == 0, r.stderr
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page.name
        ids = re.findall(r"""\sid=['"]([^'"]*)['"]""", html)
        assert not [i for i in ids if re.search(r"[<>\"' ]|script|HYPERLINK", i, re.I)], (page.name, ids)
    dash = (out / "hostile.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dash
    assert len(re.findall(r"<h3 id=.t\d+.>", dash)) == 2, "one generated id per charted target"
    assert (out / "hostile-one.html").read_text(encoding="utf-8").count("&lt;script&gt;") >= 1
    s = pd.read_csv(out / "summary.csv")
    assert "'" + FORMULA in set(s.target_id) and XSS in set(s.target_id)
    assert s.probability.dtype.kind == "f"
    # both --data files reached the notebooks
    nb = json.loads((out / "hostile.ipynb").read_text(encoding="utf-8"))
    injected = "".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                       for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert "hostile.csv" in injected and "good.csv" in injected


@pytest.mark.slow
def test_kill_9_leaves_no_worker_and_the_next_run_no_staging(tmp_path):
    import psutil
    out = tmp_path / "reports"
    runner.run([str(SMALL)], out, execute=fake_execute())
    (out / "my-notes.txt").write_text("keep", encoding="utf-8")
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "mzforecast.cli", "run", str(SMALL), str(PREFECTURES), "--out",
                             str(out), "--jobs", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids = []
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:  # wait until a kernel runs: the worst moment to die
        time.sleep(0.05)
        try:
            kids = psutil.Process(proc.pid).children(recursive=True)
            if any("ipykernel" in " ".join(k.cmdline()) for k in kids):
                break
        except psutil.Error:
            pass
    assert any("ipykernel" in " ".join(k.cmdline()) for k in kids if k.is_running()), "a kernel was started"
    assert staging(tmp_path), "the run was building its folder"
    os.kill(proc.pid, signal.SIGKILL)  # the run only: its workers must notice on their own
    proc.wait()
    time.sleep(10)
    alive = [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [(k.pid, k.cmdline()) for k in alive]
    assert snapshot(out) == before
    runner.run([str(SMALL)], out, execute=fake_execute())
    assert staging(tmp_path) == []
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.slow
def test_ctrl_c_stops_workers_and_changes_nothing(tmp_path):
    import psutil
    out = tmp_path / "reports"
    runner.run([str(SMALL)], out, execute=fake_execute())
    before = snapshot(out)
    # the slowest bundled notebook beside the small one: the run must still be going when Ctrl-C comes
    proc = subprocess.Popen([sys.executable, "-m", "mzforecast.cli", "run", str(SMALL), str(PREFECTURES), "--out",
                             str(out), "--jobs", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kids = []
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            kids = psutil.Process(proc.pid).children(recursive=True)
            if any("ipykernel" in " ".join(k.cmdline()) for k in kids):
                break
        except psutil.Error:
            pass
    assert proc.poll() is None, "the run ended before a kernel was seen: nothing to interrupt"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "interrupted" in err, err
    time.sleep(1)
    assert [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE] == []
    assert snapshot(out) == before and staging(tmp_path) == []


def test_every_report_fragment_escapes_strings_from_files(tmp_path):
    """Region, indicator, plan, target id, quote, unit and source from files: text in every HTML fragment."""
    import yaml

    import mzforecast as mzf
    from mzforecast import pages as reports
    from mzforecast.targets import load_plan
    data = tmp_path / "x.csv"
    pd.DataFrame({"region": ["evil"] * 3, "region_name": [XSS] * 3, "indicator": ["evil_count"] * 3,
                  "indicator_name": [XSS] * 3, "unit": ["people"] * 3, "year": [2019, 2020, 2021],
                  "value": [10, 12, 14], "source": [XSS] * 3, "quote": [XSS] * 3}).to_csv(data, index=False)
    ds = mzf.load([data])
    plan = tmp_path / "evil-plan.yaml"
    plan.write_text(yaml.safe_dump({
        "id": "evil-plan", "name_zh": XSS, "region": "evil", "source": "changchun-14th", "base_year": 2020,
        "target_year": 2025, "targets": [
            {"id": XSS, "indicator": "evil_count", "comparator": ">=", "value": 20, "unit": "people", "quote": XSS},
            {"id": "r", "indicator": "evil_count", "kind": "ratio", "denominator": "evil_count", "comparator": ">=",
             "value": 1, "unit": "times", "quote": XSS},
            {"id": "none", "indicator": "dibao_standard_urban", "comparator": ">=", "value": 1, "unit": "yuan/person/month",
             "quote": XSS}]}, allow_unicode=True), encoding="utf-8")
    p = load_plan(plan, ds)
    evil_unit = tmp_path / "evil-unit.yaml"  # a unit is never free text a page would print as given
    evil_unit.write_text(plan.read_text(encoding="utf-8").replace("unit: times", "unit: '\"><script>x</script>'"),
                         encoding="utf-8")
    with pytest.raises(mzf.DataErrors, match="unknown unit"):
        load_plan(evil_unit, ds)
    res = mzf.assess_plan(p, ds)
    for language in ("zh", "en"):
        parts = [reports.risk_table(res, ds, language), reports.plan_header(p, ds, res, None, language),
                 reports.no_data_list(res, ds, language)]
        for t in p.targets:
            parts += [reports.sources_table(t, ds, language), reports.milestones_html(t, ds, language),
                      reports.methods_html(t, ds, None, language)]
        parts += [reports.plain_words(r, ds, language) for _, r in res.iterrows()]
        html = "".join(parts)
        assert "<script" not in html and "&lt;script&gt;" in html, language


def test_chart_draws_dollar_signs_from_data_as_text(tmp_path):
    """An indicator or region name with $…$ is drawn as written, not parsed as mathtext (which fails)."""
    import io

    import matplotlib.pyplot as plt

    import mzforecast as mzf
    from mzforecast import pages as reports
    from mzforecast.targets import Target
    name = r"费用$\frac{1$ \x"
    data = tmp_path / "d.csv"
    pd.DataFrame({"region": ["r1"] * 3, "region_name": [name] * 3, "indicator": ["dollar_cost"] * 3,
                  "indicator_name": [name] * 3, "unit": ["yuan"] * 3, "year": [2019, 2020, 2021],
                  "value": [10, 12, 14]}).to_csv(data, index=False)
    ds = mzf.load([data])
    t = Target(id="x", indicator="dollar_cost", comparator=">=", value=20, unit="yuan", year=2025, quote="q",
               plan="p", region="r1", base_year=2020)
    fig = reports.target_figure(t, ds)
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise ValueError here
    assert name in fig.axes[0].get_title()
    plt.close(fig)


@pytest.mark.parametrize("kw,named", [({"jobs": -1}, "--jobs"), ({"jobs": 1.5}, "--jobs"), ({"timeout": 0}, "--timeout"),
                                      ({"timeout": -1}, "--timeout"), ({"as_of": 1800}, "--as-of"),
                                      ({"as_of": True}, "--as-of"), ({"as_of": 10**8}, "--as-of")])
def test_run_api_checks_options_before_anything(kw, named, previous):
    out, before = previous
    from mzforecast.errors import DataErrors
    with pytest.raises(DataErrors, match=named):
        runner.run([str(JILIN)], out, execute=fake_execute(), **kw)
    assert snapshot(out) == before and staging(out.parent) == []


def test_every_data_file_reaches_the_notebooks(tmp_path):
    a, b = _good_csv(tmp_path), _hostile_data(tmp_path)
    one = runner.collect_jobs([str(JILIN)], data=[a])
    two = runner.collect_jobs([str(JILIN)], data=[a, b])
    assert one[0]["params"]["data_file"] == str(a.resolve())
    assert two[0]["params"]["data_file"] == [str(a.resolve()), str(b.resolve())]


@pytest.mark.slow
def test_real_timeout_of_every_notebook_changes_nothing(real, tmp_path):
    """--timeout 1 on a notebook whose cell takes 5 s: it times out; the folder is not swapped."""
    import nbformat
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    slow = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('plan = "changchun-14th"')
    params.metadata["tags"] = ["parameters"]
    slow.cells = [params, nbformat.v4.new_code_cell("import time\ntime.sleep(5)")]
    nbformat.write(slow, nbs / "indicator_report.ipynb")  # the notebook SMALL runs
    before = snapshot(real)
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "run", str(SMALL), "--out", str(real),
                        "--timeout", "1"], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "MZFORECAST_NOTEBOOKS": str(nbs)})
    assert r.returncode == 1 and "timed out" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "previous reports were left" in r.stderr
    assert snapshot(real) == before and staging(real.parent) == []


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_a_kernel_never_holds_the_callers_stdout_or_stderr(tmp_path):
    """A kernel whose worker died while launching it outlives the run (ipykernel's parent poller starts
    only if its parent is still there); holding the run's stdout/stderr it kept a caller's
    subprocess.run waiting for ever. The kernel writes to /dev/null; it talks over its sockets."""
    from mzforecast.running.execute import WorkerKernel
    k = WorkerKernel(None, None, 60, waiting_room=str(tmp_path))
    try:
        k.start()
        pid = k.km.provisioner.process.pid
        for fd in (1, 2):
            assert os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/null"
    finally:
        k.discard()
