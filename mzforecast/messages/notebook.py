"""Words of the notebook API's own displays: the fan chart a Forecast or an Assessment draws on the
analyst's axes, and the card an Assessment shows in a notebook. Imports nothing.
"""
from __future__ import annotations

# chart.fan: legend and axis words ({lv} is an interval level in percent)
FAN = {
    "zh": dict(history="历史值", median="预测中位数", band="{lv:g}%预测区间", target="目标", year="年份"),
    "en": dict(history="observed", median="forecast median", band="{lv:g}% interval", target="target", year="year"),
}

# assessment.Assessment: the card's row headings and the basis of its probability
CARD = {
    "zh": dict(verdict="判断", probability="实现概率", basis="概率依据", goal="目标", latest="最新值",
               median="{y}年预测中位数", band="80%预测区间", required="所需年均增长", required_points="所需年均提高", points="{x}个百分点", notes="说明", in_year="{text}（{y}年）", at_year="{text}（{y}）",
               forecast="预测", nowcast="推算（目标年已过，尚无实际值）", observed="实际值（已知结果）"),
    "en": dict(verdict="verdict", probability="probability", basis="basis", goal="target", latest="latest value",
               median="{y} forecast median", band="80% interval", required="required yearly growth",
               required_points="required yearly rise", points="{x} percentage points",
               notes="notes", in_year="{text} ({y})", at_year="{text} ({y})", forecast="forecast", nowcast="nowcast (target year passed, no outcome yet)",
               observed="observed outcome"),
}
