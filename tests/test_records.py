"""A notebook's recorded rows reach the batch index whatever their number: inline for a plan, through
a hidden file in the output folder for a many-region plan (too large for one kernel message)."""
import json
import os

import pandas as pd

from mzforecast import html
from mzforecast.running.execute import records_of


def _displayed(monkeypatch):
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    return shown


def test_few_rows_are_recorded_inline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = _displayed(monkeypatch)
    html.record_summary(pd.DataFrame({"target_id": ["a", "b"], "probability": [0.5, 0.25]}))
    rec = shown[0][html.SUMMARY_MIME]
    assert rec == [{"target_id": "a", "probability": 0.5}, {"target_id": "b", "probability": 0.25}]
    assert records_of(rec, tmp_path) == rec and os.listdir(tmp_path) == []


def test_many_rows_go_through_a_file_that_the_runner_reads_and_removes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = _displayed(monkeypatch)
    n = html.INLINE_RECORDS + 1
    res = pd.DataFrame({"target_id": [f"t{i}" for i in range(n)], "region": ["长春"] * n, "probability": 0.5,
                        "value": [1 / 3 if i % 2 else float("nan") for i in range(n)], "n": range(n)})
    inline = html.summary_records(res)
    html.record_summary(res)
    rec = shown[0][html.SUMMARY_MIME]
    assert rec["rows"] == n and rec["file"].startswith(".mzforecast-records-")
    assert len(json.dumps(shown[0])) < 500  # the message stays small
    rows = records_of(rec, tmp_path)
    assert rows == inline and rows[-1] == {"target_id": f"t{n - 1}", "region": "长春", "probability": 0.5,
                                           "value": None, "n": n - 1}
    assert rows[-2]["value"] == 0.3333333333
    assert os.listdir(tmp_path) == []  # read and removed: never an output of the run


def test_a_recorded_file_name_cannot_leave_the_output_folder(tmp_path):
    outside = tmp_path / ".mzforecast-records-x.json"
    outside.write_text("[1]", encoding="utf-8")
    inner = tmp_path / "out"
    inner.mkdir()
    assert records_of({"file": "../.mzforecast-records-x.json"}, inner) == []
    assert records_of({"file": "/etc/passwd"}, inner) == []
    assert outside.exists()


def test_the_run_reads_a_notebooks_file_of_rows_and_removes_it(tmp_path, monkeypatch):
    """A notebook's many rows reach summary.json through the file it names; nothing of it is left."""
    from pathlib import Path

    import mzforecast as mzf
    from mzforecast import running

    params = Path(__file__).resolve().parent.parent / "params" / "jilin-2021.yaml"
    res = mzf.assess_plan("jilin-2021")

    def execute(job, outdir, timeout, kernel=None, start_timeout=60):
        monkeypatch.chdir(outdir)
        shown = _displayed(monkeypatch)
        monkeypatch.setattr(html, "INLINE_RECORDS", 1)
        html.record_summary(res)
        (Path(outdir) / f"{job['name']}.html").write_text("<p>x</p>", encoding="utf-8")
        return {"name": job["name"], "params_file": job["file"], "plan": "jilin-2021", "ok": True, "error": "",
                "html": f"{job['name']}.html", "records": shown[0][html.SUMMARY_MIME], "seconds": 0}

    out = tmp_path / "reports"
    running.run([str(params)], out, execute=execute)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    recs = sorted(html.summary_records(res), key=lambda r: r["target_id"])
    assert len(summary) == len(recs) > 1 and {r["report"] for r in summary} == {"jilin-2021"}
    for row, rec in zip(sorted(summary, key=lambda r: r["target_id"]), recs):
        assert {k: v for k, v in row.items() if k != "report"} == {k: rec[k] for k in row if k != "report"}
    assert not list(out.glob(".mzforecast-records-*"))


def test_the_records_file_is_named_by_its_rows_so_the_notebook_is_reproducible(tmp_path, monkeypatch):
    """Same rows, same file name (and so the same executed .ipynb); a second notebook of the same rows
    running beside the first gets its own file, not the first one's."""
    monkeypatch.chdir(tmp_path)
    shown = _displayed(monkeypatch)
    n = html.INLINE_RECORDS + 1
    res = pd.DataFrame({"target_id": [f"t{i}" for i in range(n)], "probability": 0.5})
    html.record_summary(res)
    html.record_summary(res)  # the first file not read yet
    first, second = shown[0][html.SUMMARY_MIME]["file"], shown[1][html.SUMMARY_MIME]["file"]
    assert first != second and sorted(os.listdir(tmp_path)) == sorted([first, second])
    assert records_of(shown[0][html.SUMMARY_MIME], tmp_path) == records_of(shown[1][html.SUMMARY_MIME], tmp_path)
    html.record_summary(res)  # read and removed: the same name again
    assert shown[2][html.SUMMARY_MIME]["file"] == first
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    html.record_summary(res.assign(probability=0.25))
    assert shown[3][html.SUMMARY_MIME]["file"] != first
