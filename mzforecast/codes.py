"""The engine's vocabulary: the codes that results carry (verdicts, progress statuses, evaluation
classes, binding, ambition) and their order. Codes only, no words: `mzforecast.messages` gives
each code its Chinese and English text. Imports nothing of the package.
"""
from __future__ import annotations

# a target's verdict; most urgent first is `VERDICT_ORDER`
VERDICTS = ("achieved", "on_track", "at_risk", "off_track", "not_achieved", "insufficient_data",
            "outcome_pending", "no_data", "transferred")
VERDICT_ORDER = ("off_track", "not_achieved", "at_risk", "on_track", "achieved", "insufficient_data",
                 "outcome_pending", "transferred", "no_data")
LIVE_VERDICTS = ("on_track", "at_risk", "off_track")  # a forecast judgement, not an observed outcome
LISTED_ONLY = ("no_data", "transferred")  # listed once, never scored

# 中期评估: 完成进度 against 序时进度
PROGRESS_STATUSES = ("ahead", "on_schedule", "behind")

# Eurostat SDG and UNSD progress classes
EUROSTAT_CLASSES = ("significant", "moderate", "insufficient", "moving_away", "target_met")
UNSD_CLASSES = ("on_track", "acceleration_needed", "stagnation_or_regression", "target_met")

# 属性 of a plan target: stored as a code, shown as 约束性 / 预期性
BINDING, EXPECTED = "binding", "expected"

# ambition of a draft target (probability it is met): safe >= 0.8 > ambitious >= 0.5 > stretch
AMBITION_CLASSES = ("safe", "ambitious", "stretch")
