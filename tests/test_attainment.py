"""Attainment: probabilities, verdicts, relational targets, final evaluation, backtest."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mzforecast as mzf
from mzforecast import attainment as A
from mzforecast import plan as P
from mzforecast import terms
from mzforecast.targets import Target


def level_target(value, comparator=">=", indicator="dibao_standard_urban", year=2025, **kw):
    return Target(id="t", indicator=indicator, comparator=comparator, value=value, unit="yuan/person/month",
                  year=year, quote="q", plan="p", region="changchun", base_year=2020, **kw)


def test_three_line_api(ds):
    fc = mzf.forecast(mzf.series("changchun", "dibao_standard_urban"), until=2025)
    sf = fc.summary_frame(levels=[80, 95])
    assert {"mean", "lo80", "hi80", "lo95", "hi95"} <= set(sf.columns) and sf.index[-1] == 2025
    df = mzf.assess_plan("changchun-14th")
    assert len(df) == len(mzf.get_plan("changchun-14th").targets) and set(df.verdict) <= set(A.VERDICTS)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(100, 3000), min_size=2, max_size=6))
def test_probability_in_unit_interval_and_monotone(ds, values):
    probs = [A.assess(level_target(v), ds, reference=2021)["probability"] for v in sorted(values)]
    assert all(0 <= p <= 1 for p in probs)
    assert all(a >= b - 1e-12 for a, b in zip(probs, probs[1:]))


def test_lower_is_better_comparator(ds):
    hi = A.assess(level_target(2000, "<="), ds, reference=2021)["probability"]
    lo = A.assess(level_target(600, "<="), ds, reference=2021)["probability"]
    assert hi > lo


def test_same_seed_same_result(ds):
    a = P.assess_plan("changchun-14th", ds, seed=3)
    b = P.assess_plan("changchun-14th", ds, seed=3)
    assert a.equals(b)


def test_final_evaluation_uses_the_data(ds):
    t = level_target(700, year=2020)
    r = A.assess(t, ds)
    assert r.verdict == "achieved" and r.method == "observed" and r.latest_value == 710
    assert A.assess(level_target(800, year=2020), ds).verdict == "not_achieved"


def test_relational_rural_vs_urban_dibao(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    r = A.assess(t, ds, reference=2021)
    # 2020: 6000 yuan/year = 500 a month against 710 a month
    assert r.latest_value == pytest.approx(500 / 710 * 100)
    assert 0 < r.probability < 1 and r.verdict in ("on_track", "at_risk", "off_track")


def test_ratio_with_history_is_forecast_as_its_own_series(ds):
    """Rural and urban dibao are raised together: the ratio (41%, 49%, 70% in 2010/15/20) is
    forecast directly, the same as forecasting that series by hand, and the chart shows the
    same paths as the verdict."""
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    r = A.assess(t, ds, reference=2021)
    _, ratio = terms.history(t, ds)
    assert list(ratio.index) == [2010, 2015, 2020]
    from mzforecast.models.ratio import ratio_forecast  # two standards converging to parity: models.ratio
    fc = ratio_forecast(ratio, 2025, t.bounds)
    x = fc.samples(A.N_SAMPLES, seed=0)[2025].to_numpy()
    assert r.method == fc.method == "ratio_growth" and r.n_obs == 3 and "set together" in r.note
    assert r.probability == pytest.approx(np.mean(x >= 75))
    assert r["median"] == pytest.approx(np.quantile(x, 0.5))
    _, bands = A.target_fan(t, ds)
    assert bands.loc[2025, "median"] == pytest.approx(r["median"])
    assert bands.loc[2025, "lo80"] == pytest.approx(r.lo80)


def test_ratio_of_standards_with_one_common_year_is_its_own_series(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    r = A.assess(t, ds, as_of=2014)  # only 2010 is known for both
    assert r.n_obs == 1 and "one observed year" in r.note and r.verdict == "insufficient_data"
    # what the probability rests on: the reference ratios of two standards, not one-point series of any kind
    assert 0 < r.probability < 1 and "prior of ratios of two standards" in r.note and "base rate" not in r.note


def test_ratio_of_other_series_with_one_common_year_combines_the_two_forecasts(ds):
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    t = t.model_copy(update={"denominator": "elderly_care_beds", "unit": "times", "bounds": None})
    r = A.assess(t, ds, as_of=2015)  # beds (2015 only) are no administered standard
    assert r.n_obs == 1 and "separately" in r.note


def test_tekun_relational_uses_previous_year_dibao(ds):
    t = mzf.get_target("changchun-14th", "table-01-tekun-urban", ds)
    r = A.assess(t, ds, reference=2021)
    assert r.verdict == "insufficient_data" and 0 < r.probability < 1


def test_growth_target(ds):
    t = mzf.get_target("changchun-13th", "social-organisations-growth", ds)
    r = A.assess(t, ds)  # 5601 (2015) -> 8283 (2020) is 8.14% a year, target 10%
    assert r.verdict == "not_achieved"
    assert A.assess(t, ds, as_of=2015).verdict in ("on_track", "at_risk", "off_track")
    assert A.outcome(t, ds) == pytest.approx(A.cagr(5601, 8283, 5))


def test_no_data_target_is_listed(ds):
    t = mzf.get_target("changchun-14th", "table-05-lottery-outlets", ds)
    r = A.assess(t, ds)
    assert r.verdict == "no_data" and "no observations" in r.note


def test_required_and_historical_growth(ds):
    r = A.assess(level_target(1000), ds, reference=2021)
    assert r.required_cagr == pytest.approx(A.cagr(710, 1000, 5))
    assert r.historical_cagr == pytest.approx(A.cagr(305, 710, 10))
    assert r.eurostat_class in ("significant", "moderate", "insufficient", "moving_away")
    assert r.unsd_class in ("on_track", "acceleration_needed", "stagnation_or_regression")


def test_classes():
    assert A.eurostat_class(5, 5) == "significant"
    assert A.eurostat_class(3.5, 5) == "moderate"
    assert A.eurostat_class(1, 5) == "insufficient"
    assert A.eurostat_class(-1, 5) == "moving_away"
    assert A.unsd_class(100, 200, 200) == "on_track"
    assert A.unsd_class(100, 150, 200) == "acceleration_needed"
    assert A.unsd_class(100, 101, 200) == "stagnation_or_regression"


def test_verdict_thresholds():
    assert [A.verdict_from_probability(p) for p in (0.9, 0.75, 0.5, 0.25, 0.1)] == \
        ["on_track", "on_track", "at_risk", "at_risk", "off_track"]


def test_milestones(ds):
    m = A.milestones(level_target(1000), ds)
    assert m.linear.iloc[0] == 710 and m.linear.iloc[-1] == 1000
    assert m.geometric.iloc[-1] == pytest.approx(1000)
    assert m.loc[m.year == 2020, "gap_linear"].iloc[0] == 0


def test_expected_year_interval(ds):
    r = A.assess(level_target(800), ds, reference=2021)
    assert 2021 <= r.expected_year_lo80 <= r.expected_year <= A.HORIZON_CAP
    # upper end: a year after the median, or NaN when over 10% of paths never reach it by the cap
    assert np.isnan(r.expected_year_hi80) or r.expected_year_hi80 >= r.expected_year
    far = A.assess(level_target(10 ** 7), ds)  # not reached by the horizon: NaN, not a guess
    assert np.isnan(far.expected_year)


def test_backtest_13th_plans(ds):
    df = mzf.backtest_plan("changchun-13th", 2015, ds)
    row = df.set_index("target_id").loc["certified-social-workers"]
    assert row.actual == 4139 and row.verdict_actual == "achieved" and row.verdict_then != "no_data"
    assert (df.as_of == 2015).all()


def test_rolling_backtest(ds):
    bt = mzf.backtest_series(ds.series("changchun", "dibao_standard_urban"), method="drift")
    assert len(bt) == 1 and bt.iloc[0].origin == 2015 and bt.iloc[0].actual == 710
    assert bt.iloc[0].forecast == pytest.approx(715)  # 305 (2010) -> 510 (2015) continued five years
    assert mzf.backtest_series(ds.series("changchun", "dibao_standard_urban")).iloc[0].method == "growth"  # auto uses the growth model for a standard


def test_cli_assess_and_backtest(capsys):
    from mzforecast.cli import main
    assert main(["assess", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 + sum(len(mzf.get_plan(p).targets) for p in mzf.list_plans())
    assert main(["backtest"]) == 0
    assert "verdict of 2015 matched" in capsys.readouterr().out
    assert main(["forecast", "changchun", "elderly_care_beds", "--until", "2025", "--format", "json"]) == 0
    assert '"lo95"' in capsys.readouterr().out
