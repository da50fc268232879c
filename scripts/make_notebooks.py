"""Regenerate the notebooks in notebooks/ (thin: they call mzforecast.reports). Run from the repo root."""
import nbformat as nbf
from pathlib import Path
D = Path(__file__).resolve().parent.parent / "notebooks"
def nb(cells, params=None):
    n = nbf.v4.new_notebook()
    n.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "language_info": {"name": "python"}}
    out = []
    if params:
        c = nbf.v4.new_code_cell(params); c.metadata["tags"] = ["parameters"]; out.append(c)
    for kind, src in cells:
        out.append(nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src))
    for i, c in enumerate(out):  # fixed ids: regenerating gives the same files
        c["id"] = f"cell-{i}"
    n.cells = out
    return n

SETUP = """import mzforecast as mzf
from mzforecast import reports
from IPython.display import HTML, display
ds = mzf.load([data_file] if data_file else None)"""

nbf.write(nb([
    ("code", SETUP + """
res = mzf.assess_plan(plan, ds, as_of=as_of, method=method)
display(HTML(reports.plan_header(plan, ds, res, as_of, language)))"""),
    ("code", "display(HTML(reports.risk_table(res, ds, language)))"),
    ("code", """reports.show(reports.small_multiples(plan, res, ds, as_of, method, language))"""),
    ("code", """targets = {t.id: t for t in mzf.get_plan(plan, ds).targets}
for r in reports.charted(res, ds).itertuples():
    row = res.set_index("target_id").loc[r.target_id]
    row["target_id"] = r.target_id
    display(HTML(f"<h3 id='{r.target_id}'>{reports.e(ds.indicators[r.indicator].name(language))} · {reports.e(r.target_id)}</h3>"))
    reports.show(reports.target_figure(targets[r.target_id], ds, as_of, method, language))
    display(HTML(reports.plain_words(row, ds, language)))"""),
    ("code", "display(HTML(reports.no_data_list(res, ds, language)))"),
    ("code", "reports.record_summary(res)"),
], params='notebook = "plan_dashboard"\nplan = "changchun-14th"\nas_of = None\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""'),
D / "plan_dashboard.ipynb")

nbf.write(nb([
    ("code", SETUP + """
target = mzf.get_target(plan, target_id, ds)
r = mzf.assess(target, ds, as_of=as_of, method=method)
display(HTML(f"<h1>{reports.e(ds.indicators[target.indicator].name(language))}</h1><p>{reports.e(target.quote)}</p>"))"""),
    ("md", "## 数据与来源 · data and sources"),
    ("code", "display(HTML(reports.sources_table(target, ds, language)))"),
    ("md", "## 预测 · forecast"),
    ("code", """reports.show(reports.target_figure(target, ds, as_of, method, language))
display(HTML(reports.plain_words(r, ds, language)))"""),
    ("md", "## 年度分解 · milestone path"),
    ("code", "display(HTML(reports.milestones_html(target, ds, language)))"),
    ("md", "## 各方法比较 · every method"),
    ("code", "display(HTML(reports.methods_html(target, ds, as_of, language)))"),
    ("md", """## 方法说明 · notes on the method
区间来自 M1、M3、Tourism 年度序列上同一方法、同一历史长度与预测步长的实际误差分布（经验校准），而非模型自带公式；
实现概率为 4000 条抽样路径中达标的比例。Intervals are empirical: quantiles of real forecast errors on the M1, M3
and Tourism yearly series for the same method, history length and horizon. The probability is the share of 4,000
sample paths that meet the target."""),
    ("code", "reports.record_summary(mzf.assess_plan(plan, ds, as_of=as_of, method=method).query('target_id == @target_id'))"),
], params='notebook = "indicator_report"\nplan = "changchun-14th"\ntarget_id = "table-02-rural-urban-dibao"\nas_of = None\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""'),
D / "indicator_report.ipynb")

nbf.write(nb([
    ("code", SETUP + """
bt = mzf.backtest_plan(plan, as_of, ds, method=method)
shown = bt[(bt.verdict_then != "no_data") | (bt.verdict_actual != "no_data")]
display(HTML(f"<h1>{reports.e(mzf.get_plan(plan, ds).name_zh)}：{as_of}年的判断与实际结果</h1>"))
display(HTML(reports.backtest_table(shown, ds, language)))"""),
    ("code", """targets = {t.id: t for t in mzf.get_plan(plan, ds).targets}
for r in shown[shown.verdict_then != "no_data"].itertuples():
    t = targets[r.target_id]
    if t.kind != "level":
        continue
    fig = reports.target_figure(t, ds, as_of, method, language)
    actual = ds.series(t.region, t.indicator)
    later = actual[actual.index > as_of]
    fig.axes[0].plot(later.index, later.to_numpy(), "s", color="#d73027", label="实际" if language == "zh" else "actual")
    fig.axes[0].legend(fontsize=8, frameon=False)
    reports.show(fig)"""),
    ("code", "reports.record_summary(mzf.assess_plan(plan, ds, as_of=as_of, method=method))"),
], params='notebook = "backtest"\nplan = "changchun-13th"\nas_of = 2015\nmethod = "auto"\nlanguage = "zh"\ndata_file = ""'),
D / "backtest.ipynb")

nbf.write(nb([
    ("md", "# mzforecast quickstart\nFit, forecast and assess in three lines, on the bundled data."),
    ("code", """import mzforecast as mzf
fc = mzf.forecast(mzf.series("changchun", "dibao_standard_urban"), until=2025)
fc.summary_frame(levels=[80, 95])"""),
    ("code", """mzf.assess_plan("changchun-14th").query("verdict != 'no_data'")"""),
    ("md", "Your own data: `mzf.load(['my.csv'])` (long or wide layout, CSV or XLSX); run the tool as it would have run in the past with `as_of=2015`."),
    ("code", """mzf.assess("changchun-13th:certified-social-workers", as_of=2015)"""),
]), D / "quickstart.ipynb")

def target_setting_notebook():
    """目标测算 (issue 15): a draft plan's ambition and what can be promised, per indicator."""
    nbf.write(nb([
        ("code", SETUP + """
from mzforecast import target_setting_report as ts
draft = mzf.assess_draft(plan, ds, as_of=as_of, method=method)
display(HTML(ts.header(plan, ds, language)))"""),
        ("md", "## 测算总表 · summary table"),
        ("code", "display(HTML(ts.table_html(draft, ds, language)))"),
        ("md", "## 分指标测算 · by indicator"),
        ("code", """targets = {t.id: t for t in ts.get_draft(plan, ds).targets}
for r in ts.charted(draft).to_dict("records"):
    display(HTML(f"<h3 id='{r['target_id']}'>{reports.e(ds.indicators[r['indicator']].name(language))} · {reports.e(r['target_id'])}</h3>"))
    reports.show(ts.figure(targets[r["target_id"]], r, ds, as_of, method, language))"""),
        ("code", "display(HTML(ts.without_data(draft, ds, language)))"),
        ("md", """## 方法说明 · notes on the method
“实现概率（雄心）”与监测报告的实现概率相同：4000 条抽样路径中草案目标在目标年实现的比例。“X%把握可承诺值”取自同一组路径：
以 X% 的概率能够达到（越低越好的指标：不超过）的数值，因此以该值为目标，实现概率即为 X%。基期数据尚未发布时，从最新年份起测算，测算期相应延长、区间更宽。
Ambition is the share of 4,000 sample paths in which the draft target is met; the value at X% comes from the same
paths, so a target set there is assessed at X%. Where the base year has no data yet, the horizon starts at the
latest observed year and the intervals are wider."""),
    ], params='notebook = "target_setting"\nplan = "changchun-15th-draft-example"\nas_of = None\nmethod = "auto"\n'
               'language = "zh"\ndata_file = ""'),
        D / "target_setting.ipynb")


target_setting_notebook()

print("ok")
