"""The backtest page states targets with the one goal formatter (左右 and its tolerance kept) and
counts as agreeing with an outcome only a verdict that called it (有望实现/难以实现, not 存在风险)."""
import pandas as pd

import mzforecast as mzf
from mzforecast import backtest as B
from mzforecast.pages.backtest import backtest_table


def test_backtest_goals_keep_their_tolerance():
    ds = mzf.load()
    bt = B.backtest_plan("changchun-13th", 2015, ds)
    html = backtest_table(bt, ds)
    # the 13th plan's 社会组织: 年均增长 10% 左右 and 9,000个左右, as the evaluation pages write them
    assert "年均增长 10%左右（±0.5个百分点）" in html and "9,000个左右（±450个）" in html
    rows = [r for r in html.split("<tr>") if "社会组织数" in r or "社会组织" in r and "年均增长" in r]
    assert rows and not [r for r in rows if "<td>≥ 9,000个</td>" in r or "<td>年均增长 ≥ 10%</td>" in r]


def test_at_risk_never_agrees_with_an_outcome():
    row = dict(plan="p", indicator="x", target_year=2020, kind="level", comparator=">=", target_value=1.0,
               unit="", as_of=2015, n_obs_then=5, lo80=0.0, hi80=2.0, inside80=True, inside95=True)
    bt = pd.DataFrame([{**row, "target_id": "a", "verdict_then": "at_risk", "probability_then": 0.53,
                        "verdict_actual": "not_achieved"},
                       {**row, "target_id": "b", "verdict_then": "at_risk", "probability_then": 0.60,
                        "verdict_actual": "not_achieved"},
                       {**row, "target_id": "c", "verdict_then": "off_track", "probability_then": 0.1,
                        "verdict_actual": "not_achieved"},
                       {**row, "target_id": "d", "verdict_then": "on_track", "probability_then": 0.9,
                        "verdict_actual": "not_achieved"}])
    s = B.score(bt)
    assert (s["called"], s["agree"], s["at_risk"]) == (2, 1, 2)
    line = B.score_line(bt, 2015, "zh")
    assert "作出判断的2项中1项与实际一致" in line and "2项判为存在风险" in line
