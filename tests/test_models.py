"""Forecast models: known answers, properties over random series, gaps and awkward input."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from mzforecast import models as M
from mzforecast.attainment import cagr
from mzforecast.errors import ModelError


def S(d):
    return pd.Series(d, dtype=float)


def test_known_growth_rate():
    assert cagr(305, 510, 5) == pytest.approx(10.83, abs=0.005)


def test_drift_through_gap_uses_years_not_positions():
    fc = M.forecast(S({2010: 305, 2015: 510}), until=2020, method="drift")
    assert fc.summary_frame().loc[2020, "point"] == pytest.approx(715)
    assert list(fc.years) == [2016, 2017, 2018, 2019, 2020]


def test_loglinear_is_constant_growth():
    fc = M.forecast(S({2010: 100, 2011: 110, 2012: 121}), until=2014, method="loglinear")
    assert fc.point == pytest.approx([133.1, 146.41])


def test_theta_matches_statsmodels_on_consecutive_years():
    from statsmodels.tsa.forecasting.theta import ThetaModel
    y = np.array([940.66, 1084.86, 1244.98, 1445.02, 1683.17, 2038.15, 2342.52, 2602.45, 2927.87,
                  3103.96, 3360.27, 3807.63, 4387.88, 4936.99])  # M3 N0001
    s = pd.Series(y, index=pd.period_range("1975", periods=len(y), freq="Y"))
    ref = ThetaModel(s, period=1, deseasonalize=False).fit().forecast(6).to_numpy()
    ours = M.forecast(S(dict(zip(range(1975, 1989), y))), until=1994, method="theta").point
    assert ours == pytest.approx(ref, rel=0.01)


def test_one_point_says_no_trend():
    fc = M.forecast(S({2020: 50}), until=2025)
    assert fc.method == "naive"
    assert any("no trend" in n for n in fc.notes)
    assert (fc.point == 50).all()


def test_auto_follows_the_benchmark_rule():
    assert M.forecast(S({2019: 100, 2020: 110}), until=2025).method == "naive"   # consecutive pair
    assert M.forecast(S({2015: 100, 2020: 110}), until=2025).method == "theta"   # plan start and end
    assert M.forecast(S(dict(zip(range(2016, 2021), [1, 2, 3, 4, 5.0]))), until=2025).method == "theta"
    assert M.forecast(S(dict(zip(range(2011, 2021), range(1, 11)))), until=2025).method == "comb"


def test_two_points_allowed_with_wide_intervals():
    fc = M.forecast(S({2019: 100, 2020: 110}), until=2025, method="drift")
    sf = fc.summary_frame()
    assert fc.method == "drift"
    assert (sf.hi95 / sf.lo95).loc[2025] > 1.5


def test_share_model_stays_in_bounds():
    fc = M.forecast(S({2018: 80, 2019: 90, 2020: 97}), until=2030, kind="share")
    sf = fc.summary_frame()
    assert fc.method == "logistic"
    assert (sf[["point", "mean", "lo95", "hi95"]] <= 100).all().all() and (sf[["lo95"]] >= 0).all().all()


def test_log_model_with_zeros_is_refused_or_replaced():
    with pytest.raises(ModelError, match="positive values"):
        M.point_forecast("loglinear", np.array([1., 2.]), np.array([0., 5.]), np.array([1.]))
    fc = M.forecast(S({2018: 0, 2019: 5, 2020: 9}), until=2022, method="loglinear")
    assert fc.method == "drift" and any("log-linear" in n for n in fc.notes)


def test_constant_series():
    fc = M.forecast(S({2016: 7, 2018: 7, 2020: 7}), until=2023)
    assert fc.summary_frame()["point"].tolist() == [7, 7, 7]
    assert any("constant" in n for n in fc.notes)


def test_empty_and_no_horizon():
    with pytest.raises(ModelError):
        M.forecast(S({}), until=2025)
    with pytest.raises(ModelError, match="nothing to forecast"):
        M.forecast(S({2020: 1, 2025: 2}), until=2025)


def test_as_of_drops_later_years():
    fc = M.forecast(S({2010: 305, 2015: 510, 2020: 710}), until=2020, as_of=2015, method="drift")
    assert fc.n_obs == 2 and fc.summary_frame().loc[2020, "point"] == pytest.approx(715)


def test_vectorised_equals_single_series():
    rng = np.random.default_rng(3)
    Y = rng.uniform(50, 150, (5, 6)) + np.arange(6) * 4
    for sp in (1, 5):
        for m in ("naive", "drift", "linear", "loglinear", "damped", "theta", "comb"):
            many = M.point_forecasts_many(Y, m, np.arange(1, 7), sp)
            one = np.vstack([M.point_forecast(m, 2000.0 + np.arange(6) * sp, y, np.arange(1, 7.0)) for y in Y])
            assert many == pytest.approx(one)


series_st = st.lists(st.floats(1, 1e6), min_size=2, max_size=12).map(
    lambda v: S(dict(zip(range(2010, 2010 + len(v)), v))))


@settings(max_examples=40, deadline=None)
@given(series_st, st.floats(0.01, 1000), st.sampled_from(["auto", "drift", "linear", "damped", "theta", "comb"]))
def test_forecasts_scale_with_the_series(s, k, method):
    a = M.forecast(s, until=2026, method=method).summary_frame()
    b = M.forecast(s * k, until=2026, method=method).summary_frame()
    cols = ["point", "mean", "median", "lo80", "hi80", "lo95", "hi95"]
    assert np.allclose(b[cols].to_numpy(), a[cols].to_numpy() * k, rtol=1e-6, atol=1e-6 * k)


@settings(max_examples=40, deadline=None)
@given(series_st)
def test_80_interval_inside_95(s):
    sf = M.forecast(s, until=2028).summary_frame()
    assert (sf.lo95 <= sf.lo80 + 1e-9).all() and (sf.hi80 <= sf.hi95 + 1e-9).all()
    assert (sf.lo80 <= sf["median"] + 1e-9).all() and (sf["median"] <= sf.hi80 + 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(2000, 2020), min_size=2, max_size=8, unique=True), st.floats(10, 1000))
def test_gappy_years_are_handled(years, level):
    s = S({y: level * (1.05 ** (y - 2000)) for y in sorted(years)})
    fc = M.forecast(s, until=2025)
    assert fc.years[0] == max(years) + 1 and fc.years[-1] == 2025
    assert np.isfinite(fc.summary_frame()[["mean", "lo95", "hi95"]].to_numpy()).all()


def test_samples_are_deterministic_with_seed():
    fc = M.forecast(S({2010: 305, 2015: 510, 2020: 710}), until=2025)
    a, b = fc.samples(500, seed=7), fc.samples(500, seed=7)
    assert a.equals(b)
    assert not a.equals(fc.samples(500, seed=8))


def test_smoothness_factors_of_many_series_are_each_series_own():
    from mzforecast import calibration as C
    rng = np.random.default_rng(0)
    for m in range(1, 12):
        t = np.sort(rng.choice(np.arange(1995, 2026), m, replace=False)).astype(float)
        Y = np.round(np.exp(np.cumsum(rng.normal(0.05, rng.uniform(0.001, 0.4), (120, m)), axis=1)) * 800, 2)
        Y[::7, 0] = 0.0  # a zero or negative value: factor 1
        Y[::11, -1] = -3.0
        Y[::13] = Y[::13, :1]  # constant
        np.testing.assert_array_equal(C.smoothness_factors(t, Y), [C.smoothness_factor(t, y) for y in Y])


def test_a_count_falling_to_zero_keeps_an_honest_interval():
    """A multiple of a point of 0 has no width: a count whose trend reaches 0 takes its errors relative
    to the series' scale instead, still never below 0 (forecast and the regions' arrays share quantile_grid)."""
    s = pd.Series([4000.0, 3000.0, 2000.0, 1000.0], index=pd.Index([2018, 2019, 2020, 2021], name="year"))
    fc = M.forecast(s, until=2026, method="drift", kind="level").to_frame()
    assert (fc.point == 0).all()
    assert (fc[["lo80", "lo95"]].to_numpy() >= 0).all()
    assert (fc.hi80 > fc.lo80).all() and (fc.hi95 > fc.hi80).all()
    # one row that stays positive keeps the multiplicative errors; the row that reaches 0 does not
    Y = np.array([[100.0, 110.0, 120.0], [300.0, 200.0, 100.0]])
    P = np.array([[130.0, 140.0], [0.0, 0.0]])
    errq = np.array([[-0.2, 0.0, 0.2], [-0.3, 0.0, 0.3]])
    Q = M.quantile_grid(P, Y, errq, "level")
    np.testing.assert_allclose(Q[0], P[0][:, None] * np.exp(errq))
    np.testing.assert_allclose(Q[1], np.maximum(200.0 * (np.exp(errq) - 1), 0))
    assert (Q[1, :, -1] > Q[1, :, 0]).all()
