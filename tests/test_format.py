"""The one number formatter: the cases officials saw broken on the pages and in the CLI."""
import re
import subprocess
import sys

import numpy as np
import pandas as pd

from conftest import ROOT
from mzforecast import fmt


def test_counts_have_no_decimals_and_no_percent_sign():
    assert fmt.number(8283, "organisations") == "8,283个"
    assert fmt.number(8283, "organisations", "en") == "8,283 organisations"
    assert fmt.number(8283.0, "organisations", with_unit=False) == "8,283"
    assert fmt.number(2.4, "centres") == "2个"


def test_large_values_use_wan_and_yi_not_exponents():
    assert fmt.number(1.9e9, "yuan") == "19亿元"
    assert fmt.number(1_542_000_000, "yuan") == "15.4亿元"
    assert fmt.number(48000, "beds") == "4.8万张"
    assert fmt.number(1.9e9, "yuan", "en") == "1.9 billion yuan"
    assert fmt.number(30000, "people", "en") == "30,000 people"


def test_interval_has_one_scale_and_one_precision():
    assert fmt.interval(5275, 11400, "people") == "5,275 – 11,400人"  # not '0.53万' beside a median '7,876'
    assert fmt.interval(28400, 62100, "beds") == "2.84万 – 6.21万张"
    assert fmt.interval(0, 1.2e8, "yuan").endswith(" – 1.20亿元")  # a zero end keeps the larger scale
    assert fmt.interval(5e7, 2e8, "yuan") == "5,000万 – 20,000万元"
    assert fmt.interval(2.106, 66, "beds per 1000 elderly") == "2.1 – 66.0张/千名老人"
    assert fmt.interval(56.51, 117.84, "percent") == "56.5 – 117.8%"
    assert fmt.interval(np.nan, 3, "people") == "–"


def test_shares_money_and_times():
    assert fmt.number(70.4225, "percent") == "70.4%"
    assert fmt.number(710, "yuan/person/month") == "710元/人·月"
    assert fmt.number(1.53412, "times") == "1.53倍"
    assert fmt.number(30, "m2 per 100 households") == "30.0平方米/百户"


def test_probability_ends_and_missing_values():
    assert fmt.probability(0.0) == "<0.5%" and fmt.probability(1.0) == ">99.5%"
    assert fmt.probability(0.72) == "72%" and fmt.probability(None) == "–"
    assert fmt.number(float("nan"), "people") == "–"
    assert fmt.number(None, "people", reason="暂无观测数据") == "–（暂无观测数据）"


def test_axis_formatter_uses_one_scale_for_the_axis():
    f, label = fmt.axis_formatter(1.9e9, "yuan")
    assert label == "亿元" and f(1.9e9) == "19" and f(5e8) == "5"
    f, label = fmt.axis_formatter(830, "communities", "zh")
    assert label == "个" and f(800) == "800"
    f, label = fmt.axis_formatter(2e6, "people", "en")
    assert label == "million people" and f(1.5e6) == "1.5"


def test_table_view_formats_by_each_rows_unit():
    df = pd.DataFrame({"kind": ["level", "growth", "level"], "unit": ["organisations", "percent", "yuan"],
                       "latest_value": [8283.0, 10.04, 3e4], "probability": [0.001, 0.5, np.nan]})
    v = fmt.table_view(df[["latest_value", "probability"]], df)
    assert list(v.latest_value) == ["8,283", "10.0%", "30,000"]
    assert list(v.probability) == ["<0.5%", "50%", "–"]


def test_cli_table_has_no_exponent_or_nan():
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "assess", "--plan", "changchun-14th"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not re.search(r"\de[+-]\d", r.stdout) and not re.search(r"\b(nan|NaN|<NA>)\b", r.stdout)
    assert "85%" in r.stdout  # table-02's probability


def test_per_person_standards_are_written_in_full_not_in_wan():
    """A column of 特困 standards reads 9,535元/人·年 · 10,000元/人·年, not 9,535元 beside 1万元."""
    assert fmt.number(10000, "yuan/person/year") == "10,000元/人·年"
    assert fmt.interval(8500, 12400, "yuan/person/month") == "8,500 – 12,400元/人·月"
    assert fmt.number(28400, "beds") == "2.84万张"  # totals keep 万


def test_cli_plans_table_keeps_year_spans(capsys):
    """`mzforecast plans` lists 'years' as '2015-2020': text in a year column is shown as written."""
    from mzforecast import cli
    assert cli.main(["plans"]) == 0
    out = capsys.readouterr().out
    assert "2015-2020" in out and "changchun-14th" in out


def test_interval_writes_zero_as_zero_at_any_scale():
    assert fmt.interval(0, 1.2e8, "yuan") == "0 – 1.20亿元"
    assert fmt.interval(0, 1.2e9, "yuan", "en") == "0 – 1.20 billion yuan"
    assert fmt.interval(0, 55.5, "percent") == "0 – 55.5%"
    assert fmt.interval(-2.5e4, 0.0, "people").endswith(" – 0人")
    assert "0.00" not in fmt.interval(0, 3.4e4, "beds")


def test_cli_table_shows_booleans_as_words():
    """The backtest's inside80 column: yes / no / –, never 1 / 0."""
    import pandas as pd
    from mzforecast import fmt
    view = fmt.table_view(pd.DataFrame({"inside80": [True, False, None]}))
    assert list(view.inside80) == ["yes", "no", fmt.DASH]
