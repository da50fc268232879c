"""The engine's notes and the plan's readings (flags) as codes with parameters, and their words.

The engine makes a `Note(code, **params)`: a str whose text is the English sentence (so CSV, JSON
and the terminal print what they always printed) and which keeps its code and parameters, so a
page renders it in its own language with `Note.text(language, names)`. `Notes(parts)` is the
'; '-joined notes of one row, keeping each part. A part that is a plain str (a data file's own
text, an error message) is shown as written in either language.

Templates are str.format strings over the parameters, or functions of them where a language
needs more (units, table/text). A parameter that names an indicator or a region (NAMED) is also
given as `<name>_name`: the name a page shows (Chinese pages: the Chinese name), while the
English text keeps the id. Imports only leaves (fmt).
"""
from __future__ import annotations

from typing import Callable

from .. import fmt
from . import lang  # defined before messages imports this module
from .closing import FLOOR

# parameters that name something a page shows by name: parameter -> kind of name
NAMED = {"indicator": "indicator", "denominator": "indicator", "proxy": "indicator", "region": "region"}

Names = Callable[[str, str], str]  # (kind, id) -> the name a page shows


def _no_obs_en(p):
    return f"no observations of {p['indicator']} in {p['region']}" + (f" up to {p['as_of']}" if p.get("as_of") else "")


def _no_obs_zh(p):
    return f"{p['region_name']}{p['indicator_name']}暂无观测数据" + (f"（截至{p['as_of']}年）" if p.get("as_of") else "")


def _tolerance_zh(p):
    """'约数目标：与9,000个相差不超过450个…' in the target's unit (a rate: 个百分点), not bare '9000'."""
    u = p.get("unit") or ""
    if u == "percent":
        return (f"约数目标：与{fmt.number(p['value'], 'percent', 'zh', exact=True)}相差不超过"
                f"{fmt.number(p['tolerance'], '', 'zh', exact=True)}个百分点即视为实现")
    return (f"约数目标：与{fmt.number(p['value'], u, 'zh', exact=True)}相差不超过"
            f"{fmt.number(p['tolerance'], u, 'zh', exact=True)}即视为实现")


def _range_zh(p):
    u = p.get("unit") or ""
    return (f"区间目标：达到{fmt.number(p['value'], u, 'zh', exact=True)}即实现，"
            f"超过{fmt.number(p['high'], u, 'zh', exact=True)}为超额完成")


SOURCE_ZH = {"table": "规划主要指标表", "text": "规划正文"}
HELD_EN = {"last_value": "held at the last value", "bound": "at the bound", "mass": "at a point mass"}
HELD_ZH = {"last_value": ("即最新值", "保持不变"), "bound": ("即取值界限", "处于界限"), "mass": ("落在集中取值", "恰为此值")}

# code -> {"en": template, "zh": template}
NOTES: dict[str, dict[str, str | Callable[[dict], str]]] = {
    # a forecast's own (models.model_notes, models.structure_notes)
    "two_points": {"en": "only two observations: the trend rests on two points, intervals are wide",
                   "zh": "只有两个观测值，趋势仅由两点确定，区间较宽"},
    "drift_for_log": {"en": "zeros or negatives in the series: log-linear model replaced by drift",
                      "zh": "序列含零或负值，对数线性模型改用漂移模型"},
    "constant": {"en": "the series is constant: the point forecast is held at that value",
                 "zh": "序列没有变化，点预测保持该值"},
    "share_clipped": {"en": "share indicator: forecasts and intervals clipped to 0-100%",
                      "zh": "比例指标：预测值及区间限定在0–100%"},
    "kept_within": {"en": "forecasts and intervals kept within {lo}-{hi}", "zh": "预测值及区间限定在{lo}–{hi}之间"},
    "negative_to_zero": {"en": "the trend crosses zero: negative forecasts set to 0", "zh": "趋势穿过零，负的预测值按0计"},
    # one line in a forecast's notes: where the growth model's centre and spread come from
    "growth_model": {
        "zh": "增长模型与校准趋势模型等权平均：增长模型年增长{mu:.1f}%（长期{mu_lr:.1f}%），年增长波动{s:.1f}个百分点，"
              "依据本指标历年增长",
        "en": "growth model averaged with the calibrated trend model: growth model yearly growth {mu:.1f}% "
              "(long-run {mu_lr:.1f}%), spread {s:.1f} points a year from the series' own growth history",
    },
    "growth_model_pooled": {
        "zh": "增长模型与校准趋势模型的分布等权混合：增长模型年增长{mu:.1f}%（长期{mu_lr:.1f}%），年增长波动{s:.1f}"
              "个百分点，依据本指标历年增长",
        "en": "growth model pooled with the calibrated trend model (an equal mixture of their distributions): growth "
              "model yearly growth {mu:.1f}% (long-run {mu_lr:.1f}%), spread {s:.1f} points a year from the "
              "series' own growth history",
    },
    "growth_model_alone": {
        "zh": "增长模型：年增长{mu:.1f}%（长期{mu_lr:.1f}%），年增长波动{s:.1f}个百分点，依据本指标历年增长",
        "en": "growth model: yearly growth {mu:.1f}% (long-run {mu_lr:.1f}%), spread {s:.1f} points a year "
              "from the series' own growth history",
    },
    "growth_one_point": {
        "zh": "只有一个观测值，没有自身趋势：增速取保障标准的先验（年均{mu_lr:.1f}%，居民收入增速），区间宽度取"
              "民政公报参考序列之间平均增速的差异（约±{tau:.1f}个百分点）",
        "en": "only one observation, no trend of its own: growth from the prior for standards ({mu_lr:.1f}% a "
              "year, income growth), with the spread of mean growth between the bulletin series (about "
              "±{tau:.1f} points)",
    },
    "standard_break": {
        "zh": "该标准只升不降，但{year}年由{before:g}降至{after:g}：视为口径或来源变化，增速从{year}年起估计",
        "en": "the standard is never cut, yet it falls to {after:g} in {year} (from {before:g}): read as a break "
              "(another definition or source), growth is estimated from {year} on",
    },
    "historical_after_break": {
        "zh": "历史年均增速从{year}年起计算（该标准只升不降，此前的下降视为口径或来源变化，跨越断点的增速不可比）",
        "en": "historical growth measured from {year}, after a break in the series (a never-cut standard that "
              "fell: another definition or source before it)",
    },
    # what the growth model's spread rests on: propose notes and the 目标测算 page header
    "growth_spread": {
        "zh": "区间说明：低保、特困、孤儿等保障标准只用增长模型，依据本指标自身历年增长率——中心取近年（权重更高）"
              "的平均增速，并随年份逐步趋向长期增速（取居民收入增速的先验，约每年{mu_lr:.0f}%）；宽度取历年增速的波动、"
              "增速本身的漂移，以及近年增速与全期平均增速之差（增速放缓时区间放宽）；历史较短时向民政公报参考"
              "序列的合并估计收缩；只有一个观测值时增速取先验。床位、社会组织的每个分位数取增长"
              "模型与校准趋势模型（按历史长度选择的趋势外推，误差取M1、M3及旅游预测竞赛年度序列的实际误差）的等权平均；低保、特困"
              "对象人数取两个模型分布的等权混合。农村与城市低保标准之比按比值自身的增长预测，逐步趋于并轨（不超过100%）；"
              "特困人员基本生活标准与低保标准之比由政策规则确定，按最新值保持。",
        "en": "What the spread rests on: administered standards (低保, 特困, orphan allowances) use the growth model "
              "alone. It centres on this indicator's own recent yearly growth (recent years weighted more), fading "
              "toward long-run growth (a prior of income growth, about {mu_lr:.0f}% a year). Its width is the "
              "volatility of the yearly growth, the drift of the growth rate itself, and the gap between recent "
              "and whole-history growth (slowing growth widens it); short histories are shrunk toward the pooled "
              "estimate of the bulletin series in data/reference, and one observation takes the prior. For beds "
              "and social organisations each quantile is the equal-weight average of the growth model and the "
              "calibrated trend model (the trend chosen for the history's length, with the errors of the "
              "M1/M3/Tourism yearly series); for 低保 and 特困 recipients the two models' distributions are mixed "
              "in equal parts. The rural ÷ urban 低保 ratio is forecast by its own growth, converging toward parity "
              "(never above 100%); the 特困 ÷ 低保 ratio is set by a policy rule and kept at its last value.",
    },
    "at_upper_bound": {"en": "the series is at its upper bound ({bound:g}): forecast held at the bound",
                       "zh": "序列已达上限（{bound:g}），预测保持在上限"},
    "only_raised": {"en": "administered standard, only raised or held: no forecast path falls below the last "
                          "observed value or from one year to the next",
                    "zh": "保障标准只升不降：各预测路径不低于最新观测值，且逐年不下降"},
    "only_lowered": {"en": "only ever held or lowered: no forecast path rises above the last observed value "
                           "or from one year to the next",
                     "zh": "该指标只降不升：各预测路径不高于最新观测值，且逐年不上升"},
    "one_point_flat": {"en": "only one observation: no trend can be estimated, the level is held flat",
                       "zh": "只有一个观测值，无法估计趋势，按最新水平持平外推"},
    "one_point_moves": {"en": "only one observation, so no trend can be estimated: the point forecast stays at the "
                              "last value, and the median moves {move:+.0f}% in {years} years because the spread "
                              "is how one-point series in the reference corpus moved",
                        "zh": lambda p: "只有一个观测值，无法估计趋势，故点预测保持最新值；预测区间则取自参照数据中"
                                        f"单点序列的实际变动，这些变动{'上升' if p['move'] > 0 else '下降'}多于"
                                        f"{'下降' if p['move'] > 0 else '上升'}，所以抽样路径的中位数{p['years']}年内"
                                        f"变动{p['move']:+.0f}%，与点预测不同"},
    # how a ratio target was sampled (simulate)
    "ratio_direct": {"en": "the ratio forecast from its {years} observed years (numerator and denominator move "
                           "together)",
                     "zh": "按比值本身的{years}个观测年份预测（分子、分母同步调整）"},
    "ratio_direct_one": {"en": "the ratio forecast from its one observed year (two administered standards move "
                               "together)",
                         "zh": "按比值本身唯一的观测年份预测（两项保障标准同步调整）"},
    "ratio_rule_held": {"en": lambda p: "the ratio is set by a policy rule"
                                        + (f" (at least {p['rule']:g}×)" if p["rule"] == p["rule"] else "")
                                        + f": held at its last value, spread {p['sigma']:.1f}% a year from its "
                                          f"{p['years']} observed year(s) and a prior (not a trend, not two "
                                          "forecasts divided)",
                        "zh": lambda p: "该比值由政策规则确定"
                                        + (f"（不低于{p['rule']:g}倍）" if p["rule"] == p["rule"] else "")
                                        + f"：按最新比值保持不变预测，波动幅度每年约{p['sigma']:.1f}%"
                                          f"（依据其{p['years']}个观测年份并参照先验），不外推趋势，"
                                          "也不以两项标准分别预测后相除"},
    "rule_target": {"en": "the draft value {value:g} is the policy rule itself: the office sets the ratio by it, so a "
                          "forecast of it is circular and no probability is given",
                    "zh": "草案值{value:g}即政策规则本身：该比值由确定标准时按规则设定，用预测测算其实现概率是循环论证，"
                          "故不给概率"},
    "ratio_standards": {"en": "ratio of two standards set together: its own log growth over {years} observed years "
                              "({mu:.1f}% a year, shrunk toward {prior:.1f}%, the mean of the rural ÷ urban 低保 "
                              "ratios in data/reference), fading to 0 over about {fade:g} years; spread {s:.1f}% a "
                              "year from its history and those ratios; paths stop at parity (the standards unified)",
                        "zh": "两项同步调整的保障标准之比：按比值自身{years}个观测年份的对数增长（年均{mu:.1f}%，向参照"
                              "数据中城乡低保标准之比的平均增速{prior:.1f}%收缩），约{fade:g}年内逐步趋于0；波动幅度每年约"
                              "{s:.1f}%（依据本比值历史及参照比值）；达到城乡持平（并轨）后保持"},
    "ratio_standards_one": {"en": "ratio of two standards set together, one observed year: growth from the mean of "
                                  "the rural ÷ urban 低保 ratios in data/reference ({prior:.1f}% a year), fading to 0 "
                                  "over about {fade:g} years; spread {s:.1f}% a year from those ratios; paths stop at "
                                  "parity (the standards unified)",
                            "zh": "两项同步调整的保障标准之比，仅1个观测年份：增速取参照数据中城乡低保标准之比的平均增速"
                                  "（年均{prior:.1f}%），约{fade:g}年内逐步趋于0；波动幅度每年约{s:.1f}%（依据参照比值）；"
                                  "达到城乡持平（并轨）后保持"},
    "ratio_split": {"en": "numerator and denominator forecast separately (independent errors: a cautious spread)",
                    "zh": "分子、分母分别预测（误差按相互独立处理，区间偏宽、偏谨慎）"},
    # an assessment's (attainment, regional)
    "outcome_pending": {"en": "the target year {year} has passed (reference year {reference}) and its outcome is "
                              "not in the data: the probability is a nowcast, not a verdict",
                        "zh": "目标年{year}年已过（参照年{reference}年），数据中尚无实际值：概率为推算值，不作判断"},
    "base_rate": {"en": "one observation: insufficient data to judge a trend, and the probability is a base rate "
                        "(how one-point series in the reference corpus moved), not this indicator's trend",
                  "zh": "只有一个观测值，数据不足，无法判断趋势；概率为基础比率（参照数据中单点序列的变动），不是本指标的趋势"},
    "base_rate_held": {"en": "one observation: insufficient data to judge a trend, and the probability holds the ratio "
                             "at that value with the prior spread of ratios of two standards (data/reference)",
                       "zh": "只有一个观测值，数据不足，无法判断趋势；概率按该比值保持不变、波动取参照数据中两项标准之比的先验幅度计算"},
    "base_rate_ratio": {"en": "one observation: insufficient data to judge a trend, and the probability rests on how "
                              "the rural ÷ urban 低保 ratios in data/reference moved (the prior of ratios of two standards)",
                        "zh": "只有一个观测值，数据不足，无法判断趋势；概率依据参照数据中城乡低保标准之比的变动（两项标准之比的先验）"},
    "through_proxy": {"en": "no observations of {indicator}: assessed through {proxy}, a lower bound",
                      "zh": "{indicator_name}暂无观测数据：以{proxy_name}评估（为下限）"},
    "same_year_ratio": {"en": "no {denominator} for {year}: the ratio to the same year's value ({same_year}) is "
                              "used, a lower bound because {denominator} is never cut",
                        "zh": "缺少{year}年{denominator_name}：采用与同年（{same_year}年）之比；"
                              "因{denominator_name}只升不降，该值是与上年度之比的下限"},
    "transferred": {"en": "function transferred out of civil affairs in the 2018 reform: listed, not scored",
                    "zh": "2018年机构改革后该职能已划出民政：仅列示、不评估"},
    "observed": {"en": "final evaluation from the observed value", "zh": "依据实际观测值作总结评估"},
    "observed_many": {"en": "final evaluation from the observed values", "zh": "依据实际观测值作总结评估"},
    "no_obs": {"en": _no_obs_en, "zh": _no_obs_zh},
    "not_yearly": {"en": "only period totals or averages are observed: not a yearly series",
                   "zh": "只有规划期累计数或平均数，不是年度序列"},
    "target_year_gap": {"en": "no observation in the target year {year}, though later years are observed: "
                              "add the {year} value",
                        "zh": "目标年{year}年无观测值，但其后年份已有数据：请补充{year}年数值"},
    "ratio_unforecastable": {"en": "cannot forecast the ratio of {indicator} to {denominator}",
                             "zh": "无法预测{indicator_name}与{denominator_name}之比"},
    "nothing_to_forecast": {"en": "nothing to forecast", "zh": "无需预测"},
    "no_base_value": {"en": "no observed value in the base year {year}", "zh": "基年（{year}年）无观测值"},
    "region_no_base_value": {"en": "no observed value of {indicator} in {region} in the base year {year}: "
                                   "a relative target needs it",
                             "zh": "{region_name}{indicator_name}基年（{year}年）无观测值：相对目标需要该值"},
    # the plan's readings of a target (Target.readings, shown as `flags`)
    "range": {"en": "range: met at {value:g}, above {high:g} exceeded", "zh": _range_zh},
    "tolerance": {"en": "tolerance: within {tolerance:g} of {value:g}", "zh": _tolerance_zh},
    "proxy": {"en": "proxy: {proxy}", "zh": "以{proxy_name}代替评估（为下限）"},
    "transferred_reading": {"en": "transferred out of civil affairs (2018 reform)", "zh": "2018年机构改革后已划出民政"},
    "duplicate": {"en": "duplicate: the same indicator and target as {other} ({what} is stated twice)",
                  "zh": "重复目标：与另一条目标为同一指标、同一目标（规划中出现两次）"},
    "conflict": {"en": "conflict: the {source} says {goal} for {year}, the {other_source} ({other}) {other_goal}, "
                       "both assessed",
                 "zh": lambda p: f"目标冲突：{p['year']}年{SOURCE_ZH[p['source']]}为{p['goal']}，"
                                 f"{SOURCE_ZH[p['other_source']]}为{p['other_goal']}，两者均评估"},
    # a proposal's (propose)
    "held": {"en": lambda p: f"at {p['p']:.0%}: {HELD_EN[p['held']]} {p['value']:,.4g} ({p['share']:.0%} of the "
                             f"paths sit there): met with probability {p['met']}",
             "zh": lambda p: f"{p['p']:.0%}把握值{HELD_ZH[p['held']][0]}{p['value']:,.4g}（{p['share']:.0%}的抽样路径"
                             f"{HELD_ZH[p['held']][1]}）：以此为目标，实现概率{p['met'].replace(' ', '')}"},
    "base_year_later": {"en": "no data for the base year {base_year} yet: computed from the latest year "
                              "{latest_year} ({horizon}-year horizon instead of {planned})",
                        "zh": "基期{base_year}年尚无数据：从最新年份{latest_year}年起测算（测算期{horizon}年，而非{planned}年）"},
    "no_base_year_value": {"en": "no observed value for the base year {year}", "zh": "基期{year}年无观测值"},
    "not_yearly_indicator": {"en": "{indicator} is observed only as period totals or averages, not as a yearly series",
                             "zh": "只有规划期累计数或平均数，不是年度序列"},
    "not_level": {"en": "target '{target}' is a {kind} target: values can be proposed for level and ratio targets "
                        "only",
                  "zh": "增速、增量类目标暂不测算可承诺值"},
    # a draft value raised to a policy floor (draft_floors); the words are the 起草说明's
    "floors_applied": {"zh": lambda p: FLOOR["zh"]["applied"].format(items="；".join(p["floors"])),
                       "en": lambda p: FLOOR["en"]["applied"].format(items="; ".join(p["floors"]))},
    # a message that is its own text (an error from the models)
    "message": {"en": "{message}", "zh": "{message}"},
}
SEPARATOR = {"zh": "；", "en": "; "}


def render(code: str, language: str, params: dict, names: Names | None = None) -> str:
    """The note `code` with `params` in `language`; `names` gives the shown name of each NAMED id."""
    template = NOTES[code][lang(language)]
    full = dict(params)
    for key, kind in NAMED.items():
        if key in params:
            full[f"{key}_name"] = names(kind, params[key]) if names else params[key]
    return template(full) if callable(template) else template.format(**full)


class Note(str):
    """One note: the English sentence, with the code and parameters it was made from."""

    code: str
    params: dict

    def __new__(cls, code: str, /, **params):
        self = super().__new__(cls, render(code, "en", params))
        self.code, self.params = code, params
        return self

    def __reduce__(self):
        return (_note, (self.code, self.params))

    @property
    def parts(self) -> tuple:
        return (self,)

    def text(self, language: str = "zh", names: Names | None = None) -> str:
        return render(self.code, language, self.params, names)


def _note(code, params):
    return Note(code, **params)


class Notes(str):
    """Notes of one row, '; '-joined in English; each part keeps its code (a plain str part stays as written)."""

    parts: tuple

    def __new__(cls, parts=()):
        flat = tuple(q for p in parts if p for q in (p.parts if isinstance(p, (Note, Notes)) else (p,)))
        self = super().__new__(cls, "; ".join(flat))
        self.parts = flat
        return self

    def __reduce__(self):
        return (Notes, (self.parts,))

    def text(self, language: str = "zh", names: Names | None = None) -> str:
        return SEPARATOR[lang(language)].join(part_text(p, language, names) for p in self.parts)

    def codes(self) -> list[str]:
        return [getattr(p, "code", "") for p in self.parts]

    def find(self, code: str) -> Note | None:
        """The first part with `code`, or None."""
        return next((p for p in self.parts if getattr(p, "code", None) == code), None)


def part_text(part, language: str, names: Names | None = None) -> str:
    return part.text(language, names) if isinstance(part, (Note, Notes)) else str(part)


def parts_of(note) -> tuple:
    """The parts of a row's note or flags: a Note or Notes' parts, a plain str as one part, () for none."""
    if isinstance(note, (Note, Notes)):
        return note.parts
    return (note,) if isinstance(note, str) and note else ()
