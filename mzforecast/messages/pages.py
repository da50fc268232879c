"""The words of the report pages, in Chinese and English: headings, column names, sentences with
parameters, chart legends, the index page. Labels of the engine's codes (verdicts, statuses,
classes) are in `mzforecast.messages.LABELS`; these are the words around them. Imports nothing.
"""
from __future__ import annotations

# the plan dashboard and the words shared by every page
DASHBOARD = {
    "zh": dict(indicator="指标", target="目标", year="目标年", latest="最新值", forecast="预测中位数",
               interval="80%区间", probability="实现概率", verdict="判断", counts="各类判断数量",
               nodata="无数据或不再评估的目标", method="方法", required="所需年均增速", historical="历史年均增速",
               binding="约束性", expected="预期性", source="来源", quote="原文", value="数值", unit="单位",
               eurostat="欧盟统计局分类", unsd="联合国统计司分类", reach="预计达标年份", type="属性",
               detail="详情", section="图表", deep="专题页", total="合计", obs_year="年份", status="状态",
               data_to="数据截至 {y} 年", as_of="按截至 {y} 年的数据", all_data="使用全部已有数据",
               targets="项目标", related="相关页面", backtest="{y}年回测", evaluation="实施情况评估", top="↑ 返回概览",
               sections="各目标详情", overview="目标状态一览", none_assessed="暂无可评估的目标（均无数据或已划出民政）。"),
    "en": dict(indicator="indicator", target="target", year="target year", latest="latest", forecast="forecast median",
               interval="80% interval", probability="probability", verdict="verdict", counts="targets by verdict",
               nodata="targets with no data or no longer assessed", method="method", required="required yearly growth",
               historical="historical yearly growth", binding="binding", expected="expected", source="source",
               quote="quote", value="value", unit="unit", eurostat="Eurostat class", unsd="UNSD class",
               reach="expected year reached", type="type", detail="detail", section="chart", deep="in depth",
               total="total", obs_year="year", status="status", data_to="data up to {y}",
               as_of="with data up to {y}", all_data="all available data", targets="targets",
               related="related pages", backtest="backtest as of {y}", evaluation="evaluation", top="↑ back to overview",
               sections="targets in detail", overview="status of every target",
               none_assessed="No target can be assessed (none has data, or all moved out of civil affairs)."),
}
# short words and punctuation inside cells and sentences
WORDS = {
    "zh": dict(added="新增 ", exceeded=" <small>超额</small>", exceeded_long="（超额完成）", base_rate="基础比率",
               nowcast="推算", one_point="<br><small>仅1个观测值，无趋势</small>", one_point_prior="<br><small>仅1个观测值，增速取先验</small>", late_met="<br><small>逾期完成（{y}年达到）</small>", colon="：", lp="（", rp="）",
               sep="；", stop="。", asof="截至{y}年", asof_all="现有", reading="解读：", plan_overview="规划总览",
               header_goal="<p>{target} {goal}（{year}，{kind}） · {back}</p>", yes="是", no="否",
               backtest_title="<h1>{plan}：{y}年的判断与实际结果</h1>", yearly_growth="年均增长 {x}", change="新增 {x}",
               level_and_word="{level}（{word}）", moved_out="2018年机构改革后划出民政", no_obs="暂无观测数据",
               ratio_name="{name}与{lag}{den}之比", lag="上年度", growth_title="（水平与目标增速路径）",
               change_title="：{y}年以来累计新增", alt="{title}：历史值、预测区间与目标（{goal}）",
               seen="{y}年：{v}", seen_ratio="{y}年：{ratio}（{v} ÷ {den}）", seen_ratio_both="{y}年：{ratio}（{v} ÷ {dy}年{den} {dv}）", in_other_unit="{v}（{own}）", card_one="仅有一个观测值，画不出趋势", card_none="没有可画的序列",
               later="实际：{y}年 {v}", path_label="{target}：{word}", add_line="新增 ", auto="自动",
               auto_chosen="{auto}（{chosen}）",
               no_milestones="{y}年（规划基年）无观测值，或该目标是增长率、增量目标，无年度分解。"),
    "en": dict(added="added ", exceeded=" <small>exceeded</small>", exceeded_long=" (exceeded)", base_rate="base rate",
               nowcast="nowcast", one_point="<br><small>one observation, no trend</small>", one_point_prior="<br><small>one observation, growth from the prior</small>", late_met="<br><small>met late ({y})</small>", colon=": ", lp=" (", rp=")",
               sep="; ", stop=".", asof="up to {y}", asof_all="available", reading="Reading: ",
               plan_overview="plan overview", header_goal="<p>{target} {goal} ({year}, {kind}) · {back}</p>",
               yes="yes", no="no", backtest_title="<h1>{plan}: the verdicts of {y} beside the outcome</h1>",
               yearly_growth="yearly growth {x}", change="added {x}", level_and_word="{level} ({word})",
               moved_out="moved out of civil affairs in the 2018 reform", no_obs="no observations",
               ratio_name="{name} ÷ {lag}{den}", lag="previous-year ", growth_title=" (level and required growth path)",
               change_title=": change since {y}", alt="{title}: observed values, forecast intervals and the target ({goal})",
               seen="{y}: {v}", seen_ratio="{y}: {ratio} ({v} ÷ {den})", seen_ratio_both="{y}: {ratio} ({v} ÷ {den} of {dy}, {dv})", in_other_unit="{v} ({own})", card_one="one observation: no trend to draw", card_none="no series to draw",
               later="observed later: {v} in {y}", path_label="{target}: {word}", add_line="add ", auto="auto",
               auto_chosen="{auto} ({chosen})",
               no_milestones="No observation in the base year {y}, or a growth or change target: no milestone path."),
}
# a target as planners write it (mzforecast.messages.goal)
GOAL = {
    "zh": dict(reach="达到 {goal}", about="{v}左右（±{d}）", points="个百分点",
               prefix={"growth": "年均增长 ", "change": "新增 "}),
    "en": dict(reach="{goal} (met at {a})", about="about {v} (±{d})", points=" pp",
               prefix={"growth": "yearly growth ", "change": "add "}),
}
# a plan target in one line (Target.describe: `mzforecast plans`, the CLI's tables), numbers as in the file
DESCRIBE = {
    "zh": dict(reach="达到 {a:g}–{b:g}", tolerance="（±{t:g}）", growth="年均增长 {val}%", change="规划期内新增 {val}{unit}",
               ratio="与{lag}{denominator}之比 {val}{unit}", lag="上年度", pct_up="比基期增长 {pct:g}%",
               pct_down="比基期下降 {pct:g}%", add="比基期增加 {add:g}"),
    "en": dict(reach="{a:g}–{b:g} (met at {a:g})", tolerance=" (±{t:g})", growth="average yearly growth {val}%",
               change="add {val}{unit} over the plan", ratio="ratio to {lag}{denominator} {val}{unit}",
               lag="previous-year ", pct_up="{signed:+g}% over the base year", pct_down="{signed:+g}% over the base year",
               add="base year {add:+g}"),
}
# the backtest's score in one line (the CLI and the backtest page)
SCORE_LINE = {
    "zh": ("共{targets}项目标（{transferred}项已划出民政，不评估）；{shown}项有预测或实际结果；"
           "{with_outcome}项有实际结果：{as_of}年作出判断的{called}项中{agree}项与实际一致，"
           "{at_risk}项判为存在风险（实现概率25%–75%，不判断能否实现，不计入一致），"
           "{no_call}项仅1个观测值（数据不足，不作判断）；"
           "80%区间覆盖实际值 {inside80}/{intervals}，95%区间 {inside95}/{intervals}"),
    "en": ("{targets} targets ({transferred} transferred, not scored); {shown} with a forecast or an "
           "outcome; {with_outcome} with an outcome: verdict of {as_of} matched the outcome for {agree} of "
           "the {called} it called, {at_risk} at risk (a 25-75% chance: no call either way), "
           "{no_call} with one observation made no call (insufficient data); "
           "80% interval held the outcome {inside80}/{intervals}, 95% {inside95}/{intervals}"),
}
# the backtest's score when no target has an outcome yet: nothing can be scored, say why
SCORE_NONE = {
    "zh": dict(head="共{targets}项目标（{transferred}项已划出民政，不评估）；{shown}项有预测；",
               one_obs="{shown}项均仅1个观测值，尚无实际结果，暂无法检验",
               pending="{shown}项均尚无实际结果（其中{one_obs}项仅1个观测值），暂无法检验",
               nothing="没有可检验的目标"),
    "en": dict(head="{targets} targets ({transferred} transferred, not scored); {shown} with a forecast; ",
               one_obs="all {shown} have one observation and no outcome yet: nothing can be scored",
               pending="none of the {shown} has an outcome yet ({one_obs} with one observation): nothing can be scored",
               nothing="nothing to score"),
}
METHOD_NAMES = {"zh": {"naive": "朴素", "drift": "漂移", "linear": "线性", "loglinear": "对数线性", "damped": "阻尼趋势",
                       "theta": "Theta法", "logistic": "逻辑斯蒂", "comb": "组合", "observed": "实际观测", "auto": "自动",
                       "held": "按政策规则保持", "ratio_growth": "比值增长（趋于并轨）"},
                "en": {"loglinear": "log-linear", "damped": "damped trend", "comb": "combination", "auto": "auto",
                       "held": "held by its policy rule", "ratio_growth": "ratio growth (converging to parity)"}}
# the Eurostat and UNSD classes inside a sentence: the English page writes the code in words
CLASS_WORDS = {"en": lambda kind, code: code.replace("_", " ")}
PHRASES = {
    "zh": dict(no_data="<p>{name}：暂无数据，无法判断。</p>",
               observed="<p>{name}：{year}年实际值 {value}，目标{goal}，{badge}。",
               forecast="<p>{name}：按目前趋势，{year}年预测中位数为 {median}（80%区间 {interval}），"
                        "实现目标（{goal}）的概率约为 <b>{p}</b>，判断为 {badge}。",
               grey="<p>{name}：目标{goal}，{badge}。",
               growth=" 从最新值出发，需年均增长 {req}，历史年均增长 {hist}。", required=" 从最新值出发，需年均增长 {req}。",
               growth_points=" 从最新值出发，需年均提高 {req}个百分点，历史年均提高 {hist}个百分点。",
               required_points=" 从最新值出发，需年均提高 {req}个百分点。",
               met_already=" 最新值已达到目标水平，保持即可实现。",
               gap_worse=" 但预测中位数对应的年均增长为 {med}，{side}所需增速：{why}。",
               gap_better=" 预测中位数对应的年均增长为 {med}，{side}所需增速（预测按近年走势外推，与历史平均不同）。",
               lower="低于", higher="高于",
               why_two="历史增速仅由两个观测值算得，预测模型不按其全速外推，区间也较宽",
               why_many="预测模型不按历史平均增速全速外推（侧重近年走势，并向同类序列的增速收缩）",
               eurostat=" 欧盟统计局分类：{cls}；", unsd=" 联合国统计司分类：{cls}。", reach=" 预计达标年份：{year}年。",
               method=" 预测方法：{m}。",
               classes=" 判断以实现概率为准；以下分类仅供比较（按增长率和点预测计算，可能与判断不同）：",
               classes_observed=" 判断依据实际值；以下分类仅供比较（按增长率计算）：",
               pending="<p>{name}：目标年{year}年已过，待实际数据。按{asof}数据推算，{year}年预测中位数为 {median}"
                       "（80%区间 {interval}），推算实现概率约为 {p}，判断为 {badge}。",
               base_rate="<p>{name}：只有一个观测值，数据不足，无法判断趋势。{year}年预测中位数为 {median}"
                         "（80%区间 {interval}），基础比率（同类单点序列的经验）约为 {p}，判断为 {badge}。",
               base_rate_held="<p>{name}：只有一个观测值，数据不足，无法判断趋势。该比值由政策规则确定，按最新值保持，"
                              "{year}年预测中位数为 {median}（80%区间 {interval}），实现概率约为 {p}，判断为 {badge}。",
               transferred="<p>{name}：2018年机构改革后已划出民政，仅列示、不评估。</p>"),
    "en": dict(no_data="<p>{name}: no data, no assessment.</p>",
               observed="<p>{name}: observed {value} in {year}; target {goal}: {badge}.",
               forecast="<p>{name}: on the current trend the {year} median forecast is {median} (80% interval "
                        "{interval}); probability of meeting the target ({goal}) <b>{p}</b>: {badge}.",
               grey="<p>{name}: target {goal}: {badge}.",
               growth=" Required yearly growth {req}, historical {hist}.", required=" Required yearly growth {req}.",
               growth_points=" Required yearly rise {req} percentage points, historical {hist}.",
               required_points=" Required yearly rise {req} percentage points.",
               met_already=" The latest value already meets the target; holding it is enough.",
               gap_worse=" But the median forecast implies yearly growth of {med}, {side} the required rate: {why}.",
               gap_better=" The median forecast implies yearly growth of {med}, {side} the required rate (the "
                          "forecast follows the recent trend, not the historical average).",
               lower="below", higher="above",
               why_two="the historical rate rests on two observations only, the model does not extrapolate it in "
                       "full, and the interval is wide",
               why_many="the model does not extrapolate the historical average in full (it weighs recent years and "
                        "shrinks toward the growth of similar series)",
               eurostat=" Eurostat class: {cls};", unsd=" UNSD class: {cls}.", reach=" Expected to be reached in {year}.",
               method=" Method: {m}.",
               classes=" The verdict rests on the probability; these classes are for comparison only (they use "
                       "growth rates and the point forecast, and may differ): ",
               classes_observed=" The verdict rests on the observed value; these classes are for comparison only: ",
               pending="<p>{name}: the target year {year} has passed; outcome pending. Nowcast from the data {asof}: "
                       "median {median} (80% interval {interval}), nowcast probability {p}: {badge}.",
               base_rate="<p>{name}: one observation, insufficient data to judge a trend. Median for {year} {median} "
                         "(80% interval {interval}); base rate (how one-point series moved) {p}: {badge}.",
               base_rate_held="<p>{name}: one observation, insufficient data to judge a trend. The ratio is set by a "
                              "policy rule and held at its value: median for {year} {median} (80% interval {interval}), "
                              "probability {p}: {badge}.",
               transferred="<p>{name}: moved out of civil affairs in the 2018 reform; listed, not scored.</p>"),
}
# the indicator (deep-dive) page
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
SOURCE_HEAD = {"zh": ["指标", "年份", "数值", "来源", "原文"], "en": ["indicator", "year", "value", "source", "quote"]}
MILESTONE_COLUMNS = {"zh": {"year": "年份", "linear": "线性分解", "geometric": "几何分解", "observed": "实际值",
                            "gap_linear": "与线性分解之差"},
                     "en": {"year": "year", "linear": "linear path", "geometric": "geometric path",
                            "observed": "observed", "gap_linear": "gap to linear path"}}
METHOD_COLUMNS = {"zh": {"method": "方法", "median": "预测中位数", "lo80": "80%下限", "hi80": "80%上限",
                         "probability": "实现概率", "verdict": "判断"}}
METHOD_HEAD = {"zh": ["方法", "预测中位数", "80%下限", "80%上限", "实现概率", "判断"],
               "en": ["method", "forecast median", "80% low", "80% high", "probability", "verdict"]}
# the backtest page
BACKTEST_COLUMNS = {
    "zh": ["指标", "目标", "当时观测点数", "当时预测中位数", "80%区间", "当时实现概率", "当时判断", "实际值", "实际结果", "区间是否覆盖实际"],
    "en": ["indicator", "target", "points then", "median then", "80% interval", "probability then", "verdict then",
           "actual", "outcome", "interval held actual"],
}
# chart legends and axes
CHART = {
    "zh": dict(history="历史值", median="预测中位数", band80="80%预测区间", band95="95%预测区间", target="目标",
               path="年度分解（线性）", base="规划基年", year="年份", actual="实际值", required="目标路径"),
    "en": dict(history="observed", median="forecast median", band80="80% interval", band95="95% interval",
               target="target", path="milestone path (linear)", base="plan base year", year="year",
               actual="actual", required="required path"),
}
# the regions dashboard
REGIONS = {
    "zh": dict(rank="风险排序", order="风险排序：实现概率由低到高（1 = 最可能未实现）；完成进度达到 100% 以上的记为“已达标”。",
               region="地区", latest="现值", goal="目标值", base="基期值", probability="实现概率",
               verdict="判断", progress="完成进度", time="序时进度", status="进度状态", behind="滞后序时进度的地区",
               none_behind="没有地区滞后于序时进度。", more="其余 {n} 个地区见 summary.csv（按实现概率从低到高排列，此处列出最低的 {k} 个）。",
               regions="个地区", example="示例：本页使用合成数据，不是真实统计。", counts="各类判断的地区数", counts_all="各类判断的地区·目标项次",
               worst="实现概率最低的 {k} 个地区", targets="个目标", colon="：", lp="（", rp="）", sep="，",
               semi="；", year="{y}年", dots="实现概率", nowcast="（目标年已过者为推算值）", responsible="责任单位",
               closing="完成情况",
               final="目标年 {y} 年已过，本节为总结评估，按完成情况评价；目标年数据发布前，“判断”与实现概率为按已有数据的推算。"),
    "en": dict(rank="risk rank", order="Risk ranking: probability of meeting the target from low to high (1 = most "
               "likely missed); completion of 100% or more reads 'met'.", region="region", latest="latest", goal="target", base="base value", probability="probability",
               verdict="verdict", progress="completion", time="time elapsed", status="against schedule", behind="regions behind schedule",
               none_behind="No region is behind schedule.", more="{n} more regions in summary.csv (ranked from the lowest "
               "probability; the lowest {k} are listed here).", regions="regions", example="Example: this page uses "
               "SYNTHETIC data, not real statistics.", counts="regions by verdict", counts_all="region × target pairs by verdict", worst="the {k} regions least likely to "
               "meet the target", targets="targets", colon=": ", lp=" (", rp=")", sep=", ", semi="; ", year="{y}",
               dots="probability of meeting the target", nowcast=" (nowcast where the year has passed)",
               responsible="responsible unit", closing="outcome",
               final="The target year {y} has passed, so this section is a final review: no comparison with "
                     "time elapsed; until the target year's data are out, the verdict and probability are a nowcast."),
}
# 中期评估/总结评估: the form is Chinese only (offices paste it into their report)
EVALUATION = dict(
    head=["指标", "属性", "基期值", "目标值", "现值", "完成进度", "序时进度", "状态", "预测判断", "责任单位"],
    no_progress="<p>暂无可计算完成进度的指标：需要基期值和基期之后的现值。数据补充后，本节按指标画出完成进度与序时进度。</p>",
    chart_alt="各指标完成进度与序时进度", chart_empty="暂无可计算完成进度的指标",
    axis="%（{star}完成进度超出 −50–150% 的截断显示）", axis_star="★ 约束性指标；", legend="完成进度：{s}", time="序时进度",
    final="总结评估", midterm="中期评估", nothing_yet="实施情况评估（暂无基期后数据）",
    data_to="数据截至 {y} 年", all_data="使用全部已有数据", dashboard="规划监测页",
    observed="{v}（实际值）",
)
# 目标测算 (target setting) page
DRAFT = {
    "zh": dict(head=["指标", "最新值(年份)", "草案目标", "实现概率", "50%把握可承诺值", "80%把握可承诺值",
                     "90%把握可承诺值", "隐含年均增速", "上一规划期年均增速", "起草说明"],
               table="测算总表", charts="分指标测算", notes="方法说明", ambition="{p}（{word}）",
               one_point="，仅1个观测值，无趋势", one_point_prior="，仅1个观测值，增速取先验", binding="（约束性）", draft="草案", lag="上年度",
               proxy="（以{name}计，下限）",
               at="{q}%把握 {v}", short_of="—（底线{v}仅{p}）", nodata="暂无法测算的指标", item="", hint="在数据文件中补充这些指标的年度数据后即可测算。",
               title="<p>目标测算：基期 {b} 年，目标年 {y} 年。",
               example="<strong>本草案为示例，目标值为演示用数值，并非正式规划。</strong>",
               explain="<p>“实现概率”是按现有数据和趋势，草案目标在目标年实现的概率：≥80% 为稳妥，50%–80% 为积极，"
                       "&lt;50% 为挑战（更可能未实现）。“80%把握可承诺值”是以 80% 的概率能够达到（越低越好的指标：不超过）的数值，"
                       "与实现概率出自同一组抽样路径：以该值为目标，实现概率至少为 80%，一般即为 80%；"
                       "若该值落在保障标准的最新值（只升不降）或比例的上下限上，实现概率更高，备注中注明。"
                       "政策底线高于可承诺值、其实现概率又低于该列把握程度时，该列不填数值，写作“—（底线…仅…）”。</p>",
               method_note="“实现概率”与监测报告的实现概率相同：4000 条抽样路径中草案目标在目标年实现的比例。"
                           "“X%把握可承诺值”是以 X% 的概率能够达到（越低越好的指标：不超过）的数值，因此以该值为目标，"
                           "实现概率至少为 X%：保障标准只升不降、比例不越过上下限，部分抽样路径恰好停在最新值或界限上；"
                           "可承诺值落在这些集中取值上时，实现概率高于 X%，备注中注明实际概率，否则即为 X%（抽样误差内）。"
                           "基期数据尚未发布时，从最新数据年份起算，预测期更长，区间更宽。"),
    "en": dict(head=["indicator", "latest (year)", "draft target", "probability (ambition)", "value at 50%",
                     "value at 80%", "value at 90%", "implied yearly growth", "historical yearly growth", "notes"],
               table="Summary table", charts="By indicator", notes="Notes on the method", ambition="{p} ({word})",
               one_point=", one observation, no trend", one_point_prior=", one observation, growth from the prior", binding=" (binding)", draft="draft ", lag="",
               proxy=" (through {name}: a lower bound)",
               at="at {q}%: {g}", short_of="– (floor {v}: only {p})", nodata="targets that cannot be computed yet", item="{id}: ",
               hint="Add their yearly values (a --data file) to compute them.",
               title="<p>Target setting: base year {b}, target year {y}. ",
               example="<strong>This draft is an example: its values are illustrative, not an official plan.</strong>",
               explain="<p>Ambition is the probability that the draft target is met in its year, given the data and "
                       "trend: ≥80% safe, 50–80% ambitious, &lt;50% stretch. The value at 80% is the value reached (for a "
                       "lower-is-better indicator: not exceeded) with 80% probability, from the same sample paths: a "
                       "target set there is assessed at 80% or more: at 80% unless the value falls on a point mass (a "
                       "standard held at its last value, a bound), where the note gives its higher probability.</p>",
               method_note="Ambition is the share of 4,000 sample paths in which the draft target is met, as in the "
                           "monitoring reports. The value at X% is met (for a lower-is-better indicator: not exceeded) "
                           "with probability X% on the same paths, so a target set there is assessed at X% or more: "
                           "where the value falls on a point mass (a standard held at its last value, a share or ratio "
                           "at its bound) the note gives the higher probability, elsewhere it is X% within sampling "
                           "error. Where the base year has no data yet, the horizon starts at the latest observed year "
                           "and the intervals are wider."),
}
# the index page of a run
INDEX = {
    "zh": dict(title="民政规划目标监测报告", run="生成时间", elapsed="用时", seconds="用时", data_version="数据版本", as_of="数据截至",
               report="报告", plan="规划", status="状态", ok="完成", failed="失败", back="← 返回目录",
               current="当前评估", deep="专题页", backtests="回测：当时的判断与实际结果", other="其他", data_to="数据截至 {y} 年",
               files="数据文件", stale="失败，显示上次生成的页面（已过期）",
               evaluation="实施情况评估（中期/总结评估）", regions_dashboard="分地区监测",
               target_setting="目标测算（下一五年规划草案）", evaluation_suffix="：实施情况评估", colon="：", no_progress="暂无法计算进度",
               failed_help="页面未能生成，请将以下技术信息转给技术人员", backtest_title="{plan}：{y}年回测",
               verdicts="判断", no_verdict="目标测算，无评估"),
    "en": dict(title="Civil-affairs plan targets: monitoring reports", run="run at", elapsed="took", seconds="took",
               data_version="data version", as_of="data up to", report="report", plan="plan", status="status",
               ok="ok", failed="FAILED", back="← index", current="current assessments", deep="in-depth pages",
               backtests="backtests: the verdicts then beside the outcome", other="other", data_to="data up to {y}",
               files="data files", stale="FAILED, showing the previous (stale) page",
               evaluation="evaluations (mid-term / final)", regions_dashboard="regions",
               target_setting="target setting (draft plans)", evaluation_suffix=": evaluation", colon=": ", no_progress="no progress yet",
               failed_help="the page was not made; technical details", backtest_title="{plan}: backtest as of {y}",
               verdicts="verdicts", no_verdict="target setting, no assessment"),
}
