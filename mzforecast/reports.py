"""What the report notebooks show. The notebooks only call these, so the logic is tested here.

Every string that comes from a data file is HTML-escaped before it reaches a page. Every
number goes through `fmt`; every chart is drawn by `plots` and inlined as a PNG with alt text.
Anchors inside pages are generated (`t1`, `t2`…), never taken from data.
"""
from __future__ import annotations

import html
import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from . import fmt, growth
from . import plots
from . import units as U
from .attainment import EUROSTAT_ZH, UNSD_ZH, VERDICT_ZH, _history, assess, cagr, milestones, target_fan
from .data import Dataset
from .models import METHODS, forecast
from .safe import html_text
from .targets import Target, get_plan

SUMMARY_MIME = "application/vnd.mzforecast.summary+json"
# most urgent first; the grey statuses (no forecast judgement) last
ORDER = ["off_track", "not_achieved", "at_risk", "on_track", "achieved", "insufficient_data", "outcome_pending",
         "transferred", "no_data"]
LISTED_ONLY = ("no_data", "transferred")  # shown once, in the compact list, not in the status table
L = {
    "zh": dict(indicator="指标", target="目标", year="目标年", latest="最新值", forecast="预测中位数",
               interval="80%区间", probability="实现概率", verdict="判断", counts="各类判断数量",
               nodata="无数据或不再评估的目标", method="方法", required="所需年均增速", historical="历史年均增速",
               binding="约束性", expected="预期性", source="来源", quote="原文", value="数值", unit="单位",
               eurostat="欧盟统计局分类", unsd="联合国统计司分类", reach="预计达标年份", type="属性",
               detail="详情", section="图表", deep="专题页", total="合计", obs_year="年份", status="状态",
               data_to="数据截至 {y} 年", as_of="按截至 {y} 年的数据", all_data="使用全部已有数据",
               targets="项目标", related="相关页面", backtest="{y}年回测", evaluation="实施情况评估", top="↑ 返回概览",
               sections="各目标详情", overview="目标状态一览"),
    "en": dict(indicator="indicator", target="target", year="target year", latest="latest", forecast="forecast median",
               interval="80% interval", probability="probability", verdict="verdict", counts="targets by verdict",
               nodata="targets with no data or no longer assessed", method="method", required="required yearly growth",
               historical="historical yearly growth", binding="binding", expected="expected", source="source",
               quote="quote", value="value", unit="unit", eurostat="Eurostat class", unsd="UNSD class",
               reach="expected year reached", type="type", detail="detail", section="chart", deep="in depth",
               total="total", obs_year="year", status="status", data_to="data up to {y}",
               as_of="with data up to {y}", all_data="all available data", targets="targets",
               related="related pages", backtest="backtest as of {y}", evaluation="evaluation", top="↑ back to overview",
               sections="targets in detail", overview="status of every target"),
}
METHOD_NAMES = {"zh": {"naive": "朴素", "drift": "漂移", "linear": "线性", "loglinear": "对数线性", "damped": "阻尼趋势",
                       "theta": "Theta法", "logistic": "逻辑斯蒂", "comb": "组合", "observed": "实际观测", "auto": "自动"},
                "en": {"loglinear": "log-linear", "damped": "damped trend", "comb": "combination", "auto": "auto"}}
e = html_text  # every string from a file goes through mzforecast.safe
COMPARATOR_SIGN = {">=": "≥", "<=": "≤", "==": "=", ">": "&gt;", "<": "&lt;"}
UNIT_ZH = fmt.UNIT_ZH


def method_name(m, language: str = "zh") -> str:
    if not isinstance(m, str) or not m:
        return ""
    return METHOD_NAMES.get(language, {}).get(m, m)


def html_table(head, rows, cls: str | None = None) -> str:
    """An HTML table from header labels (escaped here) and rows of ready cell HTML."""
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def fmt_value(v, unit: str = "", language: str = "zh") -> str:
    """A value in its unit, as fmt.number writes it (kept for callers of the old name)."""
    return fmt.number(v, unit, language)


def _text(x) -> str:
    """A text field that may come back as None or NaN (JSON, pandas): '' then."""
    return x if isinstance(x, str) else ""


def _unit_of(row, ds=None):
    """The unit a target's values (goal, forecast, interval) are in: growth targets are rates."""
    return "percent" if row.kind == "growth" else row.unit


def _level_unit(row, ds: Dataset) -> str:
    """The unit of the indicator's own values (a growth or ratio target's latest level)."""
    if row.kind in ("growth", "change") and row.indicator in ds.indicators:
        return ds.indicators[row.indicator].unit
    return row.unit


def goal_text(row, language: str = "zh") -> str:
    """A target as planners write it: ≥ 75.0%, 35–40, 年均增长 ≥ 10.0%, 新增 ≥ 30."""
    u = _unit_of(row)
    high = getattr(row, "target_value_high", None)
    tol = _tolerance_of(row)
    if row.comparator == "between":
        goal = fmt.interval(row.target_value, row.target_value_high, u, language, sep="–", exact=True)
    elif row.comparator in (">=", ">") and not fmt.missing(high):  # "达到 a–b": met at a, unit once
        goal = fmt.interval(row.target_value, high, u, language, sep="–", exact=True)
        goal = f"达到 {goal}" if language == "zh" else \
            f"{goal} (met at {fmt.number(row.target_value, u, language, with_unit=False, exact=True)})"
    elif tol is not None:  # "9,000个左右（±450个）": met within the tolerance
        v = fmt.number(row.target_value, u, language, exact=True)
        if u == "percent":
            d = fmt.number(tol, "", language, exact=True) + ("个百分点" if language == "zh" else " pp")
        else:
            d = fmt.number(tol, u, language, exact=True)
        goal = f"{v}左右（±{d}）" if language == "zh" else f"about {v} (±{d})"
    else:
        goal = (f"{COMPARATOR_SIGN.get(row.comparator, e(row.comparator))} "
                f"{fmt.number(row.target_value, u, language, exact=True)}")
    prefix = {("growth", "zh"): "年均增长 ", ("growth", "en"): "yearly growth ",
              ("change", "zh"): "新增 ", ("change", "en"): "add "}.get((row.kind, language), "")
    return prefix + goal


def _tolerance_of(row):
    """A '左右/约' target's tolerance: the row's own field, else its reading in `flags`."""
    get = row.get if isinstance(row, pd.Series) else (lambda k: getattr(row, k, None))  # Series.flags is pandas'
    tol = get("tolerance")
    if not fmt.missing(tol):
        return float(tol)
    m = re.search(r"tolerance: within ([0-9.eE+-]+) of", _text(get("flags")))
    return float(m[1]) if m else None


def verdict_badge(v: str, language: str = "zh") -> str:
    return (f'<span class="badge" style="background:{plots.COLORS.get(v, "#ccc")}">'
            f"{e(plots.verdict_label(v, language))}</span>")


def _binding(df: pd.DataFrame) -> pd.Series:
    b = df["binding"] if "binding" in df else pd.Series(False, index=df.index)
    return b.fillna(False).astype(bool)


def anchors(res: pd.DataFrame) -> dict[str, str]:
    """Section ids by target: generated from the position, never from data strings."""
    return {tid: f"t{i + 1}" for i, tid in enumerate(res.target_id)}


def _floor(r, ds: Dataset):
    """An addition is not shown below 0 unless the indicator's data have ever fallen."""
    if getattr(r, "kind", None) != "change":
        return None
    region = getattr(r, "region", None)
    if not isinstance(region, str):
        try:
            region = next(t.region for t in get_plan(r.plan, ds).targets if t.id == r.target_id)
        except Exception:
            return None
    as_of = getattr(r, "as_of", None)
    s = ds.series(region, r.indicator, None if fmt.missing(as_of) else int(as_of))
    return 0.0 if len(s) < 2 or bool((s.diff().dropna() >= 0).all()) else None


def _interval(r, ds: Dataset, language: str, lo="lo80", hi="hi80") -> str:
    a, b = getattr(r, lo), getattr(r, hi)
    f = _floor(r, ds)
    if f is not None and not fmt.missing(a):
        a, b = max(a, f), max(b, f)
    return fmt.interval(a, b, _unit_of(r), language)


def _name(ds: Dataset, ind: str, language: str) -> str:
    return ds.indicators[ind].name(language) if ind in ds.indicators else ind


def risk_table(res: pd.DataFrame, ds: Dataset, language: str = "zh", links: dict | None = None) -> str:
    """Every assessed target, most urgent first, with its status; no-data targets are left to
    `no_data_list`. Rows link to their section (`#t3`) and to a deep-dive page if one exists."""
    T = L[language]
    links = links or {}
    ids = anchors(res)
    df = res[~res.verdict.isin(LISTED_ONLY)].copy()
    df["_o"] = df.verdict.map({v: i for i, v in enumerate(ORDER)}).fillna(len(ORDER))
    df["_b"] = ~_binding(df)
    df = df.sort_values(["_o", "_b", "probability"], na_position="last")
    rows = []
    added = "新增 " if language == "zh" else "added "
    targets = _plan_targets(df, ds)
    for r in df.itertuples():
        name = e(_row_name(r, ds, language, targets))
        latest = fmt.number(r.latest_value, _level_unit(r, ds), language) + (
            "" if pd.isna(r.latest_year) else f" <small>({int(r.latest_year)})</small>")
        detail = f'<a href="#{ids[r.target_id]}">{e(T["section"])}</a>'
        if r.target_id in links:
            detail += f' · <a href="{e(links[r.target_id])}">{e(T["deep"])}</a>'
        rows.append([
            f'<a href="#{ids[r.target_id]}">{name}</a>', goal_text(r, language), int(r.target_year),
            T["binding"] if getattr(r, "binding", False) is True else T["expected"], latest,
            (added if r.kind == "change" and pd.notna(r.median) else "") + fmt.number(r.median, _unit_of(r), language),
            _interval(r, ds, language),
            _probability_cell(r, language),
            verdict_badge(r.verdict, language) + _exceeded(r, language) + _one_point(r, language), detail])
    head = [T[k] for k in ("indicator", "target", "year", "type", "latest", "forecast", "interval", "probability",
                           "verdict", "detail")]
    return html_table(head, rows, "risk")


def _exceeded(r, language: str) -> str:
    """超额: above the top of a 'reach a–b' range (the `exceeded` field, where the engine gives it)."""
    return (" <small>超额</small>" if language == "zh" else " <small>exceeded</small>") \
        if getattr(r, "exceeded", None) is True else ""


def _probability_cell(r, language: str = "zh") -> str:
    """The headline probability; none for an outcome; a nowcast (target year passed) or a base
    rate (one point) is labelled as such."""
    if r.method == "observed":
        return fmt.DASH  # an outcome, not a chance
    base, now = ("基础比率", "推算") if language == "zh" else ("base rate", "nowcast")
    if not fmt.missing(r.probability):
        return fmt.probability(r.probability) + (f"<br><small>{base}</small>" if r.verdict == "insufficient_data" else "")
    nowcast = getattr(r, "probability_nowcast", None)
    return fmt.DASH if fmt.missing(nowcast) else f"<small>{now} {fmt.probability(nowcast)}</small>"


def _one_point(r, language: str) -> str:
    """A forecast verdict that rests on a single observation says so beside the badge."""
    if r.verdict in ("on_track", "at_risk", "off_track") and r.n_obs == 1:
        return "<br><small>仅1个观测值，无趋势</small>" if language == "zh" else "<br><small>one observation, no trend</small>"
    return ""


def verdict_counts(res: pd.DataFrame) -> dict[str, int]:
    c = res.verdict.value_counts()
    return {v: int(c.get(v, 0)) for v in ORDER}


def counts_html(res: pd.DataFrame, language: str = "zh") -> str:
    """Targets by status, split by 约束性 / 预期性, statuses with no target left out."""
    T = L[language]
    shown = [v for v, n in verdict_counts(res).items() if n]
    binding = _binding(res)
    rows = []
    for label, part in ((T["binding"], res[binding]), (T["expected"], res[~binding]), (T["total"], res)):
        c = verdict_counts(part)
        rows.append([f"<b>{e(label)}</b>"] + [str(c[v]) if c[v] else "" for v in shown] + [str(len(part))])
    th = "".join(f"<th>{verdict_badge(v, language)}</th>" for v in shown)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<table class="counts"><thead><tr><th>{e(T["counts"])}</th>{th}<th>{e(T["total"])}</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def data_year(res: pd.DataFrame, as_of=None):
    """The last year the data behind an assessment run to."""
    y = pd.to_numeric(res.latest_year, errors="coerce").dropna() if "latest_year" in res else pd.Series([], dtype=float)
    if as_of:
        y = y[y <= int(as_of)]
        return int(as_of) if y.empty else int(y.max())
    return None if y.empty else int(y.max())


def related_pages(plan_id: str) -> dict:
    """Pages the bundled params make for this plan: {'deep': {target_id: html}, 'backtest': [(as_of, html)]}.

    Links to pages a run did not make are removed by `drop_dead_links` when the run finishes.
    """
    from .runner import load_params, params_dir
    out = {"deep": {}, "backtest": [], "evaluation": []}
    for f in sorted(params_dir().glob("*.yaml")):
        try:
            p = load_params(f)
        except Exception:
            continue
        if p.get("plan") != plan_id:
            continue
        if p.get("notebook") == "indicator_report" and p.get("target_id"):
            out["deep"][p["target_id"]] = f"{f.stem}.html"
        elif p.get("notebook") == "backtest":
            out["backtest"].append((p.get("as_of"), f"{f.stem}.html"))
        elif p.get("notebook") == "evaluation":
            out["evaluation"].append(f"{f.stem}.html")
    return out


def drop_dead_links(page: str, exists) -> str:
    """Unlink <a href="x.html"> whose page a run did not make (exists(name) -> bool)."""
    def fix(m):
        return m.group(0) if exists(m.group(1)) else m.group(2)
    return re.sub(r'<a href="([^"#:/]+\.html)">(.*?)</a>', fix, page)


def plan_header(plan_id: str, ds: Dataset, res: pd.DataFrame, as_of=None, language: str = "zh",
                related: dict | None = None) -> str:
    T = L[language]
    p = get_plan(plan_id, ds)
    title = p.name_zh if language == "zh" else (p.name_en or p.name_zh)
    region = ds.regions[p.region]
    rname = region.name_zh if language == "zh" else (region.name_en or region.name_zh)
    src = ds.sources.get(p.source)
    y = data_year(res, as_of)
    when = (T["as_of"] if as_of else T["data_to"]).format(y=y) if y else T["all_data"]
    links = ""
    pages = ([(T["evaluation"], h) for h in (related or {}).get("evaluation", [])]
             + [(T["backtest"].format(y=a), h) for a, h in (related or {}).get("backtest", [])])
    if pages:  # the plan's 实施情况评估 and backtests, one click from its dashboard
        links = f"<p>{e(T['related'])}{'：' if language == 'zh' else ': '}" + " · ".join(
            f'<a href="{e(h)}">{e(label)}</a>' for label, h in pages) + "</p>"
    return (f"<h1>{e(title)}</h1><p>{e(rname)} · {p.base_year}–{p.target_year} · "
            f"<b>{e(when)}</b> · {len(p.targets)} {T['targets']}</p>"
            + (f'<p><small lang="zh">{e(src.title)}（{e(src.issuer)}，{e(src.date)}）</small></p>' if src else "")
            + links + counts_html(res, language))


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
    (re.escape(growth.SPREAD_NOTE["en"]), lambda m, ds: growth.SPREAD_NOTE["zh"]),
    (r"growth model: yearly growth (-?[\d.]+)% \(long-run (-?[\d.]+)%\), spread ([\d.]+) points a year from the series' own "
     r"growth history", lambda m, ds: f"增长模型：年增长{m[1]}%（长期{m[2]}%），年增长波动{m[3]}个百分点，依据本指标历年增长"),
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
     lambda m, ds: "重复目标：与另一条目标为同一指标、同一目标（规划中出现两次）"),
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


def no_data_reason(r, ds: Dataset, language: str = "zh") -> str:
    """Why a target has no assessment, in a few words (not the indicator's name again)."""
    if r.verdict == "transferred":
        return "2018年机构改革后划出民政" if language == "zh" else "moved out of civil affairs in the 2018 reform"
    note = _text(r.note)
    if not note or note.startswith("no observations of"):
        return "暂无观测数据" if language == "zh" else "no observations"
    return note_text(note, ds, language)


def no_data_list(res: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """Targets with nothing to assess, once, compactly: name (reason) · name (reason)."""
    nd = res[res.verdict.isin(LISTED_ONLY)]
    if nd.empty:
        return ""
    lp, rp = ("（", "）") if language == "zh" else (" (", ")")
    items = "".join(f"<li>{e(_name(ds, r.indicator, language))}{lp}{goal_text(r, language)}{rp}"
                    f" <small>{e(no_data_reason(r, ds, language))}</small></li>" for r in nd.itertuples())
    return f'<h2>{e(L[language]["nodata"])}{lp}{len(nd)}{rp}</h2><ul class="compact">{items}</ul>'


def target_name(t: Target, ds: Dataset, language: str = "zh") -> str:
    """What the target measures: the indicator, or for a ratio target '…与上年度城市低保标准之比',
    so '≥ 1.5倍' beside it says 1.5 times what."""
    name = _name(ds, t.indicator, language)
    if t.kind == "ratio" and t.denominator in ds.indicators:
        den = ds.indicators[t.denominator].name(language)
        if language == "zh":
            return f"{name}与{'上年度' if t.denominator_lag else ''}{den}之比"
        return f"{name} ÷ {'previous-year ' if t.denominator_lag else ''}{den}"
    return name


def _row_name(r, ds: Dataset, language: str, targets: dict) -> str:
    t = targets.get(r.target_id)
    return target_name(t, ds, language) if t is not None else _name(ds, r.indicator, language)


def _plan_targets(res: pd.DataFrame, ds: Dataset) -> dict:
    """{target_id: Target} of the plan(s) behind an assessment frame; {} when not bundled."""
    out = {}
    for plan in (res["plan"].dropna().unique() if "plan" in res else []):
        try:
            out.update({t.id: t for t in get_plan(plan, ds).targets})
        except Exception:  # a hand-made frame or an unbundled plan: indicator names then
            pass
    return out


def _title(t: Target, ds: Dataset, language: str) -> str:
    region = ds.regions[t.region]
    rname = region.name_zh if language == "zh" else (region.name_en or region.name_zh)
    name = target_name(t, ds, language)
    if t.kind == "ratio":
        pass
    elif t.kind == "growth":
        name += "（水平与目标增速路径）" if language == "zh" else " (level and required growth path)"
    elif t.kind == "change":
        name += f"：{t.base_year}年以来累计新增" if language == "zh" else f": change since {t.base_year}"
    return f"{rname} {name}"


def target_figure(t: Target, ds: Dataset, as_of=None, method: str = "auto", language: str = "zh", ax=None,
                  actual: bool = False):
    """The chart of what a target is judged on, with its target drawn; None if there are fewer
    than two observations (a card says what there is instead).

    level/share: the indicator with the target line and milestone path; ratio: the ratio with
    its target; growth: the level against the path the required yearly rate gives from the base
    year; change (新增): the cumulative change since the base year with its target.
    `actual`: also plot what was observed after `as_of` (backtests).
    """
    meta = ds.indicators[t.indicator]
    s = ds.series(t.region, t.indicator, as_of)
    T = plots.TEXT[language]
    title = _title(t, ds, language)
    later = None
    if t.kind in ("level", "ratio"):
        hist, bands = target_fan(t, ds, as_of=as_of, method=method)
        if len(hist) < 2:
            return None
        unit = t.unit
        if actual and as_of:
            full = _history(t, ds)[1]
            later = full[full.index > as_of]
        return plots.fan_chart(hist, bands, target=t, milestones=milestones(t, ds) if t.kind == "level" else None,
                               title=title, unit=unit, language=language, ax=ax, actual=later)
    if len(s) < 2:
        return None
    fc = None
    if meta.aggregation == "stock" and t.target_year > s.index.max():
        try:
            fc = forecast(s, until=t.target_year, method=method, kind=meta.kind)
        except Exception:
            fc = None
    bands = fc.summary_frame()[["median", "lo80", "hi80", "lo95", "hi95"]] if fc is not None else None
    full = ds.series(t.region, t.indicator)
    if t.kind == "growth":
        B = t.base_year if t.base_year in s.index else int(s.index.min())
        years = np.arange(B, t.target_year + 1)
        path = pd.Series(float(s.loc[B]) * (1 + t.value / 100) ** (years - B), index=years)
        word = goal_text(SimpleNamespace(kind="growth", comparator=t.comparator, target_value=t.value,
                                         target_value_high=t.value_high, unit="percent"), language)
        if actual and as_of:
            later = full[full.index > as_of]
        return plots.fan_chart(s, bands, path=path, path_label=f"{T['target']}：{word}" if language == "zh"
                               else f"{T['target']}: {word}", title=title, unit=meta.unit, language=language,
                               ax=ax, actual=later)
    # change: everything relative to the base year
    if t.base_year not in s.index:
        return None
    b = float(s.loc[t.base_year])
    hist = s[s.index >= t.base_year] - b
    if len(hist) < 2 and bands is None:
        return None
    never_fell = bool((s.diff().dropna() >= 0).all())
    if actual and as_of:
        later = full[full.index > as_of] - b
    lines = [(t.value, f"{T['target']} {('新增 ' if language == 'zh' else 'add ')}"
              f"{fmt.number(t.value, meta.unit, language, exact=True)}")]
    if t.comparator == "between" and t.value_high is not None:
        lines.append((t.value_high, None))
    return plots.fan_chart(hist, None if bands is None else bands - b, targets=lines, title=title, unit=meta.unit,
                           language=language, ax=ax, actual=later, floor=0.0 if never_fell else None)


def unit_label(unit: str, language: str = "zh") -> str:
    return fmt.unit_text(unit, language)


def alt_text(t: Target, ds: Dataset, language: str = "zh") -> str:
    goal = goal_text(SimpleNamespace(kind=t.kind, comparator=t.comparator, target_value=t.value,
                                     target_value_high=t.value_high, unit=t.unit), language)
    goal = html.unescape(goal)
    if language == "zh":
        return f"{_title(t, ds, language)}：历史值、预测区间与目标（{goal}）"
    return f"{_title(t, ds, language)}: observed values, forecast intervals and the target ({goal})"


def card_html(t: Target, ds: Dataset, r, language: str = "zh", as_of=None, actual: bool = False) -> str:
    """A compact card for a target with 0 or 1 observations: what there is, no empty axis.
    `actual` (a backtest): also the value observed later, by the target year, beside the one then."""
    s = ds.series(t.region, t.indicator, as_of)
    goal = goal_text(SimpleNamespace(kind=t.kind, comparator=t.comparator, target_value=t.value,
                                     target_value_high=t.value_high, unit=t.unit), language)
    unit = ds.indicators[t.indicator].unit
    if len(s):
        y = int(s.index.max())
        seen = (f"{y}年：{fmt.number(s.iloc[-1], unit, language)}" if language == "zh"
                else f"{y}: {fmt.number(s.iloc[-1], unit, language)}")
    else:
        seen = "暂无观测数据" if language == "zh" else "no observations"
    why = ("仅有一个观测值，画不出趋势" if language == "zh" else "one observation: no trend to draw") if len(s) == 1 \
        else ("没有可画的序列" if language == "zh" else "no series to draw")
    badge = verdict_badge(r["verdict"], language) if r is not None else ""
    later = ""
    if actual and as_of is not None:
        full = ds.series(t.region, t.indicator)
        full = full[(full.index > int(as_of)) & (full.index <= t.target_year)]
        if len(full):
            y = int(full.index.max())
            later = "<br>" + e(f"实际：{y}年 {fmt.number(full.iloc[-1], unit, language)}" if language == "zh"
                               else f"observed later: {fmt.number(full.iloc[-1], unit, language)} in {y}")
    return (f'<div class="card"><b>{e(_title(t, ds, language))}</b><br>{e(seen)} · '
            f'{e(L[language]["target"])} {goal} {badge}{later}<br><small>{e(why)}</small></div>')


def chart_html(t: Target, ds: Dataset, r=None, as_of=None, method: str = "auto", language: str = "zh",
               actual: bool = False) -> str:
    """The target's chart as an <img> with alt text, or a compact card when there is no series."""
    fig = target_figure(t, ds, as_of, method, language, actual=actual)
    if fig is None:
        return card_html(t, ds, r, language, as_of, actual=actual)
    return plots.img_html(fig, alt_text(t, ds, language))


def show(fig, alt: str | None = None):
    """Display a figure as an inlined PNG with alt text (default: its chart titles), under any MPLBACKEND."""
    from IPython.display import HTML, display
    if fig is not None:
        alt = alt or " · ".join(t for t in (ax.get_title() for ax in fig.axes) if t) or "chart"
        display(HTML(plots.img_html(fig, alt)))


MILESTONE_COLUMNS = {"zh": {"year": "年份", "linear": "线性分解", "geometric": "几何分解", "observed": "实际值",
                            "gap_linear": "与线性分解之差"},
                     "en": {"year": "year", "linear": "linear path", "geometric": "geometric path",
                            "observed": "observed", "gap_linear": "gap to linear path"}}
METHOD_COLUMNS = {"zh": {"method": "方法", "median": "预测中位数", "lo80": "80%下限", "hi80": "80%上限",
                         "probability": "实现概率", "verdict": "判断"}}
METHOD_HEAD_EN = ["method", "forecast median", "80% low", "80% high", "probability", "verdict"]


def milestones_html(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The yearly path to a level target, or a sentence saying why there is none."""
    m = milestones(t, ds)
    if m.empty:
        why = (f"{t.base_year}年（规划基年）无观测值，或该目标是增长率、增量目标，无年度分解。" if language == "zh"
               else f"No observation in the base year {t.base_year}, or a growth or change target: no milestone path.")
        return f"<p>{e(why)}</p>"
    cols = MILESTONE_COLUMNS.get(language, {})

    def gap(v):  # ahead of (+) or behind (−) the linear path; for ratios, percentage points
        return fmt.number(v, t.unit, language) if pd.isna(v) or v <= 0 else "+" + fmt.number(v, t.unit, language)
    rows = [[int(r.year)] + [fmt.number(v, t.unit, language) for v in (r.linear, r.geometric, r.observed)]
            + [gap(r.gap_linear)] for r in m.itertuples()]
    return html_table([cols.get(c, c) for c in m.columns], rows)


def charted(res: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Targets that get a section on the dashboard: every one with a status to show."""
    return res[~res.verdict.isin(LISTED_ONLY)]


def small_multiples(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh"):
    """One small chart per target with a series, coloured by status (for an overview)."""
    p = {t.id: t for t in get_plan(plan_id, ds).targets}
    rows = [r for r in charted(res, ds).itertuples() if len(ds.series(p[r.target_id].region, r.indicator, as_of)) >= 2]
    if not rows:
        return None
    n, cols = len(rows), 3
    fig = plots.new_figure(figsize=(12, 3.2 * ((n + cols - 1) // cols)))
    axes = fig.subplots((n + cols - 1) // cols, cols, squeeze=False)
    for ax, r in zip(axes.flat, rows):
        if target_figure(p[r.target_id], ds, as_of, method, language, ax=ax) is None:
            ax.set_visible(False)
            continue
        ax.legend().set_visible(False)
        with plots.chart_style():
            ax.set_title(ax.get_title() + f"\n{plots.verdict_label(r.verdict, language)}", fontsize=9,
                         color=plots.COLORS.get(r.verdict, "black"), parse_math=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    with plots.chart_style():
        fig.tight_layout()
    return fig


PHRASES = {
    "zh": dict(no_data="<p>{name}：暂无数据，无法判断。</p>",
               observed="<p>{name}：{year}年实际值 {value}，目标{goal}，{badge}。",
               forecast="<p>{name}：按目前趋势，{year}年预测中位数为 {median}（80%区间 {interval}），"
                        "实现目标（{goal}）的概率约为 <b>{p}</b>，判断为 {badge}。",
               grey="<p>{name}：目标{goal}，{badge}。",
               growth=" 从最新值出发，需年均增长 {req}，历史年均增长 {hist}。", required=" 从最新值出发，需年均增长 {req}。",
               met_already=" 最新值已达到目标水平，保持即可实现。",
               eurostat=" 欧盟统计局分类：{cls}；", unsd=" 联合国统计司分类：{cls}。", reach=" 预计达标年份：{year}年。",
               method=" 预测方法：{m}。",
               classes=" 判断以实现概率为准；以下分类仅供比较（按增长率和点预测计算，可能与判断不同）：",
               classes_observed=" 判断依据实际值；以下分类仅供比较（按增长率计算）：",
               pending="<p>{name}：目标年{year}年已过，待实际数据。按{asof}数据推算，{year}年预测中位数为 {median}"
                       "（80%区间 {interval}），推算实现概率约为 {p}，判断为 {badge}。",
               base_rate="<p>{name}：只有一个观测值，数据不足，无法判断趋势。{year}年预测中位数为 {median}"
                         "（80%区间 {interval}），基础比率（同类单点序列的经验）约为 {p}，判断为 {badge}。",
               transferred="<p>{name}：2018年机构改革后已划出民政，仅列示、不评估。</p>"),
    "en": dict(no_data="<p>{name}: no data, no assessment.</p>",
               observed="<p>{name}: observed {value} in {year}; target {goal}: {badge}.",
               forecast="<p>{name}: on the current trend the {year} median forecast is {median} (80% interval "
                        "{interval}); probability of meeting the target ({goal}) <b>{p}</b>: {badge}.",
               grey="<p>{name}: target {goal}: {badge}.",
               growth=" Required yearly growth {req}, historical {hist}.", required=" Required yearly growth {req}.",
               met_already=" The latest value already meets the target; holding it is enough.",
               eurostat=" Eurostat class: {cls};", unsd=" UNSD class: {cls}.", reach=" Expected to be reached in {year}.",
               method=" Method: {m}.",
               classes=" The verdict rests on the probability; these classes are for comparison only (they use "
                       "growth rates and the point forecast, and may differ): ",
               classes_observed=" The verdict rests on the observed value; these classes are for comparison only: ",
               pending="<p>{name}: the target year {year} has passed; outcome pending. Nowcast from the data {asof}: "
                       "median {median} (80% interval {interval}), nowcast probability {p}: {badge}.",
               base_rate="<p>{name}: one observation, insufficient data to judge a trend. Median for {year} {median} "
                         "(80% interval {interval}); base rate (how one-point series moved) {p}: {badge}.",
               transferred="<p>{name}: moved out of civil affairs in the 2018 reform; listed, not scored.</p>"),
}


def _tolerance_zh(r, m) -> str:
    """'约数目标：与9,000个相差不超过450个…' in the target's unit (a rate: 个百分点), not bare '9000'."""
    try:
        tol, goal = float(m[1]), float(m[2])
    except ValueError:
        return m[0]
    u = _unit_of(r) if getattr(r, "kind", None) else (getattr(r, "unit", "") or "")
    if u == "percent":
        return (f"约数目标：与{fmt.number(goal, 'percent', 'zh', exact=True)}相差不超过"
                f"{fmt.number(tol, '', 'zh', exact=True)}个百分点即视为实现")
    return (f"约数目标：与{fmt.number(goal, u, 'zh', exact=True)}相差不超过"
            f"{fmt.number(tol, u, 'zh', exact=True)}即视为实现")


def _range_zh(r, m) -> str:
    """'区间目标：达到35张/千名老人即实现，超过40张/千名老人为超额完成', in the target's unit."""
    try:
        a, b = float(m[1]), float(m[2])
    except ValueError:
        return m[0]
    u = _unit_of(r) if getattr(r, "kind", None) else (getattr(r, "unit", "") or "")
    return (f"区间目标：达到{fmt.number(a, u, 'zh', exact=True)}即实现，"
            f"超过{fmt.number(b, u, 'zh', exact=True)}为超额完成")


def _readings_html(r, ds: Dataset, language: str) -> str:
    """The plan file's readings of the target (range, tolerance, proxy, conflict, duplicate)."""
    flags = getattr(r, "flags", None)
    if not isinstance(flags, str) or not flags:
        return ""
    if language == "zh":
        flags = re.sub(r"tolerance: within (\S+) of ([^;\s]+)", lambda m: _tolerance_zh(r, m), flags)
        flags = re.sub(r"range: met at ([^,;\s]+), above ([^;\s]+) exceeded", lambda m: _range_zh(r, m), flags)
    return f"<br><small>{'解读：' if language == 'zh' else 'Reading: '}{e(note_text(flags, ds, language))}</small>"


LIVE_VERDICTS = ("on_track", "at_risk", "off_track")


def expected_year(r):
    """The expected year of attainment, only where it means something: a live forecast verdict
    (one observation has no trend; a pending outcome's year is past) and a year after the
    latest data year. None otherwise."""
    get = r.get if isinstance(r, (dict, pd.Series)) else (lambda k: getattr(r, k, None))
    y, latest = get("expected_year"), get("latest_year")
    if fmt.missing(y) or get("verdict") not in LIVE_VERDICTS:
        return None
    if not fmt.missing(latest) and int(y) <= int(latest):
        return None
    return int(y)


def _latest_meets(r) -> bool:
    """Does the latest value (in the target's terms) already meet a level or ratio target? Then
    a 'required growth' (often negative) says less than that plain fact."""
    if getattr(r, "kind", None) not in ("level", "ratio") or fmt.missing(getattr(r, "latest_value", None)):
        return False
    v, goal, c = float(r.latest_value), r.target_value, r.comparator
    if fmt.missing(goal):
        return False
    return {">=": v >= goal, ">": v > goal, "<=": v <= goal, "<": v < goal}.get(c, False)


def plain_words(r: pd.Series, ds: Dataset, language: str = "zh") -> str:
    """The probability and verdict in a sentence an official can read aloud."""
    r = SimpleNamespace(**dict(r))  # attribute access without clashing with Series methods (median…)
    P = PHRASES[language]
    name = e(_name(ds, r.indicator, language))
    if getattr(r, "kind", None) == "ratio" and isinstance(getattr(r, "plan", None), str):  # 1.5倍 of what
        name = e(_row_name(r, ds, language, _plan_targets(pd.DataFrame([{"plan": r.plan}]), ds)))
    goal = goal_text(r, language)
    badge = verdict_badge(r.verdict, language)
    if r.verdict == "no_data":
        return P["no_data"].format(name=name)[:-4] + _readings_html(r, ds, language) + "</p>"
    if r.verdict == "transferred":
        return P["transferred"].format(name=name)
    if r.method == "observed":
        if getattr(r, "exceeded", False) is True:
            badge += "（超额完成）" if language == "zh" else " (exceeded)"
        txt = P["observed"].format(name=name, year=int(r.target_year), goal=goal, badge=badge,
                                   value=_actual_text(r, ds, language, r.latest_value, html_break=False))
    elif fmt.missing(r.median):
        txt = P["grey"].format(name=name, goal=goal, badge=badge)
    else:
        u = _unit_of(r)
        med = ("新增 " if language == "zh" else "added ") * (r.kind == "change") + fmt.number(r.median, u, language)
        key = {"outcome_pending": "pending", "insufficient_data": "base_rate"}.get(r.verdict, "forecast")
        asof = (f"截至{int(r.as_of)}年" if language == "zh" else f"up to {int(r.as_of)}") \
            if not fmt.missing(r.as_of) and r.as_of else ("现有" if language == "zh" else "available")
        p = r.probability if key != "pending" else getattr(r, "probability_nowcast", None)
        txt = P[key].format(name=name, year=int(r.target_year), median=med, goal=goal, asof=asof,
                            interval=_interval(r, ds, language), p=fmt.probability(p), badge=badge)
        if _text(r.method):
            txt += P["method"].format(m=e(method_name(r.method, language)))
    if not fmt.missing(r.required_cagr) and _latest_meets(r):
        txt += P["met_already"]
    elif not fmt.missing(r.required_cagr):
        growth = P["growth"] if not fmt.missing(r.historical_cagr) else P["required"]
        txt += growth.format(req=fmt.number(r.required_cagr, "percent", language),
                             hist=fmt.number(r.historical_cagr, "percent", language))
    zh = language == "zh"
    classes = []  # one list, one closing stop: no dangling '；' when only one class is known
    if _text(r.eurostat_class):
        classes.append(P["eurostat"].format(cls=EUROSTAT_ZH.get(r.eurostat_class, r.eurostat_class) if zh
                                            else r.eurostat_class.replace("_", " ")).strip(" ；;。."))
    if _text(r.unsd_class):
        classes.append(P["unsd"].format(cls=UNSD_ZH.get(r.unsd_class, r.unsd_class) if zh
                                        else r.unsd_class.replace("_", " ")).strip(" ；;。."))
    if classes:
        lead = P["classes"] if r.method != "observed" else P["classes_observed"]  # observed: no probability
        txt += lead + ("；" if zh else "; ").join(classes) + ("。" if zh else ".")
    year = expected_year(r)
    if year is not None:
        txt += P["reach"].format(year=year)
    txt += _readings_html(r, ds, language)
    note = note_text(r.note, ds, language)
    if note:
        txt += f"<br><small>{e(note)}</small>"
    return txt + "</p>"


def section_html(i_or_id, t: Target, r, ds: Dataset, as_of=None, method="auto", language="zh",
                 deep: str | None = None) -> str:
    """One target's section on the dashboard: heading with a generated id, chart or card, words."""
    T = L[language]
    sid = i_or_id if isinstance(i_or_id, str) else f"t{i_or_id}"
    more = f' <small><a href="{e(deep)}">{e(T["deep"])}</a></small>' if deep else ""
    return (f'<h3 id="{e(sid)}">{e(target_name(t, ds, language))}{more}</h3>'
            + chart_html(t, ds, r, as_of, method, language) + plain_words(r, ds, language)
            + f'<p><small><a href="#top">{e(T["top"])}</a></small></p>')


def dashboard_sections(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh",
                       related: dict | None = None) -> str:
    """Every target with a status, in plan order, each under its generated anchor."""
    targets = {t.id: t for t in get_plan(plan_id, ds).targets}
    ids = anchors(res)
    deep = (related or {}).get("deep", {})
    shown = charted(res, ds)
    parts = [f"<h2>{e(L[language]['sections'])}</h2>"]
    for _, r in shown.iterrows():
        parts.append(section_html(ids[r.target_id], targets[r.target_id], r, ds, as_of, method, language,
                                  deep.get(r.target_id)))
    return "".join(parts)


SOURCE_HEAD = {"zh": ["指标", "年份", "数值", "来源", "原文"], "en": ["indicator", "year", "value", "source", "quote"]}


def sources_table(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The observations behind a target, each with its document and verbatim quote."""
    inds = [t.indicator] + ([t.denominator] if t.denominator else [])
    o = ds.observations[(ds.observations.region == t.region) & ds.observations.indicator.isin(inds)]
    rows = [[e(_name(ds, r.indicator, language)), r.year, fmt.number(r.value, r.unit, language),
             f'<span lang="zh">{e(ds.sources[r.source].title if r.source in ds.sources else str(r.source))}</span>',
             f'<span lang="zh">{e(str(r.quote))}</span>']
            for r in o.sort_values(["indicator", "year"]).itertuples()]
    return html_table(SOURCE_HEAD[language], rows)


def methods_table(t: Target, ds: Dataset, as_of=None, language: str = "en") -> pd.DataFrame:
    """The same target under every method, so an analyst sees how much the choice matters."""
    rows = []
    share = ds.indicators[t.indicator].kind == "share"
    auto = "自动" if language == "zh" else "auto"
    for m in ("auto",) + tuple(x for x in METHODS if share or x != "logistic"):
        r = assess(t, ds, as_of=as_of, method=m)
        chosen = method_name(r.method, language)
        label = method_name(m, language) if m != "auto" else (f"{auto}（{chosen}）" if language == "zh" else
                                                                f"{auto} ({chosen})")
        rows.append({"method": label, "median": r["median"], "lo80": r.lo80,
                     "hi80": r.hi80, "probability": r.probability if not fmt.missing(r.probability) else r.get("probability_nowcast"),
                     "verdict": plots.verdict_label(r.verdict, language)})
    return pd.DataFrame(rows).set_index("method").rename(columns=METHOD_COLUMNS.get(language, {}))


def methods_html(t: Target, ds: Dataset, as_of=None, language: str = "zh") -> str:
    """methods_table as officials read numbers: in the target's unit, probabilities in %."""
    m = methods_table(t, ds, as_of, language)
    unit = "percent" if t.kind == "growth" else t.unit
    rows = [[e(method)] + [fmt.number(median, unit, language), fmt.number(lo, unit, language),
                           fmt.number(hi, unit, language), fmt.probability(p), e(verdict)]
            for method, (median, lo, hi, p, verdict) in zip(m.index, m.itertuples(index=False))]
    head = ([METHOD_COLUMNS["zh"]["method"]] + list(m.columns)) if language == "zh" else METHOD_HEAD_EN
    return html_table(head, rows)


HEADINGS = {
    "zh": dict(sources="数据与来源", forecast="预测", milestones="年度分解", methods="各方法比较", notes="方法说明"),
    "en": dict(sources="Data and sources", forecast="Forecast", milestones="Milestone path", methods="Every method",
               notes="Notes on the method"),
}
METHOD_NOTE = {
    "zh": "区间来自 M1、M3 及旅游预测竞赛的年度序列上同一方法、同一历史长度与预测步长的实际误差分布（经验校准），"
          "而非模型自带公式；实现概率为 4,000 条抽样路径中达标的比例。",
    "en": "Intervals are empirical: quantiles of real forecast errors on the M1, M3 and Tourism yearly series for the "
          "same method, history length and horizon. The probability is the share of 4,000 sample paths that meet "
          "the target.",
}


def heading(key: str, language: str = "zh", level: int = 2) -> str:
    return f"<h{level}>{e(HEADINGS[language][key])}</h{level}>"


def method_note(language: str = "zh") -> str:
    return heading("notes", language) + f"<p>{e(METHOD_NOTE[language])}</p>"


def indicator_header(plan_id: str, t: Target, ds: Dataset, as_of=None, language: str = "zh") -> str:
    """The deep-dive page's title (indicator · plan), the target and its verbatim quote."""
    p = get_plan(plan_id, ds)
    plan = p.name_zh if language == "zh" else (p.name_en or p.name_zh)
    goal = goal_text(SimpleNamespace(kind=t.kind, comparator=t.comparator, target_value=t.value,
                                     target_value_high=t.value_high, unit=t.unit), language)
    word = "规划总览" if language == "zh" else "plan overview"
    back = f'<a href="{e(p.id)}.html">{word}</a>' if re.fullmatch(r"[A-Za-z0-9_.-]+", p.id) else ""
    kind = L[language]["binding"] if t.binding else L[language]["expected"]
    return (f"<h1>{e(target_name(t, ds, language))} · {e(plan)}</h1>"
            + (f"<p>{e(L[language]['target'])} {goal}（{t.target_year}，{e(kind)}） · {back}</p>" if language == "zh"
               else f"<p>{e(L[language]['target'])} {goal} ({t.target_year}, {e(kind)}) · {back}</p>")
            + f'<blockquote lang="zh">{e(t.quote)}</blockquote>')


BACKTEST_COLUMNS = {
    "zh": ["指标", "目标", "当时观测点数", "当时预测中位数", "80%区间", "当时实现概率", "当时判断", "实际值", "实际结果", "区间是否覆盖实际"],
    "en": ["indicator", "target", "points then", "median then", "80% interval", "probability then", "verdict then",
           "actual", "outcome", "interval held actual"],
}


def score_html(bt: pd.DataFrame, as_of: int, language: str = "zh") -> str:
    """The backtest's score, the same line the CLI prints (backtest.score_line)."""
    from .backtest import score_line
    return f'<p class="score"><b>{e(score_line(bt, as_of, language))}</b></p>'


def backtest_header(plan_id: str, ds: Dataset, as_of: int, language: str = "zh") -> str:
    p = get_plan(plan_id, ds)
    if language == "zh":
        return f"<h1>{e(p.name_zh)}：{as_of}年的判断与实际结果</h1>"
    return f"<h1>{e(p.name_en or p.name_zh)}: the verdicts of {as_of} beside the outcome</h1>"


def _actual_text(r, ds: Dataset, language: str, value=None, html_break: bool = True) -> str:
    """The outcome: the level, and for a growth or 新增 target what it came to in the target's terms.

    `value` is a level (an assessment's latest value); without it, `r.actual` is a backtest's
    outcome, which is already in the target's terms (realised growth or change)."""
    if r.kind not in ("growth", "change"):
        return fmt.number(r.actual if value is None else value, _level_unit(r, ds), language)
    try:
        t = next(t for t in get_plan(r.plan, ds).targets if t.id == r.target_id)
    except StopIteration:
        t = None
    s = ds.series(t.region, t.indicator) if t is not None else pd.Series(dtype=float)
    if value is None:  # backtest: the outcome x is given; the level is the indicator in the target year
        x = r.actual
        level_value = s.get(t.target_year) if t is not None else None
    else:
        level_value, b = value, (s.get(t.base_year) if t is not None else None)
        if b is None or fmt.missing(b) or fmt.missing(value):
            return fmt.number(value, _level_unit(r, ds), language)
        x = cagr(float(b), float(value), t.target_year - t.base_year) if r.kind == "growth" else float(value) - float(b)
    if fmt.missing(x):
        return fmt.number(level_value, _level_unit(r, ds), language)
    if r.kind == "growth":
        word = f"年均增长 {fmt.number(x, 'percent', language)}" if language == "zh" else \
            f"yearly growth {fmt.number(x, 'percent', language)}"
    else:
        word = f"新增 {fmt.number(x, r.unit, language)}" if language == "zh" else f"added {fmt.number(x, r.unit, language)}"
    if level_value is None or fmt.missing(level_value):
        return e(word)
    level = fmt.number(level_value, _level_unit(r, ds), language)
    return f"{level}<br><small>{e(word)}</small>" if html_break else f"{level}（{e(word)}）" if language == "zh" \
        else f"{level} ({e(word)})"


def backtest_table(bt: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """What the tool said as of a past year beside what happened, as an HTML table."""
    yes, no = ("是", "否") if language == "zh" else ("yes", "no")
    rows = []
    for r in bt.itertuples():
        unit = _unit_of(r)
        cells = [e(_name(ds, r.indicator, language)),
                 goal_text(r, language),
                 str(r.n_obs_then), fmt.number(r.forecast_median, unit, language),
                 _interval(r, ds, language),
                 fmt.probability(r.probability_then),
                 verdict_badge(r.verdict_then, language), _actual_text(r, ds, language),
                 verdict_badge(r.verdict_actual, language),
                 "–" if r.inside80 is None or pd.isna(r.inside80) else (yes if r.inside80 else no)]
        rows.append(cells)
    return html_table(BACKTEST_COLUMNS[language], rows, "risk")


def backtest_charts(plan_id: str, bt: pd.DataFrame, ds: Dataset, as_of: int, method="auto", language="zh") -> str:
    """Each target the tool judged then: its chart as of then, with what was observed later."""
    targets = {t.id: t for t in get_plan(plan_id, ds).targets}
    parts = []
    for r in bt[bt.verdict_then != "no_data"].itertuples():
        t = targets[r.target_id]
        parts.append(f"<h3>{e(_name(ds, t.indicator, language))}</h3>"
                     + chart_html(t, ds, None, as_of, method, language, actual=True))
    return "".join(parts)


def summary_records(res: pd.DataFrame) -> list[dict]:
    return json.loads(res.to_json(orient="records", force_ascii=False))


def record_summary(res: pd.DataFrame):
    """Put the assessment into the executed notebook as an output, for the batch index to read."""
    from IPython.display import display
    # text/html is empty so the page shows nothing; text/plain helps in JupyterLab
    display({SUMMARY_MIME: summary_records(res), "text/html": "",
             "text/plain": f"<{len(res)} assessed targets recorded>"}, raw=True)
