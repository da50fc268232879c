"""What the 目标测算 (target setting) notebook shows for a draft plan: logic here, tested; the
notebook only calls these. Numbers come from propose.assess_draft, so a page and `mzforecast draft`
agree. Every string from a data file is HTML-escaped.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import growth, plots
from .attainment import target_fan
from .data import Dataset
from .propose import AMBITION, get_draft
from .reports import e, fmt_value, html_table, note_text, unit_label
from .targets import Target

HEAD = {
    "zh": ["指标", "单位", "最新值(年份)", "草案目标", "实现概率(雄心)", "50%把握可承诺值", "80%把握可承诺值",
           "90%把握可承诺值", "隐含年均增速", "历史年均增速", "备注"],
    "en": ["indicator", "unit", "latest (year)", "draft target", "probability (ambition)", "value at 50%",
           "value at 80%", "value at 90%", "implied yearly growth", "historical yearly growth", "notes"],
}
AMBITION_WORD = {lang: {name: (zh if lang == "zh" else name) for _, name, zh in AMBITION} for lang in ("zh", "en")}
SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
HELD_ZH = {"held at the last value": ("即最新值", "保持不变"), "at the bound": ("即取值界限", "处于界限"),
           "at a point mass": ("落在集中取值", "恰为此值")}
# propose's own notes, in Chinese (the engine's other notes go through reports.note_text)
NOTES_ZH = [
    (r"no data for the base year (\d+) yet: computed from the latest year (\d+) "
     r"\((\d+)-year horizon instead of (\d+)\)",
     lambda m: f"基期{m[1]}年尚无数据：从最新年份{m[2]}年起测算（测算期{m[3]}年，而非{m[4]}年）"),
    (r"no observed value for the base year (\d+)", lambda m: f"基期{m[1]}年无观测值"),
    (r"(\S+) is observed only as period totals or averages, not as a yearly series",
     lambda m: "只有规划期累计数或平均数，不是年度序列"),
    (r"at (\d+)%: (held at the last value|at the bound|at a point mass) ([\d,.]+) \((\d+)% of the paths sit there\): "
     r"met with probability (.+)",
     lambda m: f"{m[1]}%把握值{HELD_ZH[m[2]][0]}{m[3]}（{m[4]}%的抽样路径{HELD_ZH[m[2]][1]}）："
               f"以此为目标，实现概率{m[5].replace(' ', '')}"),
    (r"target '\S+' is a (growth|change) target: values can be proposed for level and ratio targets only",
     lambda m: "增速、增量类目标暂不测算可承诺值"),
]


def note_zh(note: str, ds: Dataset, language: str = "zh") -> str:
    if not note or (isinstance(note, float) and np.isnan(note)) or language != "zh":
        return "" if not isinstance(note, str) else note
    parts = []
    for part in note.split("; "):
        for pattern, zh in NOTES_ZH:
            m = re.fullmatch(pattern, part)
            if m:
                part = zh(m)
                break
        else:
            part = note_text(part, ds, "zh")
        parts.append(part)
    return "；".join(parts)


def _pct(x) -> str:
    from . import fmt
    return fmt.number(x, "percent")


def _cut(v, comparator: str, unit: str, language: str) -> str:
    if v is None or pd.isna(v):
        return "–"
    return f"{SIGN.get(comparator, '')} {fmt_value(v, unit, language)}".strip()


def header(plan, ds: Dataset, language: str = "zh") -> str:
    """Title, the example warning where the file says so, and what ambition means."""
    p = get_draft(plan, ds)
    zh = language == "zh"
    out = f"<h1>{e(p.name_zh if zh else (p.name_en or p.name_zh))}</h1>"
    out += (f"<p>目标测算：基期 {p.base_year} 年，目标年 {p.target_year} 年。" if zh else
            f"<p>Target setting: base year {p.base_year}, target year {p.target_year}. ")
    if p.example:
        out += ("<strong>本草案为示例，目标值为演示用数值，并非正式规划。</strong>" if zh else
                "<strong>This draft is an example: its values are illustrative, not an official plan.</strong>")
    out += "</p>"
    out += ("<p>“实现概率（雄心）”是按现有数据和趋势，草案目标在目标年实现的概率：≥80% 为稳妥，50%–80% 为积极，"
            "&lt;50% 为挑战（更可能未实现）。“80%把握可承诺值”是以 80% 的概率能够达到（越低越好的指标：不超过）的数值，"
            "与实现概率出自同一组抽样路径：以该值为目标，实现概率至少为 80%，一般即为 80%；"
            "若该值落在保障标准的最新值（只升不降）或比例的上下限上，实现概率更高，备注中注明。</p>" if zh else
            "<p>Ambition is the probability that the draft target is met in its year, given the data and trend: "
            "≥80% safe, 50–80% ambitious, &lt;50% stretch. The value at 80% is the value reached (for a "
            "lower-is-better indicator: not exceeded) with 80% probability, from the same sample paths: a target "
            "set there is assessed at 80% or more: at 80% unless the value falls on a point mass (a standard held at "
            "its last value, a bound), where the note gives its higher probability.</p>")
    out += f"<p>{e(growth.SPREAD_NOTE['zh' if zh else 'en'])}</p>"
    return out


def table(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> pd.DataFrame:
    """The table an office pastes into its drafting notes, as text cells (one row per target)."""
    rows = []
    for r in d.itertuples():
        name = quantity_name(r._asdict(), ds, language)
        latest = "–" if pd.isna(r.latest_value) else (
            f"{fmt_value(r.latest_value, r.unit, language)}({int(r.latest_year)})")
        word = AMBITION_WORD[language].get(r.ambition_class, "")
        amb = "–" if pd.isna(r.ambition) else (f"{r.ambition:.0%}（{word}）" if language == "zh" else
                                               f"{r.ambition:.0%} ({word})")
        if r.n_obs == 1 and not pd.isna(r.ambition):  # one observation shows no trend: say so beside it
            amb += "，仅1个观测值，无趋势" if language == "zh" else ", one observation, no trend"
        target = _cut(r.target_value, r.comparator, r.unit, language)
        if r.comparator == "between":
            target = f"{fmt_value(r.target_value, r.unit, language)}–…"
        sign = "≤" if r.comparator in ("<=", "<") else "≥"
        cuts = [_cut(getattr(r, f"proposed_{q}", np.nan), sign, r.unit, language) for q in (50, 80, 90)]
        unit = unit_label(r.unit, language)  # the one unit formatter: 个 for outlets, 倍 for times
        rows.append([name, unit, latest,
                     target + (("（约束性）" if language == "zh" else " (binding)") if r.binding else ""),
                     amb, *cuts, _pct(r.target_cagr), _pct(r.historical_cagr), note_zh(r.note, ds, language)])
    return pd.DataFrame(rows, columns=HEAD[language])


def table_html(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    t = table(d, ds, language)
    return html_table(list(t.columns), [[e(str(c)) for c in row] for row in t.itertuples(index=False)], "risk")


def figure(t: Target, row, ds: Dataset, as_of=None, method: str = "auto", language: str = "zh"):
    """Fan chart of what the target is judged on, to its year, with the draft target and the
    values promisable at 50/80/90% marked at the target year. None when there is nothing to chart."""
    hist, bands = target_fan(t, ds, as_of=as_of, method=method)
    if bands is None:
        return None
    meta = ds.indicators[t.indicator]
    title = f"{ds.regions[t.region].name_zh} {meta.name(language)}"
    if t.kind == "ratio":
        den = ds.indicators[t.denominator].name(language)
        title += f" ÷ {'上年度' if t.denominator_lag and language == 'zh' else ''}{den}"
    fig = plots.fan_chart(hist, bands, target=t, title=title, unit=unit_label(t.unit, language), language=language)
    with plots.chart_style():  # text added here (legend, labels) takes the CJK font too
        ax = fig.axes[0]
        if not len(hist):  # nothing observed in the target's own terms: the bands alone
            ax.fill_between(bands.index, bands.lo80, bands.hi80, color="#4292c6", alpha=0.45, lw=0,
                            label=plots.TEXT[language]["band80"])
            ax.plot(bands.index, bands["median"], color="#08519c", lw=1.8, ls="--", label=plots.TEXT[language]["median"])
        for ln in ax.get_lines():  # the target line is the draft's
            if ln.get_label().startswith(plots.TEXT[language]["target"] + " "):
                ln.set_label(("草案" if language == "zh" else "draft ") + ln.get_label())
        T = t.target_year
        for q, colour in ((50, "#08519c"), (80, "#31a354"), (90, "#006d2c")):
            v = row.get(f"proposed_{q}") if hasattr(row, "get") else getattr(row, f"proposed_{q}", None)
            if v is None or pd.isna(v):
                continue
            label = f"{q}%把握 {fmt_value(v, t.unit, language)}" if language == "zh" else f"at {q}%: {v:,.4g}"
            ax.plot([T], [v], marker="_", ms=22, mew=2.5, color=colour, label=label, ls="none")
        ax.legend(fontsize=8, loc="best", frameon=False)
    return fig


def quantity_name(r, ds: Dataset, language: str = "zh") -> str:
    """What a draft target is judged on: the indicator, or for a ratio 'A ÷ (上年度) B'."""
    name = ds.indicators[r["indicator"]].name(language)
    if r.get("kind") == "ratio" and r.get("denominator"):
        prev = ("上年度" if language == "zh" else "previous-year ") if r.get("denominator_lag") else ""
        name += f" ÷ {prev}{ds.indicators[r['denominator']].name(language)}"
    return name


def chart_heading(i: int, r, ds: Dataset, language: str = "zh") -> str:
    """The heading above a target's chart (id t1, t2…): a ratio is named as a ratio, so the rural
    低保 level and rural ÷ urban 低保 are told apart."""
    return f"<h3 id='t{i}'>{e(quantity_name(r, ds, language))}</h3>"


def charted(d: pd.DataFrame) -> pd.DataFrame:
    """The draft's targets that have proposed values (the rest are listed as without data)."""
    return d[d.filter(like="proposed_").notna().any(axis=1)]


def without_data(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    nd = d[d.filter(like="proposed_").isna().all(axis=1)]
    if nd.empty:
        return ""
    items = "".join(f"<li>{e(ds.indicators[r.indicator].name(language))} <small>("
                    + ("" if language == "zh" else f"{e(r.target_id)}: ")  # ids are English: not on a zh page
                    + f"{e(note_zh(r.note, ds, language))})</small></li>" for r in nd.itertuples())
    title = "暂无法测算的指标" if language == "zh" else "targets that cannot be computed yet"
    hint = ("在数据文件中补充这些指标的年度数据后即可测算。" if language == "zh" else
            "Add their yearly values (a --data file) to compute them.")
    return f"<h2>{title}（{len(nd)}）</h2><p>{hint}</p><ul>{items}</ul>"


SECTIONS = {"zh": {"table": "测算总表", "charts": "分指标测算"},
            "en": {"table": "Summary table", "charts": "By indicator"}}
METHOD_NOTE = {
    "zh": "“实现概率（雄心）”与监测报告的实现概率相同：4000 条抽样路径中草案目标在目标年实现的比例。"
          "“X%把握可承诺值”是以 X% 的概率能够达到（越低越好的指标：不超过）的数值，因此以该值为目标，"
          "实现概率至少为 X%：保障标准只升不降、比例不越过上下限，部分抽样路径恰好停在最新值或界限上；"
          "可承诺值落在这些集中取值上时，实现概率高于 X%，备注中注明实际概率，否则即为 X%（抽样误差内）。基期数据尚未发布时，从最新数据年份起算，预测期更长，区间更宽。",
    "en": "Ambition is the share of 4,000 sample paths in which the draft target is met, as in the monitoring "
          "reports. The value at X% is met (for a lower-is-better indicator: not exceeded) with probability X% on "
          "the same paths, so a target set there is assessed at X% or more: where the value falls on a point mass "
          "(a standard held at its last value, a share or ratio at its bound) the note gives the higher probability, "
          "elsewhere it is X% within sampling error. Where the base year has no data yet, the "
          "horizon starts at the latest observed year and the intervals are wider.",
}


def section_heading(key: str, language: str = "zh") -> str:
    """A section heading in the page's language (the notebook holds no prose of its own)."""
    return f"<h2>{SECTIONS[language][key]}</h2>"


def method_note(language: str = "zh") -> str:
    """How the values are computed, in the page's language."""
    title = "方法说明" if language == "zh" else "Notes on the method"
    return f"<h2>{title}</h2><p>{METHOD_NOTE[language]}</p>"
