"""What the report notebooks show, one module per page kind; the notebooks only call these, so the
logic is tested here:

- `dashboard`: a plan's status table, counts and one section per target (plan_dashboard);
- `indicator`: one target in depth: sources, milestones, every method (indicator_report);
- `backtest`: the verdicts of a past year beside the outcome (backtest);
- `evaluation`: 中期评估/总结评估 form and progress chart (evaluation); `workbook`: the form as
  summary.xlsx and `assess --format xlsx`;
- `regions`: one plan over many regions (regions_dashboard);
- `target_setting`: a draft plan's ambition and promisable values (target_setting);
- `charts`, `common`, `notes`: a target's chart, cells and notes, shared by the pages.

The names the plan-level notebooks call (`reports.plan_header`, …) are gathered here. Every
string from a data file is HTML-escaped (`mzforecast.html`), every number goes through `fmt`,
every word comes from `mzforecast.messages`.
"""
from __future__ import annotations

from ..html import (SUMMARY_MIME, anchors, drop_dead_links, e, record_summary, show, summary_records,  # noqa: F401
                    table as html_table, verdict_badge)
from ..messages.pages import DASHBOARD as L, METHOD_NAMES  # noqa: F401
from .backtest import backtest_charts, backtest_header, backtest_table, score_html  # noqa: F401
from .charts import alt_text, card_html, chart_html, target_figure  # noqa: F401
from .common import (expected_year, fmt_value, goal_text, method_name, target_name,  # noqa: F401
                     unit_label)
from .dashboard import (ORDER, charted, counts_html, dashboard_sections, data_year, no_data_list,  # noqa: F401
                        overview, plain_words, plan_header, risk_table, section_html, small_multiples,
                        verdict_counts)
from .indicator import (heading, indicator_header, method_note, methods_html, methods_table,  # noqa: F401
                        milestones_html, sources_table)
from .notes import no_data_reason, note_text, render_notes  # noqa: F401
