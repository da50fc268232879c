"""Report pipeline: notebooks under papermill, the batch index, failure isolation, atomic output,
escaping, and Chinese text with no missing glyphs."""
import json
import re
import signal
import subprocess
import sys
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import mzforecast as mzf
from mzforecast import backtest as B
from conftest import ROOT
from mzforecast import pages as reports, plots, running as runner
from mzforecast.messages.notes import Note, Notes


def test_chinese_chart_has_no_missing_glyphs(ds, tmp_path):
    t = mzf.get_target("changchun-13th", "certified-social-workers", ds)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")
        fig = reports.target_figure(t, ds)
        fig.savefig(tmp_path / "c.png")
        fig.savefig(tmp_path / "c.svg")
    assert "Noto Sans CJK" in plots.use_cjk_font()


def test_user_strings_are_escaped(ds, write):
    p = write("evil.csv", "region,indicator,indicator_name,unit,year,value\n"
                          "changchun,evil,<script>alert(1)</script>,people,2020,1\n")
    d = mzf.load([p])
    res = pd.DataFrame([{"target_id": "<b>x</b>", "indicator": "evil", "verdict": "no_data", "probability": None,
                         "note": "<img src=x onerror=alert(1)>", "kind": "level", "unit": "people",
                         "comparator": ">=", "target_value": 1, "target_value_high": None, "target_year": 2025,
                         "latest_value": 1, "latest_year": 2020, "median": None, "lo80": None, "hi80": None}])
    html = reports.risk_table(res, d) + reports.no_data_list(res, d)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>x</b>" not in html


def test_number_formats():
    assert reports.fmt_value(1_542_000_000, "yuan") == "15.4亿元"
    assert reports.fmt_value(48000, "beds") == "4.8万张"
    assert reports.fmt_value(710, "yuan/person/month") == "710元/人·月"
    assert reports.fmt_value(70.4225, "percent") == "70.4%"
    assert reports.fmt_value(1.53412, "times") == "1.53倍"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == "a" and "href" in d:
            self.links.append(d["href"])
        if tag in ("script", "link"):
            self.links.append(f"<{tag}>")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One small batch shared by the tests below (kernel starts are the cost).

    Run the way cron and CI run it: MPLBACKEND=Agg and umask 022; one dashboard in English.
    """
    import os
    out = tmp_path_factory.mktemp("b") / "reports"
    params = [ROOT / "params/jilin-2021.yaml", ROOT / "params/changchun-14th-rural-urban-dibao.yaml",
              ROOT / "params/changchun-13th-backtest.yaml", ROOT / "params/changchun-13th.yaml"]
    extra = tmp_path_factory.mktemp("p")
    bad = extra / "broken.yaml"
    bad.write_text("notebook: indicator_report\nplan: changchun-14th\ntarget_id: no-such-target\n")
    en = extra / "changchun-13th-en.yaml"
    en.write_text((ROOT / "params/changchun-13th.yaml").read_text(encoding="utf-8").replace("language: zh",
                                                                                            "language: en"))
    old_backend, old_umask = os.environ.get("MPLBACKEND"), os.umask(0o022)
    os.environ["MPLBACKEND"] = "Agg"
    try:
        index, results = runner.run([str(p) for p in params] + [str(bad), str(en)], out, jobs=2, timeout=120)
    finally:
        os.umask(old_umask)
        if old_backend is None:
            os.environ.pop("MPLBACKEND")
        else:
            os.environ["MPLBACKEND"] = old_backend
    return out, index, results


@pytest.mark.slow
def test_batch_isolates_failure_and_reports_the_rest(batch):
    out, index, results = batch
    status = {r["name"]: r["ok"] for r in results}
    assert status == {"jilin-2021": True, "changchun-14th-rural-urban-dibao": True, "changchun-13th": True,
                      "changchun-13th-backtest": True, "broken": False, "changchun-13th-en": True}
    err = [r["error"] for r in results if r["name"] == "broken"][0]
    assert "no-such-target" in err
    text = index.read_text(encoding="utf-8")
    assert "broken" in text and "失败" in text


@pytest.mark.slow
def test_index_links_resolve_and_pages_are_offline(batch):
    out, index, _ = batch
    p = Links()
    p.feed(index.read_text(encoding="utf-8"))
    assert p.links, "index has links"
    for href in p.links:
        assert not href.startswith("<"), "no scripts in the index"
        assert (out / href).exists(), href
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="https?://', html), page.name
        assert "<script" not in html.lower()
        if page.name != "index.html":
            assert "data:image/png;base64" in html or "backtest" not in page.name
            assert 'class="jp-InputArea' not in html  # no code cells


@pytest.mark.slow
def test_summary_matches_assess(batch, ds):
    out, _, _ = batch
    s = pd.read_csv(out / "summary.csv")
    direct = mzf.assess_plan("jilin-2021", ds)
    got = s[s.plan == "jilin-2021"].set_index("target_id").sort_index()
    exp = direct.set_index("target_id").sort_index()
    assert list(got.index) == list(exp.index)
    assert (got.verdict == exp.verdict).all()
    one = s[s.target_id == "table-02-rural-urban-dibao"].iloc[0]
    ref = mzf.assess("changchun-14th:table-02-rural-urban-dibao", ds)
    assert one.probability_nowcast == pytest.approx(ref.probability_nowcast)  # 2025 has passed: a nowcast
    assert one["median"] == pytest.approx(ref["median"])
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))[0]["plan"]


@pytest.mark.slow
def test_killed_run_leaves_previous_reports(batch, tmp_path):
    out, _, _ = batch
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "mzforecast.cli", "run", str(ROOT / "params/changchun-13th.yaml"),
                             "--out", str(out), "--jobs", "1"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(4)
    import os
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before


@pytest.mark.slow
def test_papermill_cli_runs_each_notebook_with_its_params(tmp_path):
    for params, nb in [("params/jilin-2019.yaml", "plan_dashboard"), ("params/jilin-13th-backtest.yaml", "backtest")]:
        r = subprocess.run([sys.executable, "-m", "papermill", f"notebooks/{nb}.ipynb", str(tmp_path / f"{nb}.ipynb"),
                            "-f", params, "-k", "python3"], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]


@pytest.mark.slow
def test_quickstart_notebook_executes(tmp_path):
    import papermill as pm
    nb = pm.execute_notebook(str(ROOT / "notebooks/quickstart.ipynb"), str(tmp_path / "q.ipynb"),
                             kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "lo95" in html and "table-02-rural-urban-dibao" in html


def test_params_files_are_valid():
    files = sorted((ROOT / "params").glob("*.yaml"))
    assert len(files) >= 6
    for f in files:
        p = runner.load_params(f)
        assert (ROOT / "notebooks" / f"{p['notebook']}.ipynb").exists()


def test_notebooks_have_a_plain_parameters_cell():
    import nbformat
    for nb in ("plan_dashboard", "indicator_report", "backtest"):
        cells = nbformat.read(str(ROOT / f"notebooks/{nb}.ipynb"), as_version=4).cells
        tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        for line in tagged[0].source.splitlines():
            assert re.fullmatch(r'\w+ = ("[^"]*"|None|\d+)', line), line


@pytest.mark.slow
def test_pages_carry_a_font_for_every_chinese_character(batch):
    """No system CJK font is assumed: each page embeds the glyphs it shows."""
    import base64
    import io

    from fontTools.ttLib import TTFont
    out, _, _ = batch
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        m = re.search(r'font-family:"MZ CJK";src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)', html)
        assert m, page.name
        cmap = TTFont(io.BytesIO(base64.b64decode(m.group(1)))).getBestCmap()
        text = re.sub(r"data:[^\"')]+", "", html)
        cjk = {c for c in text if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"}
        assert cjk, page.name
        assert not [c for c in cjk if ord(c) not in cmap], page.name


def test_methods_table_holds_numbers_and_only_applicable_models(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    m = reports.methods_table(t, ds, language="en")
    assert m["median"].map(lambda v: isinstance(v, float)).all()
    assert "logistic" not in m.index and m.index[0].startswith("auto (")


def test_logistic_is_refused_for_levels():
    from mzforecast.errors import ModelError
    with pytest.raises(ModelError, match="for shares"):
        mzf.forecast(pd.Series({2019: 100.0, 2020: 110.0}), until=2022, method="logistic")


def test_milestones_explain_when_there_are_none(ds):
    growth = mzf.get_target("changchun-13th", "social-organisations-growth", ds)
    assert "无年度分解" in reports.milestones_html(growth, ds)
    level = mzf.get_target("changchun-13th", "certified-social-workers", ds)
    html = reports.milestones_html(level, ds)
    assert "<table" in html and "线性分解" in html


def test_ratio_milestones_run_from_the_base_ratio_to_the_target(ds):
    ratio = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    m = mzf.milestones(ratio, ds).set_index("year")
    assert m.loc[2020, "linear"] == pytest.approx(500 / 710 * 100) and m.loc[2025, "linear"] == pytest.approx(75)
    html = reports.milestones_html(ratio, ds)
    assert "70.4%" in html and "75.0%" in html and not re.search(r"\d\.\d{4,}", html)


def test_ratio_target_is_charted_as_the_ratio(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    hist, bands = mzf.attainment.target_fan(t, ds)
    assert hist.loc[2020] == pytest.approx(500 / 710 * 100)
    r = mzf.assess(t, ds)
    assert bands.loc[2025, "median"] == pytest.approx(r["median"])
    assert bands.loc[2025, "lo80"] == pytest.approx(r.lo80)


def test_goal_text():
    row = lambda **k: pd.Series(dict(dict(kind="level", comparator=">=", target_value=1, target_value_high=None,  # noqa: E731
                                          unit="percent"), **k))
    assert reports.goal_text(row(target_value=75)) == "≥ 75%"
    assert reports.goal_text(row(comparator="between", target_value=35, target_value_high=40,
                                 unit="beds per 1000 elderly")) == "35–40张/千名老人"
    assert reports.goal_text(row(kind="growth", target_value=10, unit="percent")) == "年均增长 ≥ 10%"
    assert reports.goal_text(row(kind="change", target_value=30, unit="communities"), "en") == "add ≥ 30 communities"


def test_goal_text_reach_a_range_and_tolerance():
    """'达到 a–b' reads as the plan does, unit once; '左右/约' shows its tolerance."""
    row = lambda **k: pd.Series(dict(dict(kind="level", comparator=">=", target_value=35, target_value_high=40,  # noqa: E731
                                          unit="beds per 1000 elderly", flags=""), **k))
    assert reports.goal_text(row()) == "达到 35–40张/千名老人"
    assert reports.goal_text(row(), "en") == "35–40 beds per 1000 elderly (met at 35)"
    tol = row(target_value=9000, target_value_high=None, unit="organisations", flags=Notes([Note("tolerance", tolerance=450, value=9000, unit="organisations")]))
    assert reports.goal_text(tol) == "9,000个左右（±450个）"
    assert reports.goal_text(tol, "en") == "about 9,000 organisations (±450 organisations)"
    rate = row(kind="growth", target_value=10, target_value_high=None, unit="percent", tolerance=0.5)
    assert reports.goal_text(rate) == "年均增长 10%左右（±0.5个百分点）"


def test_goal_text_from_the_bundled_plan(ds):
    r = mzf.assess("changchun-13th:beds-per-1000-elderly", data=ds)
    assert reports.goal_text(r) == "达到 35–40张/千名老人"
    en = reports.goal_text(r, "en")
    assert en.count("beds per 1000 elderly") == 1
    r = mzf.assess("changchun-13th:social-organisations-count", data=ds)
    assert reports.goal_text(r) == "9,000个左右（±450个）"


def test_expected_year_only_for_live_forecasts_after_the_data(ds):
    """One observation (no trend) or a target year already past: no '预计达标年份'."""
    r = mzf.assess("changchun-13th:beds-per-1000-elderly", data=ds)
    assert r.verdict in ("insufficient_data", "outcome_pending")
    assert "预计达标年份" not in reports.plain_words(r, ds)
    assert "expected to be reached" not in reports.plain_words(r, ds, "en").lower()
    r = mzf.assess("changchun-13th:lottery-sales", data=ds, as_of=2015)  # a live forecast standing in 2015
    assert r.verdict in ("on_track", "at_risk", "off_track") and r.expected_year > r.latest_year
    assert f"预计达标年份：{int(r.expected_year)}年" in reports.plain_words(r, ds)
    # the same year seen from a later run, with no data for it: a past year, not shown
    r = mzf.assess("changchun-13th:lottery-sales", data=ds, reference=2016)
    assert r.expected_year < mzf.attainment.reference_year() and "预计达标年份" not in reports.plain_words(r, ds)
    live = pd.Series(dict(verdict="on_track", expected_year=2028.0, latest_year=2024))
    assert reports.expected_year(live) == 2028
    assert reports.expected_year(live.copy().replace({2028.0: 2024.0})) is None  # not after the data
    for v in ("insufficient_data", "outcome_pending", "achieved"):
        assert reports.expected_year(pd.Series(dict(verdict=v, expected_year=2028.0, latest_year=2024))) is None


def test_run_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    """A run swaps the whole output folder; a mistyped --out must not delete someone's files."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("hand-written", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "run", str(ROOT / "params/jilin-2021.yaml"),
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2
    assert str(out) in r.stderr and "notes.txt" in r.stderr and "fix:" in r.stderr
    assert "Traceback" not in r.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "hand-written"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"], "no partial folder left behind"


@pytest.mark.slow
def test_same_inputs_give_byte_identical_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    params = [str(ROOT / "params/jilin-2021.yaml")]
    runner.run(params, tmp_path / "a", jobs=1, timeout=120)
    runner.run(params, tmp_path / "b", jobs=1, timeout=120)
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert set(a) == set(b) and {"index.html", "jilin-2021.html", "jilin-2021.ipynb", "summary.csv"} <= set(a)
    assert [n for n in a if a[n] != b[n]] == []
    # a second run into the same folder is allowed: mzforecast wrote it
    runner.run(params, tmp_path / "a", jobs=1, timeout=120)
    assert (tmp_path / "a" / "jilin-2021.html").read_bytes() == a["jilin-2021.html"]


def test_every_engine_note_reads_in_chinese(ds):
    """Notes come from the engine in English; a Chinese page must not show them untranslated."""
    from mzforecast.targets import list_plans
    notes = set()
    for plan in list_plans():
        for as_of in (None, 2015):
            notes |= set(mzf.assess_plan(plan, ds, as_of=as_of).note.dropna())
    assert len(notes) > 50
    untranslated = [n for n in notes if re.search("[A-Za-z]{3,}", reports.note_text(n, ds, "zh"))]
    assert untranslated == []
    assert reports.note_text("a note nobody wrote a translation for", ds) == "a note nobody wrote a translation for"
    assert reports.note_text("nothing to forecast", ds, "en") == "nothing to forecast"


def test_method_comparison_is_shown_in_the_targets_unit(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    html = reports.methods_html(t, ds, language="zh")
    r = mzf.assess(t, ds)  # 2025 has passed: the page shows the nowcast probability
    p = r.probability if r.probability is not None else r.probability_nowcast
    assert reports.fmt_value(r["median"], "percent") in html and mzf.attainment.probability_text(p) in html
    assert not re.search(r"\d\.\d{4,}", html), "no raw floats"
    assert html.count("<tr>") == 1 + len(reports.methods_table(t, ds))


def test_risk_table_gives_one_observation_its_own_grey_verdict(ds):
    res = mzf.assess_plan("changchun-13th", ds, as_of=2015)
    calls = res[res.verdict.isin(["on_track", "at_risk", "off_track"])]
    one = res[res.verdict == "insufficient_data"]
    assert len(one) and len(calls) and (calls.n_obs > 1).all() and (one.n_obs == 1).all()
    html = reports.risk_table(res, ds, "zh")
    assert html.count("数据不足") == len(one) and html.count("基础比率") == len(one)


# ---- issue 10: pages an official reads ------------------------------------------------------
ZH_ALLOWED = {"Theta", "Logistic", "mzforecast", "summary", "csv", "json", "xlsx"}  # method names; footer; file names


def visible_text(page: str, language: str) -> str:
    """What a reader sees: no styles, no inlined images; text marked as the other language (the
    verbatim Chinese sources and quotes on English pages, a failed job's error message on the
    index) is left out."""
    import html as html_lib
    body = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    body = re.sub(r"data:[^\"')]+", "", body)
    other = "zh" if language == "en" else "en"
    body = re.sub(rf'<(\w+)[^>]*lang="{other}"[^>]*>.*?</\1>', "", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.slow
def test_every_page_is_clean_in_its_own_language(batch):
    out, _, _ = batch
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 6
    for page in pages:
        html = page.read_text(encoding="utf-8")
        language = re.search(r'<html lang="(\w+)"', html).group(1)
        text = visible_text(html, language)
        assert not re.search(r"\bnan\b|\bNaN\b|<NA>", text), page.name
        assert not re.search(r"\d[eE][+-]\d", text), page.name
        assert "No description" not in html, page.name
        if language == "zh":
            # a data version is a hex digest, not English
            english = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\b[0-9a-f]{12,}\b", "", text))) - ZH_ALLOWED
            assert not english, (page.name, sorted(english)[:20])
        else:
            assert not re.findall(r"[\u4e00-\u9fff]", text), (page.name, re.findall(r"[\u4e00-\u9fff]+", text)[:20])
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert title != page.stem and not re.fullmatch(r"[A-Za-z0-9_.-]+", title), (page.name, title)
        for img in re.findall(r"<img[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt and alt.group(1).strip(), (page.name, img[:80])
    assert "<title>长春市民政事业“十三五”发展规划</title>" in (out / "changchun-13th.html").read_text(encoding="utf-8")


class Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if "id" in d:
            self.ids.add(d["id"])
        if tag == "a" and "href" in d:
            self.links.append(d["href"])


@pytest.mark.slow
def test_links_in_every_page_resolve(batch):
    out, _, _ = batch
    n_links = 0
    for page in out.glob("*.html"):
        p = Anchors()
        p.feed(page.read_text(encoding="utf-8"))
        for href in p.links:
            n_links += 1
            target, _, frag = href.partition("#")
            if target:
                assert (out / target).exists(), (page.name, href)  # './x.html' too
            if frag:
                ids = p.ids if not target else Anchors.of(out / target)
                assert frag in ids, (page.name, href)
            assert not target or re.fullmatch(r"(\./)?[\w.-]+\.(html|csv|json|xlsx)", target), href
    assert n_links > 50
    dash = (out / "changchun-13th.html").read_text(encoding="utf-8")
    assert 'href="changchun-13th-backtest.html"' in dash, "the dashboard links its backtest"
    assert re.search(r'<a href="#t\d+">', dash) and re.search(r'<h3 id="t\d+">', dash), "rows link to sections"


def _ids_of(path):
    p = Anchors()
    p.feed(path.read_text(encoding="utf-8"))
    return p.ids


Anchors.of = staticmethod(_ids_of)


@pytest.mark.slow
def test_charts_appear_under_agg_as_images(batch):
    """The batch ran with MPLBACKEND=Agg: every section chart is an inlined PNG, not a repr."""
    out, _, _ = batch
    for name, least in (("changchun-13th", 5), ("changchun-13th-en", 5), ("changchun-14th-rural-urban-dibao", 1),
                        ("changchun-13th-backtest", 1)):
        html = (out / f"{name}.html").read_text(encoding="utf-8")
        imgs = re.findall(r"<img[^>]*>", html)
        assert len([i for i in imgs if 'src="data:image/png;base64,' in i]) >= least, name
        assert "<Figure size" not in html and "&lt;Figure size" not in html, name


@pytest.mark.slow
def test_dashboard_and_index_lead_with_status(batch, ds):
    out, index, _ = batch
    dash = (out / "changchun-13th.html").read_text(encoding="utf-8")
    assert "数据截至 2020 年" in dash and "约束性" in dash and "预期性" in dash
    res = mzf.assess_plan("changchun-13th", ds)
    nd = res[res.verdict == "no_data"]
    assert len(nd) > 5
    listed = dash.split("无数据或不再评估的目标")[1]
    for r in nd.itertuples():  # each no-data target once, in the compact list, not in the status table
        name = ds.indicators[r.indicator].name("zh")
        assert name in listed
    status_table = dash.split('class="risk"')[1].split("</table>")[0]
    assert not [r for r in nd.itertuples() if f">{ds.indicators[r.indicator].name('zh')}<" in status_table]
    idx = index.read_text(encoding="utf-8")
    assert "数据截至 2020 年" in idx and "当前评估" in idx and "回测" in idx
    current, backtests = idx.split("<h2>回测")[0], idx.split("<h2>回测")[1]
    assert "changchun-13th-backtest.html" in backtests and "changchun-13th-backtest.html" not in current
    assert ">changchun-13th<" not in idx, "index names plans, not ids"


@pytest.mark.slow
def test_backtest_page_shows_the_clis_score(batch, ds):
    out, _, _ = batch
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "backtest", "--plan", "changchun-13th"], cwd=ROOT,
                       capture_output=True, text=True)
    bt = mzf.backtest_plan("changchun-13th", 2015, ds)
    assert B.score_line(bt, 2015, "en") in r.stdout
    m = re.search(r"matched the outcome for (\d+) of the (\d+) it called.*?80% interval held the outcome (\d+)/(\d+)",
                  r.stdout)
    agree, called, held, n = m.groups()
    page = (out / "changchun-13th-backtest.html").read_text(encoding="utf-8")
    assert B.score_line(bt, 2015, "zh") in page
    assert f"作出判断的{called}项中{agree}项与实际一致" in page and f"80%区间覆盖实际值 {held}/{n}" in page


@pytest.mark.slow
def test_output_folder_follows_the_umask(batch):
    out, _, _ = batch
    assert out.stat().st_mode & 0o777 == 0o755
    assert (out / "index.html").stat().st_mode & 0o777 == 0o644


def _target_lines(fig):
    return [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == "target"]


def test_every_target_kind_draws_its_target(ds):
    """level, share, ratio: a line at the target; growth: the required path; 新增: the change since
    the base year against the target, never below 0 for data that never fell."""
    level = mzf.get_target("changchun-13th", "lottery-sales", ds)
    fig = reports.target_figure(level, ds)
    assert [list(ln.get_ydata()) for ln in _target_lines(fig)] == [[level.value, level.value]]
    ratio = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    fig = reports.target_figure(ratio, ds)
    assert _target_lines(fig)[0].get_ydata()[0] == pytest.approx(75)
    assert fig.axes[0].get_ylabel() == "%"
    growth = mzf.get_target("changchun-13th", "social-organisations-growth", ds)
    fig = reports.target_figure(growth, ds)
    path = _target_lines(fig)[0]
    s = ds.series(growth.region, growth.indicator)
    assert path.get_xdata()[0] == growth.base_year and path.get_xdata()[-1] == growth.target_year
    assert path.get_ydata()[-1] == pytest.approx(s[growth.base_year] * (1 + growth.value / 100) ** 5)
    change = mzf.get_target("changchun-13th", "national-model-communities", ds)
    fig = reports.target_figure(change, ds)
    assert _target_lines(fig)[0].get_ydata()[0] == change.value
    hist = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "历史值"][0]
    assert hist.get_ydata()[0] == 0, "cumulative change starts at 0 in the base year"
    lows = [c.get_paths()[0].vertices[:, 1].min() for c in fig.axes[0].collections]
    assert min(lows) >= 0, "an addition to a series that never fell is not drawn below 0"
    for f in (fig,):
        tick = f.axes[0].yaxis.get_major_formatter()(1.9e9)
        assert "e+" not in tick


def test_one_point_series_get_a_card_not_an_empty_axis(ds):
    t = mzf.get_target("changchun-13th", "medical-assistance-cap", ds)
    assert reports.target_figure(t, ds) is None
    html = reports.chart_html(t, ds, mzf.assess(t, ds), language="zh")
    assert "<img" not in html and 'class="card"' in html and "2万元" in html


def test_charts_leave_global_matplotlib_settings_alone(ds):
    import matplotlib
    before = dict(matplotlib.rcParams)
    t = mzf.get_target("changchun-13th", "lottery-sales", ds)
    html = reports.chart_html(t, ds, mzf.assess(t, ds))
    assert html.startswith('<img src="data:image/png;base64,') and 'alt="长春市 福利彩票年销售额' in html
    assert dict(matplotlib.rcParams) == before
    legend = [t.get_text() for t in reports.target_figure(t, ds).axes[0].get_legend().get_texts()]
    assert "目标 19亿元" in legend and reports.target_figure(t, ds).axes[0].get_ylabel() == "亿元"


def test_new_verdicts_have_labels_and_colours():
    for v in reports.ORDER:
        assert v in plots.COLORS
        assert plots.verdict_label(v, "zh") != v and re.search(r"[\u4e00-\u9fff]", plots.verdict_label(v, "zh"))
    assert plots.verdict_label("outcome_pending") == "待实际数据" and plots.verdict_label("transferred") == "已划出民政"


def test_assess_plan_in_chinese_and_english(ds):
    # reference year 2025: the 2025 target is still ahead, so it gets a live verdict
    zh = mzf.assess_plan("changchun-14th", ds, language="zh", reference=2025)
    assert list(zh.columns[:4]) == ["规划", "指标", "属性", "目标"]
    row = zh[zh["目标编号"] == "table-02-rural-urban-dibao"].iloc[0]
    raw = mzf.attainment.assess(mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds), ds, reference=2025)
    assert row["指标"] == "农村低保标准与城市低保标准之比" and row["单位"] == "%" and row["判断"] == "有望实现"
    assert row["预测中位数"] == f"{raw['median']:.1f}%" and row["实现概率（%）"] == round(raw.probability * 100)
    assert row["概率依据"] == "预测"
    en = mzf.assess_plan("changchun-14th", ds, language="en")
    assert "forecast median" in en.columns and en.loc[2, "indicator"] == "Rural dibao standard ÷ Urban dibao standard"
    assert mzf.assess_plan("changchun-14th", ds).columns[0] == "plan"


def test_forecast_repr_is_short_and_summary_is_shown_rounded():
    fc = mzf.forecast(pd.Series({2018: 500.0, 2019: 531.0, 2020: 577.3333}), until=2025)
    r = repr(fc)
    assert len(r) < 160 and "array" not in r and "2025 median" in r
    assert "<table" in fc._repr_html_()
    sf = fc.summary_frame()
    assert not re.search(r"\d\.\d{4,}", repr(sf)) and not re.search(r"\d\.\d{4,}", sf._repr_html_())
    assert sf.loc[2025, "median"] == fc.quantiles([0.5]).iloc[-1, 0], "the values themselves stay exact"


def test_growth_outcomes_are_stated_as_the_growth_achieved(ds):
    """'社会组织数 年均增长 ≥ 10%': the outcome is 8,283 organisations, i.e. 8.1% a year since 2015."""
    bt = mzf.backtest_plan("changchun-13th", 2015, ds)
    html = reports.backtest_table(bt[bt.target_id == "social-organisations-growth"], ds)
    assert "8,283个" in html and "年均增长 8.1%" in html
    r = mzf.assess("changchun-13th:social-organisations-growth", ds)
    assert "8,283个（年均增长 8.1%）" in reports.plain_words(r, ds)


def test_links_to_pages_a_run_did_not_make_are_dropped():
    page = '<a href="a.html">A</a> <a href="#t3">x</a> <a href="b.html">B</a>'
    assert reports.drop_dead_links(page, lambda n: n == "a.html") == '<a href="a.html">A</a> <a href="#t3">x</a> B'


def test_sections_use_generated_ids_not_data_strings(ds):
    res = mzf.assess_plan("changchun-13th", ds)
    html = reports.dashboard_sections("changchun-13th", res, ds) + reports.risk_table(res, ds)
    ids = set(re.findall(r'id="([^"]+)"', html)) | {h[1:] for h in re.findall(r'href="(#[^"]+)"', html)}
    assert ids and all(re.fullmatch(r"t\d+|top", i) for i in ids), ids


def test_dashboard_header_links_the_plans_evaluation_page(ds):
    related = runner.related_pages("changchun-14th")
    assert related["evaluation"] == ["changchun-14th-evaluation.html"]
    res = mzf.assess_plan("changchun-14th", ds)
    head = reports.plan_header("changchun-14th", ds, res, language="zh", related=related)
    assert '<a href="changchun-14th-evaluation.html">实施情况评估</a>' in head


def test_index_lists_each_kind_of_page_under_its_own_heading(tmp_path):
    todo = [{"name": "changchun-14th", "params": {"notebook": "plan_dashboard", "plan": "changchun-14th"}},
            {"name": "changchun-14th-evaluation", "params": {"notebook": "evaluation", "plan": "changchun-14th"}},
            {"name": "jilin-prefectures-example", "params": {"notebook": "regions_dashboard",
                                                            "plan": "data/examples/jilin-prefectures-example.yaml"}}]
    results = [dict(name=j["name"], html=j["name"] + ".html", ok=True, error=None,
                    records=[{"verdict": "on_track", "latest_year": 2020}]) for j in todo]
    runner.write_index(tmp_path, results, todo, 1.0, None, ())
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<h2>实施情况评估（中期/总结评估）</h2>" in page and "<h2>分地区监测</h2>" in page
    assert "<h2>其他</h2>" not in page  # nothing left unsorted
    assert "长春市民政事业发展“十四五”规划：实施情况评估（暂无基期后数据）</a>" in page  # the page's own title
    # the dashboard keeps the plain plan name: the two links are told apart by their words
    assert page.count('十四五”规划</a>') == 1


def test_regions_notebook_draws_no_pyplot_charts():
    """regional_report draws outside pyplot, in plots.chart_style (the CJK font): the notebook needs no pyplot."""
    nb = json.loads((ROOT / "notebooks/regions_dashboard.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "import matplotlib.pyplot" not in code and "plt." not in code and "reports.show(fig)" in code


def test_regional_dot_plot_inside_chart_style_has_every_glyph(tmp_path):
    from mzforecast import regional
    from mzforecast.pages import regions as rr
    from mzforecast.targets import get_plan
    d = mzf.load([ROOT / "data/examples/jilin-prefectures-synthetic.csv"])
    p = get_plan(str(ROOT / "data/examples/jilin-prefectures-example.yaml"), d)
    t = p.targets[0]
    res = regional.assess_regions(p.model_copy(update={"targets": [t]}), d)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        with plots.chart_style():
            fig = rr.dot_plot(t, res, d, "zh")
            fig.savefig(tmp_path / "d.png")
    assert fig is not None and fig.axes, "a dot plot is drawn for the example's first target"
    labels = " ".join(tk.get_text() for ax in fig.axes for tk in ax.get_yticklabels())
    assert re.search(r"[\u4e00-\u9fff]", labels), "region names on the axis are Chinese"
    assert (tmp_path / "d.png").stat().st_size > 1000


def test_method_names_on_chinese_pages_are_chinese():
    for code, name in reports.METHOD_NAMES["zh"].items():
        assert re.search(r"[\u4e00-\u9fff]", name), (code, name)


def _words(ds, plan, pred):
    res = mzf.assess_plan(plan, ds)
    return [re.sub("<[^>]+>", "", reports.plain_words(res.loc[i], ds, "zh")) for i in res.index if pred(res.loc[i])]


def test_tolerance_reading_is_written_in_the_targets_unit(ds):
    texts = _words(ds, "changchun-13th", lambda r: isinstance(r["flags"], str) and "tolerance" in r["flags"])
    assert texts and all("tolerance" not in t for t in texts)
    joined = "\n".join(texts)
    assert "与9,000个相差不超过450个即视为实现" in joined
    assert "与10%相差不超过0.5个百分点即视为实现" in joined
    assert not re.search(r"与\d{4,}相差", joined)  # never a bare 9000


def test_comparison_classes_end_with_one_full_stop_and_observed_rows_claim_no_probability(ds):
    texts = _words(ds, "changchun-13th", lambda r: isinstance(r.eurostat_class, str) and r.eurostat_class)
    assert texts
    for t in texts:
        assert "；。" not in t and not re.search(r"分类：[^。]*；(<|$|解读|依据)", t)
    # an observed outcome has no trend class: it is known (issue 20)
    assert not _words(ds, "changchun-13th", lambda r: r.method == "observed" and isinstance(r.eurostat_class, str)
                      and r.eurostat_class)


def test_short_unit_label_reads_upright(ds):
    t = mzf.get_target("changchun-13th", "certified-social-workers", ds)
    label = reports.target_figure(t, ds).axes[0].yaxis.label
    assert label.get_text() == "人" and label.get_rotation() == 0


def test_ratio_targets_say_ratio_of_what_in_table_heading_and_words(ds):
    res = mzf.assess_plan("changchun-14th", ds)
    name = "城市特困人员基本生活标准与上年度城市低保标准之比"
    assert f">{name}</a>" in reports.risk_table(res, ds, "zh")
    r = res[res.target_id == "table-01-tekun-urban"].iloc[0]
    assert reports.plain_words(r, ds, "zh").startswith(f"<p>{name}：")
    t = mzf.get_target("changchun-14th", "table-01-tekun-urban", ds)
    assert f">{name}" in reports.section_html(1, t, r, ds)


def test_range_reading_is_written_in_the_targets_unit(ds):
    texts = _words(ds, "changchun-13th", lambda r: isinstance(r["flags"], str) and "range:" in r["flags"])
    assert texts and all("range:" not in t for t in texts)
    assert any("区间目标：达到35张/千名老人即实现，超过40张/千名老人为超额完成" in t for t in texts)


def test_target_line_is_not_on_the_frame_edge(ds):
    plan = mzf.get_plan("changchun-13th", ds)  # 养老床位总数: target 5.8万 above every value drawn
    for t in plan.targets:
        fig = reports.target_figure(t, ds)
        if fig is None or t.kind != "level" or t.value is None:
            continue
        lo, hi = fig.axes[0].get_ylim()
        assert lo < t.value < hi and (hi - t.value) > 0.08 * (hi - lo), t.id  # room for the star


def test_index_failure_is_explained_in_chinese_before_the_technical_detail(tmp_path):
    todo = [{"name": "changchun-14th", "params": {"notebook": "plan_dashboard", "plan": "changchun-14th"}}]
    results = [dict(name="changchun-14th", html=None, ok=False, error="ValueError: boom", records=[])]
    runner.write_index(tmp_path, results, todo, 1.0, None, ())
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "失败</span>（页面未能生成，请将以下技术信息转给技术人员）" in page and "ValueError: boom" in page


def test_backtest_card_shows_the_outcome_beside_the_value_then(ds):
    t = mzf.get_target("changchun-13th", "elderly-care-beds", ds)
    html = reports.chart_html(t, ds, None, as_of=2015, actual=True)
    assert 'class="card"' in html and "2015年：3.59万张" in html and "实际：2020年 4.8万张" in html
    assert "实际：" not in reports.chart_html(t, ds, None, as_of=2015)


def test_deep_dive_title_names_the_ratio(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    head = reports.indicator_header("changchun-14th", t, ds)
    assert head.startswith("<h1>农村低保标准与城市低保标准之比 · ")


def test_a_target_already_met_by_the_latest_value_says_so(ds):
    """特困 ÷ previous-year 低保 was 1.59 in 2020 against ≥ 1.5: not 'needs -1.2% a year'."""
    r = mzf.assess("changchun-14th:table-01-tekun-urban", ds)
    zh, en = reports.plain_words(r, ds, "zh"), reports.plain_words(r, ds, "en")
    assert "最新值已达到目标水平" in zh and "需年均增长" not in zh
    assert "already meets the target" in en


def test_index_row_of_an_evaluation_page_counts_what_the_page_counts(tmp_path, ds):
    """The index shows a 总结评估 page's own 完成情况 counts and its title word, not forecast verdicts."""
    from mzforecast.html import summary_records
    from mzforecast.pages import evaluation as er
    res = mzf.assess_plan("changchun-13th", ds)
    page = er.page_html("changchun-13th", res, ds)
    todo = [{"name": "changchun-13th-evaluation", "params": {"notebook": "evaluation", "plan": "changchun-13th"}}]
    results = [dict(name=j["name"], html=j["name"] + ".html", ok=True, error=None,
                    records=summary_records(res)) for j in todo]
    runner.write_index(tmp_path, results, todo, 1.0, None, ())
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<h1>长春市民政事业“十三五”发展规划：总结评估</h1>" in page
    assert "长春市民政事业“十三五”发展规划：总结评估</a>" in index
    head = re.search(r"<thead>(.*?)</thead>", index, re.S).group(1)
    words = re.findall(r'class="badge"[^>]*>([^<]+)<', head)
    cells = re.findall(r"<td>([^<]*)</td>", re.search(r"<tbody>(.*?)</tbody>", index, re.S).group(1))[:len(words)]
    shown = dict(zip(words, cells))
    assert "已实现" not in shown and "无数据" in shown
    for word, k in shown.items():  # every count in the index is the page's own sentence
        assert f"{word} {k} 项" in page, (word, k)
    assert 'href="summary.xlsx"' in index
