"""Regenerate the notebooks in notebooks/ (thin: they call mzforecast.pages). Run from the repo root.

Each notebook is one builder function in BUILDERS returning (file name, notebook); add yours there.
"""
from pathlib import Path

import nbformat as nbf

D = Path(__file__).resolve().parent.parent / "notebooks"


def nb(cells, params=None):
    n = nbf.v4.new_notebook()
    n.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "language_info": {"name": "python"}}
    out = []
    if params:
        c = nbf.v4.new_code_cell(params)
        c.metadata["tags"] = ["parameters"]
        out.append(c)
    for kind, src in cells:
        out.append(nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src))
    for i, c in enumerate(out):  # fixed ids: regenerating gives the same files
        c["id"] = f"cell-{i}"
    n.cells = out
    return n


SETUP = """import mzforecast as mzf
from mzforecast import pages as reports, safe
from IPython.display import HTML, display
ds = mzf.load(data_file or None)"""


def plan_dashboard():
    return "plan_dashboard.ipynb", nb([
        ("code", SETUP + """
res = mzf.assess_plan(plan, ds, as_of=as_of, method=method)
from mzforecast.running import related_pages
related = related_pages(plan)
display(HTML('<a id="top"></a>' + reports.plan_header(plan, ds, res, as_of, language, related)))"""),
        ("code", """display(HTML(reports.overview(res, ds, language, related["deep"])))"""),
        ("code", "display(HTML(reports.no_data_list(res, ds, language)))"),
        ("code", "display(HTML(reports.dashboard_sections(plan, res, ds, as_of, method, language, related)))"),
        ("code", "reports.record_summary(res)"),
    ], params='notebook = "plan_dashboard"\nplan = "changchun-14th"\nas_of = None\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""')


def indicator_report():
    return "indicator_report.ipynb", nb([
        ("code", SETUP + """
target = mzf.get_target(plan, target_id, ds)
r = mzf.assess(target, ds, as_of=as_of, method=method)
display(HTML(reports.indicator_header(plan, target, ds, as_of, language)))"""),
        ("code", """display(HTML(reports.heading("sources", language) + reports.sources_table(target, ds, language)))"""),
        ("code", """display(HTML(reports.heading("forecast", language) + reports.chart_html(target, ds, r, as_of, method, language)
             + reports.plain_words(r, ds, language)))"""),
        ("code", """display(HTML(reports.heading("milestones", language) + reports.milestones_html(target, ds, language)))"""),
        ("code", """display(HTML(reports.heading("methods", language) + reports.methods_html(target, ds, as_of, language)))"""),
        ("code", "display(HTML(reports.method_note(language)))"),
        ("code", "reports.record_summary(mzf.assess_plan(plan, ds, as_of=as_of, method=method).query('target_id == @target_id'))"),
    ], params='notebook = "indicator_report"\nplan = "changchun-14th"\ntarget_id = "table-02-rural-urban-dibao"\nas_of = None\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""')


def backtest():
    return "backtest.ipynb", nb([
        ("code", SETUP + """
bt = mzf.backtest_plan(plan, as_of, ds, method=method)
from mzforecast import backtest
shown = backtest.scored_rows(bt)
display(HTML(reports.backtest_header(plan, ds, as_of, language) + reports.score_html(bt, as_of, language)))
display(HTML(reports.backtest_table(shown, ds, language)))"""),
        ("code", "display(HTML(reports.backtest_charts(plan, shown, ds, as_of, method, language)))"),
        ("code", "reports.record_summary(mzf.assess_plan(plan, ds, as_of=as_of, method=method))"),
    ], params='notebook = "backtest"\nplan = "changchun-13th"\nas_of = 2015\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""')


def quickstart():
    """The analyst's tour: every cell's output is fixed by REFERENCE, not by the clock."""
    return "quickstart.ipynb", nb([
        ("md", "# mzforecast quickstart\n"
               "Forecast, plot and assess civil-affairs plan targets on the bundled data, then on your own. "
               "`REFERENCE` is the year this notebook stands in: a target year before it has passed."),
        ("code", """%matplotlib inline
import pandas as pd
import mzforecast as mzf
REFERENCE = 2024  # pinned, so the outputs do not depend on the clock
mzf.indicators(search="低保")"""),
        ("md", "## Forecast one series\nRegions and indicators by id or by name; `fc.plot()` draws on the current "
               "axes (Chinese included), like statsmodels' `plot_predict`."),
        ("code", """s = mzf.series("长春", "城市低保标准")
fc = mzf.forecast(s, until=2027)
fc"""),
        ("code", """ax = fc.plot(target=900)"""),
        ("code", """fc.summary_frame(alpha=0.05)  # the same as levels=[95]; fc.predicted_median is a year-indexed Series"""),
        ("md", "## Compare methods\nOne long frame per series, year and method (statsforecast style)."),
        ("code", """ff = mzf.forecast_frame(s, 2027, methods=("theta", "drift"))
ff.pivot_table(index="year", columns="method", values="median").round(0)"""),
        ("md", "## Assess a plan\n`columns=\"brief\"`: the headline, with one probability column and what it "
               "rests on (forecast, nowcast where the target year has passed, observed)."),
        ("code", """mzf.assess_plan("changchun-14th", columns="brief", reference=REFERENCE).query("verdict != 'no_data'")"""),
        ("md", "Ready to paste into a Chinese document: names, headers and values in their units."),
        ("code", """mzf.assess_plan("changchun-13th", language="zh", reference=REFERENCE).query("判断 != '无数据'").head()"""),
        ("md", "## What if the target were 5,000?"),
        ("code", """a = mzf.assess("changchun-14th:table-08-social-work-professionals", value=5000, reference=REFERENCE)
a"""),
        ("code", """ax = a.plot()"""),
        ("md", "## Your own data\nA DataFrame in the long (region, indicator, year, value, unit) or wide layout "
               "(one column per year) is checked like a file; units are converted (元/人·年 to 元/人·月)."),
        ("code", """mine = pd.DataFrame({"region": ["changchun"] * 2, "indicator": ["dibao_standard_urban"] * 2,
                     "year": [2021, 2022], "value": [9000, 9480], "unit": ["元/人·年"] * 2})
mzf.series("长春", "城市低保标准", data=mine)"""),
        ("code", """mzf.assess_plan("changchun-14th", data=mine, columns="brief", reference=REFERENCE).query(
    "target_id.str.startswith('table-0')")"""),
        ("md", "Run the tool as it would have run in the past with `as_of`:"),
        ("code", """mzf.assess("changchun-13th:certified-social-workers", as_of=2015)"""),
    ])


def evaluation():
    """中期评估/总结评估 page (issue 11): the form, a summary paragraph, completion vs time progress."""
    return "evaluation.ipynb", nb([
        ("code", SETUP + """
from mzforecast.pages import evaluation as er
res = mzf.assess_plan(plan, ds, as_of=as_of, method=method)
display(HTML(er.page_html(plan, res, ds, as_of)))"""),
        ("md", "## 完成进度"),
        ("code", "display(HTML(er.progress_html(res, ds, as_of)))"),
        ("code", "reports.record_summary(res)"),
    ], params='notebook = "evaluation"\nplan = "changchun-14th"\nas_of = None\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""')


def regions_dashboard():
    """Issue 14: one plan in many regions; logic in mzforecast.regional and mzforecast.pages.regions."""
    return "regions_dashboard.ipynb", nb([
        ("code", SETUP + """
from mzforecast import regional
from mzforecast.pages import regions as rr
p = mzf.get_plan(plan, ds)
res = regional.assess_regions(p, ds, as_of=as_of, method=method)
display(HTML(rr.page_header(p, ds, res, as_of, language)))"""),
        ("code", """for t in p.targets:  # charts drawn outside pyplot: shown once, inlined
    display(HTML(rr.target_section(t, res, ds, language)))
    for fig in (rr.dot_plot(t, res, ds, language), rr.small_multiples(t, res, ds, as_of, method, language)):
        reports.show(fig)"""),
        ("code", "reports.record_summary(res)"),
    ], params='notebook = "regions_dashboard"\nplan = "data/examples/jilin-prefectures-example.yaml"\nas_of = None\n'
              'method = "auto"\nlanguage = "zh"\ndata_file = "data/examples/jilin-prefectures-synthetic.csv"')


def target_setting():
    """目标测算 (issue 15): a draft plan's ambition and what can be promised, per indicator."""
    return "target_setting.ipynb", nb([
        ("code", SETUP + """
from mzforecast.pages import target_setting as ts
draft = mzf.assess_draft(plan, ds, as_of=as_of, method=method)
display(HTML(ts.header(plan, ds, language)))"""),
        ("code", "display(HTML(ts.section_heading('table', language) + ts.table_html(draft, ds, language)))"),
        ("code", """targets = {t.id: t for t in ts.get_draft(plan, ds).targets}
display(HTML(ts.section_heading('charts', language)))
for i, r in enumerate(ts.charted(draft).to_dict("records"), 1):
    display(HTML(ts.chart_heading(i, r, ds, language)))
    reports.show(ts.figure(targets[r["target_id"]], r, ds, as_of, method, language))"""),
        ("code", "display(HTML(ts.without_data(draft, ds, language)))"),
        ("code", "display(HTML(ts.method_note(language)))"),
    ], params='notebook = "target_setting"\nplan = "changchun-15th-draft-example"\nas_of = None\nmethod = "auto"\n'
               'language = "zh"\ndata_file = ""')


BUILDERS = [plan_dashboard, indicator_report, backtest, quickstart, evaluation, regions_dashboard, target_setting]

if __name__ == "__main__":
    for build in BUILDERS:
        name, notebook = build()
        nbf.write(notebook, D / name)
    print("ok")
