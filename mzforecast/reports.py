"""What the report notebooks show. The notebooks only call these, so the logic is tested here.

Every string that comes from a data file is HTML-escaped before it reaches a page.
"""
from __future__ import annotations

import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import plots
from . import units as U
from .attainment import EUROSTAT_ZH, UNSD_ZH, VERDICT_ZH, assess, milestones, probability_text, target_fan
from .data import Dataset
from .models import METHODS, forecast
from .safe import html_text
from .targets import Target, get_plan

SUMMARY_MIME = "application/vnd.mzforecast.summary+json"
ORDER = ["off_track", "not_achieved", "at_risk", "on_track", "achieved", "insufficient_data", "outcome_pending",
         "no_data", "transferred"]
L = {
    "zh": dict(indicator="指标", target="目标", year="目标年", latest="最新值", forecast="预测中位数",
               interval="80%区间", probability="实现概率", verdict="判断", counts="各类判断数量",
               nodata="无数据的目标", method="方法", required="所需年均增速", historical="历史年均增速",
               binding="约束性", expected="预期性", source="来源", quote="原文", value="数值", unit="单位",
               eurostat="欧盟统计局分类", unsd="联合国统计司分类", reach="预计达标年份"),
    "en": dict(indicator="indicator", target="target", year="target year", latest="latest", forecast="forecast median",
               interval="80% interval", probability="probability", verdict="verdict", counts="targets by verdict",
               nodata="targets with no data", method="method", required="required yearly growth",
               historical="historical yearly growth", binding="binding", expected="expected", source="source",
               quote="quote", value="value", unit="unit", eurostat="Eurostat class", unsd="UNSD class",
               reach="expected year reached"),
}
e = html_text  # every string from a file goes through mzforecast.safe
COMPARATOR_SIGN = {">=": "≥", "<=": "≤", "==": "=", ">": "&gt;", "<": "&lt;"}


# units written after a number (and on chart axes) on Chinese pages
UNIT_ZH = {u: U.DISPLAY_ZH[u] for u in ("percent", "times", "yuan", "yuan/person/month", "yuan/person/year",
                                        "beds", "people")}


def html_table(head, rows, cls: str | None = None) -> str:
    """An HTML table from header labels (escaped here) and rows of ready cell HTML."""
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def fmt_value(v, unit: str = "", language: str = "zh") -> str:
    """Numbers as planners write them: 万 and 亿 for large counts and money, % for shares."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    v = float(v)
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "times":
        return f"{v:.2f}倍" if language == "zh" else f"{v:.2f}×"
    if language == "zh" and abs(v) >= 1e8:
        s = f"{v / 1e8:.2f}亿"
    elif language == "zh" and abs(v) >= 1e4:
        s = f"{v / 1e4:.2f}万"
    elif U.is_count(unit) and abs(v) >= 10:
        s = f"{v:,.0f}"
    else:
        s = f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    u = UNIT_ZH.get(unit, "") if language == "zh" else unit  # percent and times returned above
    return f"{s}{(' ' if language != 'zh' and u else '')}{e(u)}"  # a plan's unit is free text


def _pct(x):
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.1f}%"


def _unit_of(row, ds=None):
    """The unit a target's values (goal, forecast, interval) are in: growth targets are rates."""
    return "percent" if row.kind == "growth" else row.unit


def goal_text(row, language: str = "zh") -> str:
    """A target as planners write it: ≥ 75.0%, 35–40, 年均增长 ≥ 10.0%, 新增 ≥ 30."""
    u = _unit_of(row)
    if row.comparator == "between":
        goal = f"{fmt_value(row.target_value, u, language)}–{fmt_value(row.target_value_high, u, language)}"
    else:
        goal = f"{COMPARATOR_SIGN.get(row.comparator, e(row.comparator))} {fmt_value(row.target_value, u, language)}"
    prefix = {("growth", "zh"): "年均增长 ", ("growth", "en"): "yearly growth ",
              ("change", "zh"): "新增 ", ("change", "en"): "add "}.get((row.kind, language), "")
    return prefix + goal


def verdict_badge(v: str, language: str = "zh") -> str:
    return (f'<span class="badge" style="background:{plots.COLORS.get(v, "#ccc")}">'
            f"{e(plots.verdict_label(v, language))}</span>")


def risk_table(res: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """All targets sorted by risk, with a coloured verdict; HTML."""
    T = L[language]
    df = res.copy()
    df["_o"] = df.verdict.map({v: i for i, v in enumerate(ORDER)})
    df = df.sort_values(["_o", "probability"], na_position="last")
    rows = []
    added = "新增 " if language == "zh" else "added "
    for r in df.itertuples():
        name = ds.indicators[r.indicator].name(language)
        t_unit = _unit_of(r)
        goal = goal_text(r, language)
        interval = ("–" if pd.isna(r.lo80) else
                    f"{fmt_value(r.lo80, t_unit, language)} – {fmt_value(r.hi80, t_unit, language)}")
        rows.append([
            f"{e(name)}<br><small>{e(r.target_id)}</small>", goal, r.target_year,
            fmt_value(r.latest_value, ds.indicators[r.indicator].unit if r.kind == 'growth' else r.unit, language)
            + ('' if pd.isna(r.latest_year) else f' <small>({int(r.latest_year)})</small>'),
            (added if r.kind == 'change' and pd.notna(r.median) else '') + fmt_value(r.median, t_unit, language),
            interval,
            _probability_cell(r, language),
            verdict_badge(r.verdict, language) + _one_point(r, language)])
    head = [T[k] for k in ("indicator", "target", "year", "latest", "forecast", "interval", "probability", "verdict")]
    return html_table(head, rows, "risk")


def _probability_cell(r, language: str = "zh") -> str:
    """The headline probability; a nowcast (target year passed) or base rate (one point) is labelled."""
    base, now = ("基础比率", "推算") if language == "zh" else ("base rate", "nowcast")
    if pd.notna(r.probability):
        txt = probability_text(r.probability, known=r.method == "observed")
        return txt + (f"<br><small>{base}</small>" if r.verdict == "insufficient_data" else "")
    nowcast = getattr(r, "probability_nowcast", None)
    return "–" if nowcast is None or pd.isna(nowcast) else f"<small>{now} {probability_text(nowcast)}</small>"


def _one_point(r, language: str) -> str:
    """A forecast verdict that rests on a single observation says so beside the badge."""
    if r.verdict in ("on_track", "at_risk", "off_track") and r.n_obs == 1:
        return "<br><small>仅1个观测值，无趋势</small>" if language == "zh" else "<br><small>one observation, no trend</small>"
    return ""


def verdict_counts(res: pd.DataFrame) -> dict[str, int]:
    c = res.verdict.value_counts()
    return {v: int(c.get(v, 0)) for v in ORDER}


def counts_html(res: pd.DataFrame, language: str = "zh") -> str:
    parts = [f"{verdict_badge(v, language)} {n}" for v, n in verdict_counts(res).items() if n]
    return f"<p><b>{L[language]['counts']}</b>: " + " &nbsp; ".join(parts) + "</p>"


def plan_header(plan_id: str, ds: Dataset, res: pd.DataFrame, as_of=None, language: str = "zh") -> str:
    p = get_plan(plan_id, ds)
    title = p.name_zh if language == "zh" else (p.name_en or p.name_zh)
    src = ds.sources.get(p.source)
    when = (f"数据截至 {as_of} 年" if language == "zh" else f"data up to {as_of}") if as_of else \
        ("使用全部已有数据" if language == "zh" else "all available data")
    return (f"<h1>{e(title)}</h1><p>{e(ds.regions[p.region].name_zh)} · {p.base_year}–{p.target_year} · "
            f"{e(when)} · {len(p.targets)} {'项目标' if language == 'zh' else 'targets'}</p>"
            + (f"<p><small>{e(src.title)}（{e(src.issuer)}，{e(src.date)}）</small></p>" if src else "")
            + counts_html(res, language))


def _ind_zh(ds: Dataset, ind: str) -> str:
    return ds.indicators[ind].name("zh") if ind in ds.indicators else ind


def _region_zh(ds: Dataset, region: str) -> str:
    return ds.regions[region].name_zh if region in ds.regions else region


# the engine's notes (English, one per "; ") as a Chinese page shows them
NOTES_ZH = [
    (r"only one observation: no trend can be estimated, the level is held flat( \(naive\))?",
     lambda m, ds: "只有一个观测值，无法估计趋势，按最新水平持平外推"),
    (r"only two observations: the trend rests on two points, intervals are wide",
     lambda m, ds: "只有两个观测值，趋势仅由两点确定，区间较宽"),
    (r"zeros or negatives in the series: log-linear model replaced by drift",
     lambda m, ds: "序列含零或负值，对数线性模型改用漂移模型"),
    (r"the series is constant: the point forecast is held at that value", lambda m, ds: "序列没有变化，点预测保持该值"),
    (r"share indicator: forecasts and intervals clipped to 0-100%", lambda m, ds: "比例指标：预测值及区间限定在0–100%"),
    (r"the trend crosses zero: negative forecasts set to 0", lambda m, ds: "趋势穿过零，负的预测值按0计"),
    (r"the ratio forecast from its (\d+) observed years \(numerator and denominator move together\)",
     lambda m, ds: f"按比值本身的{m[1]}个观测年份预测（分子、分母同步调整）"),
    (r"numerator and denominator forecast separately \(independent errors: a cautious spread\)",
     lambda m, ds: "分子、分母分别预测（误差按相互独立处理，区间偏宽、偏谨慎）"),
    (r"final evaluation from the observed values?", lambda m, ds: "依据实际观测值作总结评估"),
    (r"no observations of (\S+) in (\S+?)( up to (\d+))?",
     lambda m, ds: f"{_region_zh(ds, m[2])}{_ind_zh(ds, m[1])}暂无观测数据" + (f"（截至{m[4]}年）" if m[4] else "")),
    (r"only period totals or averages are observed: not a yearly series",
     lambda m, ds: "只有规划期累计数或平均数，不是年度序列"),
    (r"nothing to forecast", lambda m, ds: "无需预测"),
    (r"cannot forecast the ratio of (\S+) to (\S+)",
     lambda m, ds: f"无法预测{_ind_zh(ds, m[1])}与{_ind_zh(ds, m[2])}之比"),
    (r"no observed value in the base year (\d+)", lambda m, ds: f"基年（{m[1]}年）无观测值"),
    # issue 9: structure, verdicts and readings
    (r"only one observation, so no trend can be estimated: the point forecast stays at the last value, and the median "
     r"moves ([+-]\d+)% in (\d+) years because the spread is how one-point series in the reference corpus moved",
     lambda m, ds: f"只有一个观测值，无法估计趋势：点预测保持最新值；预测中位数{m[2]}年内变动{m[1]}%，"
                   "因为区间取自参照数据中单点序列的实际变动"),
    (r"forecasts and intervals kept within (\S+)-(\S+)", lambda m, ds: f"预测值及区间限定在{m[1]}–{m[2]}之间"),
    (r"the series is at its upper bound \((\S+)\): forecast held at the bound",
     lambda m, ds: f"序列已达上限（{m[1]}），预测保持在上限"),
    (r"administered standard, only raised or held: no forecast path falls below the last observed value or from one "
     r"year to the next", lambda m, ds: "保障标准只升不降：各预测路径不低于最新观测值，且逐年不下降"),
    (r"only ever held or lowered: no forecast path rises above the last observed value or from one year to the next",
     lambda m, ds: "该指标只降不升：各预测路径不高于最新观测值，且逐年不上升"),
    (r"the ratio forecast from its one observed year \(two administered standards move together\)",
     lambda m, ds: "按比值本身唯一的观测年份预测（两项保障标准同步调整）"),
    (r"no (\S+) for (\d+): the ratio to the same year's value \((\d+)\) is used, a lower bound because (\S+) is "
     r"never cut", lambda m, ds: f"缺少{m[2]}年{_ind_zh(ds, m[1])}：采用与同年（{m[3]}年）之比；"
                                 f"因{_ind_zh(ds, m[4])}只升不降，该值是与上年度之比的下限"),
    (r"the target year (\d+) has passed \(reference year (\d+)\) and its outcome is not in the data: the probability "
     r"is a nowcast, not a verdict",
     lambda m, ds: f"目标年{m[1]}年已过（参照年{m[2]}年），数据中尚无实际值：概率为推算值，不作判断"),
    (r"one observation: insufficient data to judge a trend, and the probability is a base rate \(how one-point series "
     r"in the reference corpus moved\), not this indicator's trend",
     lambda m, ds: "只有一个观测值，数据不足，无法判断趋势；概率为基础比率（参照数据中单点序列的变动），不是本指标的趋势"),
    (r"function transferred out of civil affairs in the 2018 reform: listed, not scored",
     lambda m, ds: "2018年机构改革后该职能已划出民政：仅列示、不评估"),
    (r"no observations of (\S+): assessed through (\S+), a lower bound",
     lambda m, ds: f"{_ind_zh(ds, m[1])}暂无观测数据：以{_ind_zh(ds, m[2])}评估（为下限）"),
    (r"range: met at (\S+), above (\S+) exceeded", lambda m, ds: f"区间目标：达到{m[1]}即实现，超过{m[2]}为超额完成"),
    (r"tolerance: within (\S+) of (\S+)", lambda m, ds: f"约数目标：与{m[2]}相差不超过{m[1]}即视为实现"),
    (r"proxy: (\S+)", lambda m, ds: f"以{_ind_zh(ds, m[1])}代替评估（为下限）"),
    (r"transferred out of civil affairs \(2018 reform\)", lambda m, ds: "2018年机构改革后已划出民政"),
    (r"duplicate: the same indicator and target as (\S+) \((.+) is stated twice\)",
     lambda m, ds: f"重复目标：与{m[1]}为同一指标、同一目标（{m[2]}出现两次）"),
    (r"conflict: the (table|text) says (.+) for (\d+), the (table|text) \((\S+)\) (.+), both assessed",
     lambda m, ds: f"目标冲突：{m[3]}年{'表格' if m[1] == 'table' else '正文'}为{m[2]}，"
                   f"{'表格' if m[4] == 'table' else '正文'}（{m[5]}）为{m[6]}，两者均评估"),
]


def note_text(note, ds: Dataset, language: str = "zh") -> str:
    """An assessment's note in the page's language; a note with no translation is shown as written."""
    if not note or (isinstance(note, float) and np.isnan(note)):
        return ""
    if language != "zh":
        return str(note)
    parts = []
    for part in str(note).split("; "):
        for pattern, zh in NOTES_ZH:
            m = re.fullmatch(pattern, part)
            if m:
                part = zh(m, ds)
                break
        parts.append(part)
    return "；".join(parts)


def no_data_list(res: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    nd = res[res.verdict == "no_data"]
    if nd.empty:
        return ""
    items = "".join(f"<li>{e(ds.indicators[r.indicator].name(language))} <small>({e(r.target_id)}: "
                    f"{e(note_text(r.note, ds, language))})</small></li>" for r in nd.itertuples())
    return f"<h2>{L[language]['nodata']}（{len(nd)}）</h2><ul>{items}</ul>"


def target_figure(t: Target, ds: Dataset, as_of=None, method: str = "auto", language: str = "zh", ax=None):
    """Fan chart of what the target is judged on: the indicator, or for a ratio target the ratio.

    Growth and "add N" targets show the indicator's level (their target is not a level).
    """
    meta = ds.indicators[t.indicator]
    hist, bands = target_fan(t, ds, as_of=as_of, method=method)
    if t.kind in ("growth", "change"):
        s = ds.series(t.region, t.indicator, as_of)
        fc = None
        if len(s) and meta.aggregation == "stock" and t.target_year > s.index.max():
            fc = forecast(s, until=t.target_year, method=method, kind=meta.kind)
        hist, bands = s, (fc.summary_frame() if fc is not None else None)
    judged = t.kind in ("level", "ratio")
    title = f"{ds.regions[t.region].name_zh} {meta.name(language)}"
    unit = t.unit if t.kind == "ratio" else meta.unit
    if t.kind == "ratio":
        den = ds.indicators[t.denominator].name(language)
        title += f" ÷ {'上年度' if t.denominator_lag and language == 'zh' else ''}{den}"
    return plots.fan_chart(hist, bands, target=t if judged else None,
                           milestones=milestones(t, ds) if t.kind == "level" else None,
                           title=title, unit=unit_label(unit, language), language=language, ax=ax)


def unit_label(unit: str, language: str = "zh") -> str:
    return UNIT_ZH.get(unit, unit) if language == "zh" else unit


def show(fig):
    """Display a figure once and close it, so the inline backend does not show it again."""
    from IPython.display import display
    if fig is not None:
        display(fig)
        plt.close(fig)


MILESTONE_COLUMNS = {"zh": {"year": "年份", "linear": "线性分解", "geometric": "几何分解", "observed": "实际值",
                            "gap_linear": "与线性分解之差"}}
METHOD_COLUMNS = {"zh": {"method": "方法", "median": "预测中位数", "lo80": "80%下限", "hi80": "80%上限",
                         "probability": "实现概率", "verdict": "判断"}}


def milestones_html(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The yearly path to a level target, or a sentence saying why there is none."""
    m = milestones(t, ds)
    if m.empty:
        why = (f"{t.base_year}年（规划基年）无观测值，或该目标是增长率、增量目标，无年度分解。" if language == "zh"
               else f"No observation in the base year {t.base_year}, or a growth or change target: no milestone path.")
        return f"<p>{e(why)}</p>"
    cols = MILESTONE_COLUMNS.get(language, {})

    def gap(v):  # ahead of (+) or behind (−) the linear path; for ratios, percentage points
        return fmt_value(v, t.unit, language) if pd.isna(v) or v <= 0 else "+" + fmt_value(v, t.unit, language)
    rows = [[int(r.year)] + [fmt_value(v, t.unit, language) for v in (r.linear, r.geometric, r.observed)]
            + [gap(r.gap_linear)] for r in m.itertuples()]
    return html_table([cols.get(c, c) for c in m.columns], rows)


def charted(res: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Targets worth a chart: an observed stock series with a forecast or an outcome."""
    ok = res.verdict != "no_data"
    return res[ok & res.indicator.map(lambda i: ds.indicators[i].aggregation == "stock")]


def small_multiples(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh"):
    p = {t.id: t for t in get_plan(plan_id, ds).targets}
    rows = charted(res, ds)
    if rows.empty:
        return None
    n = len(rows)
    cols = 3
    fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(12, 3.2 * ((n + cols - 1) // cols)), squeeze=False)
    for ax, r in zip(axes.flat, rows.itertuples()):
        target_figure(p[r.target_id], ds, as_of, method, language, ax=ax)
        ax.legend().set_visible(False)
        ax.set_title(ax.get_title() + f"\n{plots.verdict_label(r.verdict, language)}", fontsize=9,
                     color=plots.COLORS.get(r.verdict, "black"), parse_math=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


PHRASES = {
    "zh": dict(no_data="<p>{name}：暂无数据，无法判断。</p>",
               observed="<p>{name}：{year}年实际值 {value}，目标{word}。</p>",
               forecast="<p>{name}：按目前趋势，{year}年预测中位数为 {median}（80%区间 {lo}–{hi}），"
                        "实现目标的概率约为 <b>{p}</b>，判断为 {badge}。",
               growth=" 从最新值出发，需年均增长 {req}，历史年均增长 {hist}。",
               classes=" 判断以实现概率为准；以下分类仅供比较（按增长率和点预测计算，可能与判断不同）：",
               eurostat="欧盟统计局分类 {cls}；", unsd="联合国统计司分类 {cls}。", reach=" 预计达标年份：{year}年。",
               pending="<p>{name}：目标年{year}年已过，待实际数据。按{asof}数据推算，{year}年预测中位数为 {median}"
                       "（80%区间 {lo}–{hi}），推算实现概率约为 {p}，判断为 {badge}。",
               base_rate="<p>{name}：只有一个观测值，数据不足，无法判断趋势。{year}年预测中位数为 {median}"
                         "（80%区间 {lo}–{hi}），基础比率（同类单点序列的经验）约为 {p}，判断为 {badge}。",
               transferred="<p>{name}：2018年机构改革后已划出民政，仅列示、不评估。</p>"),
    "en": dict(no_data="<p>{name}: no data, no assessment.</p>",
               observed="<p>{name}: observed {value} in {year}; target {word}.</p>",
               forecast="<p>{name}: on the current trend the {year} median forecast is {median} (80% interval "
                        "{lo}–{hi}); probability of meeting the target <b>{p}</b>: {badge}.",
               growth=" Required yearly growth {req}, historical {hist}.",
               classes=" The verdict rests on the probability; these classes are for comparison only (they use "
                       "growth rates and the point forecast, and may differ): ",
               eurostat="Eurostat class {cls}; ", unsd="UNSD class {cls}.", reach=" Expected to be reached in {year}.",
               pending="<p>{name}: the target year {year} has passed; outcome pending. Nowcast from the data {asof}: "
                       "median {median} (80% interval {lo}–{hi}), nowcast probability {p}: {badge}.",
               base_rate="<p>{name}: one observation, insufficient data to judge a trend. Median for {year} {median} "
                         "(80% interval {lo}–{hi}); base rate (how one-point series moved) {p}: {badge}.",
               transferred="<p>{name}: moved out of civil affairs in the 2018 reform; listed, not scored.</p>"),
}


def _readings_html(r, ds: Dataset, language: str) -> str:
    """The plan file's readings of the target (range, tolerance, proxy, conflict, duplicate)."""
    flags = getattr(r, "flags", None)
    if not isinstance(flags, str) or not flags:
        return ""
    return f"<br><small>{'解读：' if language == 'zh' else 'Reading: '}{e(note_text(flags, ds, language))}</small>"


def plain_words(r: pd.Series, ds: Dataset, language: str = "zh") -> str:
    """The probability and verdict in a sentence an official can read aloud."""
    from types import SimpleNamespace
    r = SimpleNamespace(**dict(r))  # attribute access without clashing with Series methods (median…)
    P = PHRASES[language]
    name = e(ds.indicators[r.indicator].name(language))
    if r.verdict == "no_data":
        return P["no_data"].format(name=name)[:-4] + _readings_html(r, ds, language) + "</p>"
    if r.verdict == "transferred":
        return P["transferred"].format(name=name)
    if r.method == "observed":
        word = plots.verdict_label(r.verdict, language)
        if getattr(r, "exceeded", False) is True:
            word += "（超额完成）" if language == "zh" else " (exceeded)"
        txt = P["observed"].format(name=name, year=int(r.target_year), value=fmt_value(r.latest_value, r.unit, language),
                                   word=word)
        return txt[:-4] + _readings_html(r, ds, language) + "</p>"
    u = _unit_of(r)
    key = {"outcome_pending": "pending", "insufficient_data": "base_rate"}.get(r.verdict, "forecast")
    asof = (f"截至{r.as_of}年" if language == "zh" else f"up to {r.as_of}") if pd.notna(r.as_of) and r.as_of \
        else ("现有" if language == "zh" else "available")
    p = r.probability if key != "pending" else getattr(r, "probability_nowcast", None)
    txt = P[key].format(name=name, year=int(r.target_year), median=fmt_value(r.median, u, language),
                        lo=fmt_value(r.lo80, u, language), hi=fmt_value(r.hi80, u, language), asof=asof,
                        p=probability_text(p), badge=verdict_badge(r.verdict, language))
    if pd.notna(r.required_cagr):
        txt += P["growth"].format(req=_pct(r.required_cagr), hist=_pct(r.historical_cagr))
    zh = language == "zh"
    eu = r.eurostat_class if isinstance(r.eurostat_class, str) else ""
    un = r.unsd_class if isinstance(r.unsd_class, str) else ""
    if eu or un:
        txt += P["classes"]
    if eu:
        txt += P["eurostat"].format(cls=EUROSTAT_ZH.get(r.eurostat_class, r.eurostat_class) if zh else r.eurostat_class)
    if un:
        txt += P["unsd"].format(cls=UNSD_ZH.get(r.unsd_class, r.unsd_class) if zh else r.unsd_class)
    if pd.notna(r.expected_year):
        txt += P["reach"].format(year=int(r.expected_year))
    txt += _readings_html(r, ds, language)
    if r.note:
        txt += f"<br><small>{e(note_text(r.note, ds, language))}</small>"
    return txt + "</p>"


def sources_table(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The observations behind a target, each with its document and verbatim quote."""
    inds = [t.indicator] + ([t.denominator] if t.denominator else [])
    o = ds.observations[(ds.observations.region == t.region) & ds.observations.indicator.isin(inds)]
    T = L[language]
    rows = [[e(ds.indicators[r.indicator].name(language)), r.year, fmt_value(r.value, r.unit, language),
             e(ds.sources[r.source].title if r.source in ds.sources else str(r.source)), e(str(r.quote))]
            for r in o.sort_values(["indicator", "year"]).itertuples()]
    head = [T["indicator"], T["year"] if language == "en" else "年份", T["value"], T["source"], T["quote"]]
    return html_table(head, rows)


def methods_table(t: Target, ds: Dataset, as_of=None, language: str = "en") -> pd.DataFrame:
    """The same target under every method, so an analyst sees how much the choice matters."""
    rows = []
    share = ds.indicators[t.indicator].kind == "share"
    for m in ("auto",) + tuple(x for x in METHODS if share or x != "logistic"):
        r = assess(t, ds, as_of=as_of, method=m)
        p = r.probability if pd.notna(r.probability) else r.get("probability_nowcast")
        rows.append({"method": m if m != "auto" else f"auto ({r.method})", "median": r["median"], "lo80": r.lo80,
                     "hi80": r.hi80, "probability": p,
                     "verdict": plots.verdict_label(r.verdict, language)})
    return pd.DataFrame(rows).set_index("method").rename(columns=METHOD_COLUMNS.get(language, {}))


def methods_html(t: Target, ds: Dataset, as_of=None, language: str = "zh") -> str:
    """methods_table as officials read numbers: in the target's unit, probabilities in %."""
    m = methods_table(t, ds, as_of, language)
    unit = "percent" if t.kind == "growth" else t.unit
    rows = [[e(method)] + [fmt_value(v, unit, language) for v in (median, lo, hi)]
            + [probability_text(p), e(verdict)]
            for method, (median, lo, hi, p, verdict) in zip(m.index, m.itertuples(index=False))]
    return html_table([METHOD_COLUMNS.get(language, {}).get("method", "method")] + list(m.columns), rows)


BACKTEST_COLUMNS = {
    "zh": ["指标", "目标", "当时观测点数", "当时预测中位数", "80%区间", "当时实现概率", "当时判断", "实际值", "实际结果", "区间是否覆盖实际"],
    "en": ["indicator", "target", "points then", "median then", "80% interval", "probability then", "verdict then",
           "actual", "outcome", "interval held actual"],
}


def backtest_table(bt: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """What the tool said as of a past year beside what happened, as an HTML table."""
    yes, no = ("是", "否") if language == "zh" else ("yes", "no")
    rows = []
    for r in bt.itertuples():
        unit = _unit_of(r)
        cells = [f"{e(ds.indicators[r.indicator].name(language))}<br><small>{e(r.target_id)}</small>",
                 goal_text(r, language),
                 str(r.n_obs_then), fmt_value(r.forecast_median, unit, language),
                 "–" if pd.isna(r.lo80) else f"{fmt_value(r.lo80, unit, language)} – {fmt_value(r.hi80, unit, language)}",
                 probability_text(r.probability_then),
                 verdict_badge(r.verdict_then, language), fmt_value(r.actual, ds.indicators[r.indicator].unit, language),
                 verdict_badge(r.verdict_actual, language),
                 "–" if r.inside80 is None or pd.isna(r.inside80) else (yes if r.inside80 else no)]
        rows.append(cells)
    return html_table(BACKTEST_COLUMNS[language], rows, "risk")


def summary_records(res: pd.DataFrame) -> list[dict]:
    return json.loads(res.to_json(orient="records", force_ascii=False))


def record_summary(res: pd.DataFrame):
    """Put the assessment into the executed notebook as an output, for the batch index to read."""
    from IPython.display import display
    # text/html is empty so the page shows nothing; text/plain helps in JupyterLab
    display({SUMMARY_MIME: summary_records(res), "text/html": "",
             "text/plain": f"<{len(res)} assessed targets recorded>"}, raw=True)
