"""The words of the 总结评估 page (pages.closing), of the year-by-year rule findings (rules) and of
the drafting notes written against policy floors (draft_floors): sentences with parameters, in
Chinese, with English where a reader of the frames sees them. Imports nothing.
"""
from __future__ import annotations

# the 总结评估 page: its sentences, headings, form columns and chart words
PAGE = {
    "title": "<h1>{plan}：总结评估</h1>",
    "meta": "<p>{region} · 基期 {B} 年 · 目标年 {T} 年 · {when} · {n} 项指标{dash}</p>",
    "head": "《{plan}》目标年 {T} 年已过，本次为总结评估。共 {n} 项指标，其中约束性指标 {nb} 项。"
            "评估结果：{counts}。",
    "count": "{word} {k} 项",
    "rule": "（基本完成：未达到目标值，但在“左右”允许范围内，或从基期到目标已完成 {pct:g}% 以上；"
            "区间目标（如“30%–35%”）超过上限的为超额完成。）",
    "binding_ok": "约束性指标全部完成。",
    "no_binding": "本规划未设约束性指标。",
    "binding_no_data": "约束性指标 {n} 项中，{k} 项目标年无数据，无法判断是否完成。",
    "binding_all_no_data": "约束性指标 {n} 项均无目标年数据，无法判断是否完成。",
    # nothing judged yet: one sentence, no counts of zero, no definitions, no list of every name
    "nothing_yet": "《{plan}》目标年 {T} 年已过，本次为总结评估。共 {n} 项指标，其中约束性指标 {nb} 项。"
                   "全部 {n} 项尚无{years}数据，补报后即可评估。",
    "years_one": " {y} 年", "years_many": "目标年（{ys} 年）",
    "transferred": "另有 {k} 项 2018 年机构改革划出民政，仅列示、不评估。",
    "repeated": "{items}在规划中出现两次，按 1 项计。",
    "repeated_mark": "（规划中重复出现，按 1 项计，本行不计数）",
    "binding_missed": "未完成的约束性指标 {k} 项：{items}。",
    "breaches": "规划期内逐年核查，以下每年均应达到的政策规则在部分年份未达到",
    "fell": "以下约束性指标达到目标后又回落",
    "late": "逾期完成或完成后回落的指标：{items}。",
    "conflict": "规划文本中存在相互冲突的同类指标，均已分别评估：{items}。",
    "no_data_items": "目标年无数据、无法评估的指标 {k} 项：{items}，建议补报目标年数据。",
    "sub_overall": "总体情况",
    "sub_binding": "约束性指标完成情况",
    "sub_form": "主要指标完成情况",
    "sub_other": "其他需要说明的情况",
    "footnote": "完成进度 = (现值 − 基期值) / (目标值 − 基期值)，比率类目标按比率本身计算，年均增长类目标按基期值按目标增速"
                "复利推算的目标年水平计算，新增类目标按基期值加新增量计算；区间目标以近端为目标、进入区间即为 100%；"
                "完成进度达到或超过 100% 的标为“已达标”。数据中没有基期年数值的指标，以之后最早有数据的年份代替基期"
                "（基期值后注明年份）。约束性指标列在前。",
    # one unmet binding target
    "item": "{name}（现值 {value}，目标 {goal}",
    "item_unit": "责任单位：{unit}",
    "binding": "约束性", "expected": "预期性",
    # rule findings (rules.check), one line per rule
    "breach_year": "{y} 年 {v}",
    "bound_year": "{y} 年 {v}（超出上限 {b}）",
    "rule_line": "{name}（{goal}，{kind}）：{years}",
    "met_late": "{name}：目标年 {T} 年未达到，{y} 年达到（逾期完成）",
    "lost": "{name}：{y} 年已达到，{z} 年回落至目标以下",
    "lost_base": "{name}：基期（{y} 年）已达到，{z} 年回落至目标以下",
    "fell_line": "{name}（{goal}，{kind}指标）：{y} 年达到，{z} 年回落至 {v}",
    "fell_line_base": "{name}（{goal}，{kind}指标）：基期（{y} 年）已达到，{z} 年回落至 {v}",
    "conflict_item": "{name}（{source}：{text}，{kind}）",
    "source_table": "规划主要指标表", "source_text": "规划正文",
    # gaps in the target's terms
    "gap_growth": "年均增速差 {g:.1f} 个百分点",
    "gap_points": "差 {g:.1f} 个百分点",
    "gap": "差 {v}",
    "late_gap": "{T}年{gap}，{y}年达到", "late_lost": "，{y}年回落至目标以下",
    # the form
    "columns": ["指标", "属性", "基期值", "目标值", "现值", "年均增速", "完成进度", "完成情况", "差距", "责任单位"],
    "base_stand_in": "（{y}年，代替基期）", "year": "（{y}）", "target_year": "（{y}年）",
    # the chart
    "chart_alt": "各指标完成进度与完成情况",
    "no_chart": "<p>目标年无可评估的指标数据。</p>",
    "fell_back_bar": "基期已达标，现值回落：{gap}",
    "late_word": "逾期完成（{y}年达到）", "late_bar": "{y}年达到",
    "axis": "完成进度 %（{star}达到 100% 以上的按 100% 画出）", "axis_star": "★ 约束性指标；",
    "label_year": "（{y}年）", "label_goal": "（{g}）",
    "sep": "；", "list": "、", "comma": "，", "stop": "。", "close": "）",
}

# policy floors of a draft (rules.floors_for, draft_floors)
FLOOR = {
    "zh": {"achieved": "不低于上期末实际水平（{y}年 {v}；该标准只升不降）", "below": "草案值低于政策底线",
           "applied": "适用底线：{items}"},
    "en": {"achieved": "not below the level reached in {y} ({v}; the standard is never cut)",
           "below": "draft value below a policy floor", "applied": "floors applied: {items}"},
}

# the 起草说明 of one draft target (draft_floors.note_zh)
DRAFT = {
    "ratio_name": "{name}与{lag}{den}之比", "lag": "上年度",
    "head": "{name}：",
    "growth_points": "年均提高 {g:.1f} 个百分点", "growth_pct": "年均增长 {g:.1f}%",
    "trend": "{y0}—{y1} 年{grow}，{y1} 年为 {latest}；若保持这一增速，{T} 年约为 {trend}（简单外推，非预测中位数）。",
    "no_trend": "上期末（{y} 年）为 {latest}，数据不足以计算上期增速。",
    "draft": "草案值 {v}（{cls}{prob}）。", "prob": "，实现概率 {p}",
    "draft_plain": "草案值 {v}（暂无观测数据，无法测算实现概率）。",
    "draft_floor": "草案值 {v}（按政策底线）。",
    "draft_rule": "草案值 {v} 即政策规则本身：该比值由确定标准时按规则直接设定，而非随趋势变化，"
                  "用预测测算其实现概率是循环论证，故不给概率；建议沿用规则值 {v}。",
    "promise_floor": "按预测路径，{p}% 把握可承诺的数值低于适用底线，按底线 {v} 计（实现概率 {prob}，低于 {p}%）。",
    "promise": "按 {p}% 把握可承诺 {v}（按预测路径计算，取整到常用档位，且不低于适用底线）。",
    "floors": "适用底线：{items}。", "floor_item": "{v}（{source}）",
    "adjust": "{below}，建议调整。",
    "sep": "；",
    # the target-setting table's column of the last plan period's growth
    "period_points": "{g:.1f}个百分点/年", "period_pct": "{g:.1f}%", "span": "（{p}）",
}
