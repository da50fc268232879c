"""The backtest page (notebooks/backtest.ipynb): what the tool said as of a past year beside what
happened, its score line, and each target's chart as of then with the later observations.
Imports leaves, data, engine, `html` and the other page modules.
"""
from __future__ import annotations

import pandas as pd

from .. import fmt
from ..backtest import score_line
from ..data import Dataset
from ..html import e, table, verdict_badge
from ..messages.pages import BACKTEST_COLUMNS, WORDS
from ..targets import get_plan
from .charts import chart_html
from .common import actual_text, goal_text, interval, local_name, name, unit_of


def score_html(bt: pd.DataFrame, as_of: int, language: str = "zh") -> str:
    """The backtest's score, the same line the CLI prints (backtest.score_line)."""
    return f'<p class="score"><b>{e(score_line(bt, as_of, language))}</b></p>'


def backtest_header(plan_id: str, ds: Dataset, as_of: int, language: str = "zh") -> str:
    p = get_plan(plan_id, ds)
    plan = local_name(p, language)
    return WORDS[language]["backtest_title"].format(plan=e(plan), y=as_of)


def backtest_table(bt: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """What the tool said as of a past year beside what happened, as an HTML table."""
    W = WORDS[language]
    rows = []
    for r in bt.itertuples():
        unit = unit_of(r)
        rows.append([e(name(ds, r.indicator, language)),
                     goal_text(r, language),
                     str(r.n_obs_then), fmt.number(r.forecast_median, unit, language),
                     interval(r, ds, language),
                     fmt.probability(r.probability_then),
                     verdict_badge(r.verdict_then, language), actual_text(r, ds, language),
                     verdict_badge(r.verdict_actual, language),
                     "–" if r.inside80 is None or pd.isna(r.inside80) else (W["yes"] if r.inside80 else W["no"])])
    return table(BACKTEST_COLUMNS[language], rows, "risk")


def backtest_charts(plan_id: str, bt: pd.DataFrame, ds: Dataset, as_of: int, method="auto", language="zh") -> str:
    """Each target the tool judged then: its chart as of then, with what was observed later."""
    targets = {t.id: t for t in get_plan(plan_id, ds).targets}
    parts = []
    for r in bt[bt.verdict_then != "no_data"].itertuples():
        t = targets[r.target_id]
        parts.append(f"<h3>{e(name(ds, t.indicator, language))}</h3>"
                     + chart_html(t, ds, None, as_of, method, language, actual=True))
    return "".join(parts)
