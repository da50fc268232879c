"""A run's speed-ups keep its results: kept kernels give the notebooks fresh kernels give, a
failure or timeout does not leak into the next notebook, the font cache gives the same bytes,
the longest notebooks start first, and the progress says what finished."""
import json
from pathlib import Path

import pytest

from mzforecast import plots
from mzforecast.running import batch, collect_jobs, execute
from mzforecast.running.output import marker_text, recorded_seconds


@pytest.fixture()
def pinned(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")  # no cell timings in the notebooks
    monkeypatch.setenv("MZFORECAST_CACHE_DIR", str(tmp_path / "cache"))


def _outputs(folder: Path, names) -> dict:
    return {n: (folder / f"{n}.ipynb").read_bytes() for n in names} | \
           {f"{n}.html": (folder / f"{n}.html").read_bytes() for n in names}


@pytest.mark.slow
def test_kept_kernel_gives_the_notebooks_a_fresh_kernel_gives(pinned, tmp_path):
    jobs = collect_jobs(["jilin-2021", "changchun-14th-rural-urban-dibao", "jilin-2021-evaluation",
                         "changchun-13th-backtest", "changchun-15th-draft-example"])
    outs = {}
    for reuse in (False, True):
        d = tmp_path / f"reuse-{reuse}"
        d.mkdir()
        for j in jobs:
            r = execute.run_one(j, str(d), 300, reuse=reuse)
            assert r["ok"], r["error"]
        execute.close_worker_kernel()
        outs[reuse] = _outputs(d, [j["name"] for j in jobs])
    assert outs[True] == outs[False]


@pytest.mark.slow
def test_failure_and_timeout_in_the_middle_leave_the_next_notebooks_as_fresh(pinned, tmp_path):
    good = collect_jobs(["jilin-2021", "jilin-2021-evaluation"])
    broken = dict(good[0], name="broken", params=dict(good[0]["params"], plan="no-such-plan"))
    slow = collect_jobs(["jilin-prefectures-example"])[0]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for j in good:
        assert execute.run_one(j, str(fresh), 300, reuse=False)["ok"]
    kept = tmp_path / "kept"
    kept.mkdir()
    assert execute.run_one(good[0], str(kept), 300)["ok"]
    first = execute.worker_kernel(str(kept), None, 60).km.provisioner.process.pid
    r = execute.run_one(broken, str(kept), 300)
    assert not r["ok"] and "no-such-plan" in r["error"]
    assert execute._KEPT is None  # the failed notebook's kernel was killed, not reused
    r = execute.run_one(slow, str(kept), 1)  # its chart cells take longer than a second
    assert not r["ok"] and "timed out" in r["error"]
    for j in good:
        assert execute.run_one(j, str(kept), 300)["ok"]
    assert execute.worker_kernel(str(kept), None, 60).km.provisioner.process.pid != first
    execute.close_worker_kernel()
    names = [j["name"] for j in good]
    assert _outputs(kept, names) == _outputs(fresh, names)


def test_font_cache_gives_the_bytes_a_new_subset_gives(pinned, tmp_path):
    text = "民政规划目标监测报告 2025 年"
    made = plots.embedded_font_css(text, cache=False)
    assert plots.embedded_font_css(text) == made  # a miss: made and stored
    stored = list((tmp_path / "cache" / "fonts").glob("*.css"))
    assert len(stored) == 1 and stored[0].read_text(encoding="ascii") == made
    assert plots.embedded_font_css(text[::-1]) == made  # same characters, same key
    stored[0].write_text("@font-face{truncated", encoding="ascii")  # a broken entry is made again
    assert plots.embedded_font_css(text) == made
    assert plots.embedded_font_css(text + "省") != made


def test_longest_notebooks_start_first_by_the_last_runs_seconds_else_by_kind(tmp_path):
    jobs = collect_jobs([])
    kinds = [j["params"].get("notebook") for j in batch.longest_first(jobs, {})]
    assert kinds[0] == "regions_dashboard" and kinds[-1] == "indicator_report"
    seconds = {j["name"]: float(i) for i, j in enumerate(jobs)}  # last time: the later, the longer
    assert [j["name"] for j in batch.longest_first(jobs, seconds)] == [j["name"] for j in reversed(jobs)]
    (tmp_path / ".mzforecast-output").write_text(marker_text(["a.html"], {"a": 2.5}), encoding="utf-8")
    assert recorded_seconds(tmp_path) == {"a": 2.5}
    (tmp_path / ".mzforecast-output").write_text(json.dumps({"files": ["a.html"]}), encoding="utf-8")
    assert recorded_seconds(tmp_path) == {}  # a marker from before the seconds were kept


def test_progress_one_line_per_notebook_off_a_terminal_nothing_when_quiet(capsys):
    r = [{"name": "a", "ok": True, "seconds": 1.25, "error": ""}, {"name": "b", "ok": False, "seconds": 3, "error": "x"}]
    p = batch.Progress(2, progress=False, quiet=False)
    for x in r:
        p.done(x)
    p.close()
    assert capsys.readouterr().err.splitlines() == ["a: 1.2 s, ok", "b: 3.0 s, failed"]
    p = batch.Progress(2, progress=True, quiet=True)
    for x in r:
        p.done(x)
    p.close()
    assert capsys.readouterr().err == ""
    p = batch.Progress(2, progress=True, quiet=False)
    for x in r:
        p.done(x)
    p.close()
    err = capsys.readouterr().err
    assert "2/2" in err and "FAILED b: x" in err


def test_index_shows_each_pages_seconds_unless_times_are_pinned(tmp_path, monkeypatch):
    from mzforecast.running.index import write_index
    jobs = collect_jobs(["jilin-2021"])
    res = [{"name": "jilin-2021", "ok": True, "html": "jilin-2021.html", "error": "", "records": [], "seconds": 4.26}]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_index(tmp_path, res, jobs, 10.0, None, ())
    assert "<td>4.3 s</td>" in (tmp_path / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")
    write_index(tmp_path, res, jobs, 10.0, None, ())
    assert "4.3 s" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_one_font_subset_for_all_the_runs_pages(pinned):
    from mzforecast.running.index import FONT_SLOT, render, share_font
    one = render("page.html.j2", shared_font=True, lang="zh", title="吉林", body="<p>民政</p>", version="x",
                 generated="报告", back="返回")
    # a notebook showing the slot's text in its body must not get the font there
    two = render("page.html.j2", shared_font=True, lang="zh", title="长春", body=f"<p>低保 {FONT_SLOT}</p>",
                 version="x", generated="报告", back="返回")
    earlier = "<html><head><style>@font-face{kept}</style></head><body>旧页</body></html>"
    assert FONT_SLOT in one and "@font-face" not in one
    out = share_font({"one": one, "two": two, "earlier": earlier})
    face = plots.embedded_font_css("".join(set((one + two.replace(FONT_SLOT, "", 1)).replace(FONT_SLOT, "", 1))))
    assert out["earlier"] == earlier  # a page kept from an earlier run already has its font
    for k, page in (("one", one), ("two", two)):
        assert out[k] == page.replace(FONT_SLOT, face, 1)  # the same subset in each, in the head
    assert f"低保 {FONT_SLOT}" in out["two"]
    assert share_font({"earlier": earlier}) == {"earlier": earlier}


def test_bad_input_ends_the_workers_and_kernels_started_while_it_was_checked(tmp_path, monkeypatch):
    import time

    import psutil

    from mzforecast.errors import DataErrors
    seen = {}
    stop = batch.Workers.stop

    def stop_once_kernels_run(self):
        me = psutil.Process()
        deadline = time.time() + 60
        while time.time() < deadline and sum("ipykernel_launcher" in " ".join(p.cmdline())
                                             for p in me.children(recursive=True)) < 2:
            time.sleep(0.2)
        seen["pids"] = [p.pid for p in me.children(recursive=True)  # multiprocessing's tracker lives on
                        if "resource_tracker" not in " ".join(p.cmdline())]
        seen["room"] = self.waiting_room
        stop(self)
    monkeypatch.setattr(batch.Workers, "stop", stop_once_kernels_run)
    good = Path(__file__).resolve().parent.parent / "params" / "jilin-2021.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: jilin-2099\n", encoding="utf-8")
    out = tmp_path / "reports"
    with pytest.raises(DataErrors, match="jilin-2099"):
        batch.run([str(good), str(bad)], out, jobs=2, quiet=True)
    assert len(seen["pids"]) >= 4  # two workers, each with its kernel, were running
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]  # no output, no staging folder
    assert not Path(seen["room"]).exists()
    assert not [p for p in psutil.process_iter() if p.pid in seen["pids"] and p.status() != psutil.STATUS_ZOMBIE]
