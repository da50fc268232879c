"""The growth model (mzforecast/growth.py): probabilities that follow a smooth series' trend,
positive growth for standards, family priors that match their fit on data/reference."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mzforecast import growth
from mzforecast.models import forecast

ROOT = Path(__file__).resolve().parent.parent
# a standard raised 6% every year, 2015-2024 (168.9 in 2024; the trend gives about 240 in 2030)
SMOOTH = pd.Series(100 * 1.06 ** np.arange(10), index=range(2015, 2025))


def _p_at_least(fc, year, value):
    return float((fc.samples(4000, seed=0)[year] >= value).mean())



def test_target_the_trend_passes_with_room_is_likely():
    fc = forecast(SMOOTH, until=2030, monotone="nondecreasing")
    assert fc.method == "growth"
    assert _p_at_least(fc, 2030, 190) >= 0.9


def test_target_far_above_the_trend_is_unlikely():
    fc = forecast(SMOOTH, until=2030, monotone="nondecreasing")
    assert _p_at_least(fc, 2030, 400) <= 0.1


def test_standard_paths_rise_without_a_point_mass_at_the_last_value():
    fc = forecast(SMOOTH, until=2030, monotone="nondecreasing")
    paths = fc.samples(4000, seed=0)
    assert (paths.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    assert float((paths[2030] <= SMOOTH.iloc[-1] + 1e-9).mean()) < 0.01


def test_explicit_method_keeps_the_previous_model():
    assert forecast(SMOOTH, until=2030, method="theta", monotone="nondecreasing").method == "theta"


def test_smoother_history_gives_narrower_intervals():
    rng = np.random.default_rng(1)
    rough = pd.Series(100 * np.exp(np.cumsum(0.06 + 0.08 * rng.standard_normal(10))), index=SMOOTH.index)
    w = lambda s: (lambda f: float((f.hi80 / f.lo80).iloc[-1]))(  # noqa: E731
        forecast(s, until=2030, monotone="nondecreasing").summary_frame())
    assert w(SMOOTH) < w(rough)


def test_family_priors_are_the_fit_on_the_reference_set():
    sys.path.insert(0, str(ROOT / "bench"))
    import domain_calibration as D
    fit = D.fit_priors(D.load())
    for fam, prior in fit.items():
        assert growth.FAMILY_PRIORS[fam] == prior



def test_pool_is_the_average_of_the_two_distributions():
    # models.combine.pool: what recipients get in production and the bench's "mixture" row
    from mzforecast.calibration import PROBS
    from mzforecast.models.combine import pool
    a = np.vstack([np.linspace(0, 1, len(PROBS))])      # uniform-like on [0, 1]
    b = a + 10                                            # the same, 10 higher
    assert np.allclose(pool(PROBS, a, a), a)
    m = pool(PROBS, a, b)[0]
    # half the mass below 1 and half above 10: the 0.25 quantile is a's 0.5, the 0.75 is b's 0.5
    assert np.interp(0.25, PROBS, m) == pytest.approx(a[0][PROBS == 0.5][0], abs=0.02)
    assert np.interp(0.75, PROBS, m) == pytest.approx(b[0][PROBS == 0.5][0], abs=0.02)
    assert 1 <= np.interp(0.5, PROBS, m) <= 10

def test_a_standard_takes_the_growth_model_alone():
    fc = forecast(SMOOTH, until=2030, monotone="nondecreasing")
    assert fc.method == "growth" and fc.notes[0].startswith("growth model: yearly growth")
    t, y, h = SMOOTH.index.to_numpy(float), SMOOTH.to_numpy(float), np.arange(1, 7)
    pg, _, qg, _ = growth.quantile_grid(t, y, h, "standard", "nondecreasing")
    assert np.allclose(fc.quantile_values, np.maximum.accumulate(np.maximum(qg, y[-1]), axis=0))
    assert np.allclose(fc.point, pg)


def _trend_model(s: pd.Series, until: int, h) -> tuple:
    """The calibrated trend model as models.combine joins it: the method auto picks by length and
    spacing, errors from the table of raw (unscaled) errors, after the structure. (forecast, grid)"""
    from mzforecast import calibration as C
    from mzforecast.models import choose_method, quantile_grid, spacing_bucket, structure_many
    t, y = s.index.to_numpy(float), s.to_numpy(float)
    method = choose_method(len(y), "level", spacing_bucket(t))
    trend = forecast(s, until=until, method=method, table=C.unscaled_table())
    _, errq = C.error_quantiles(method, len(y), 1, h, table=C.unscaled_table())
    _, qt, _ = structure_many(trend.point[None], quantile_grid(trend.point[None], y[None], errq, "level"), y[-1:],
                              None, None)
    return trend, qt


def test_other_families_average_the_growth_model_and_the_calibrated_trend_model_quantile_by_quantile():
    from mzforecast import calibration as C
    beds = SMOOTH.copy()
    beds.attrs = {"family": "beds"}
    fc = forecast(beds, until=2030)
    assert fc.method == "growth" and fc.notes[0].startswith("growth model averaged with the calibrated trend model")
    t, y, h = beds.index.to_numpy(float), beds.to_numpy(float), np.arange(1, 7)
    pg, _, qg, _ = growth.quantile_grid(t, y, h, "beds")
    trend, qt = _trend_model(SMOOTH, 2030, h)
    assert C.smoothness_factor(t, y) < 1  # the scaled table would have narrowed the trend model's errors
    assert np.allclose(fc.quantile_values, (qg + qt[0]) / 2)
    assert np.allclose(fc.point, (pg + trend.point) / 2)


def test_a_fall_in_a_never_cut_standard_is_a_break_the_growth_is_read_after_it():
    # 2020 from one source, 2021-2025 from another that starts lower: the fall is not a cut
    s = pd.Series({2010: 305.0, 2015: 510.0, 2020: 710.0, 2021: 650.0, 2022: 670.0, 2023: 685.0, 2024: 700.0,
                   2025: 710.0})
    s.attrs = {}
    fc = forecast(s, until=2030, monotone="nondecreasing")
    after = s.loc[2021:]
    t, y = after.index.to_numpy(float), after.to_numpy(float)
    _, _, qg, _ = growth.quantile_grid(t, y, np.arange(1, 6), "standard", "nondecreasing")
    assert np.allclose(fc.quantile_values, np.maximum.accumulate(np.maximum(qg, 710.0), axis=0))
    assert any("falls to 650 in 2021 (from 710)" in n for n in fc.notes)
    zh = [p.text("zh") for n in fc.notes for p in getattr(n, "parts", (n,)) if hasattr(p, "text")]
    assert any("2021年由710降至650" in z for z in zh)
    assert list(growth.break_starts(np.array([[1.0, 2.0, 1.5, 2.5], [1.0, 2.0, 3.0, 4.0]]))) == [2, 0]
    # a dip within rounding (1 % or less) is no break: the history is kept
    assert list(growth.break_starts(np.array([[500.0, 540, 580, 579, 581]]))) == [0]


def test_a_fall_in_the_last_year_leaves_the_family_prior_and_says_so():
    s = pd.Series({2020: 400.0, 2021: 440, 2022: 480, 2023: 520, 2024: 100})
    s.attrs = {}
    fc = forecast(s, until=2030, monotone="nondecreasing")
    one = pd.Series({2024: 100.0})
    one.attrs = {}
    alone = forecast(one, until=2030, monotone="nondecreasing")
    assert np.allclose(fc.quantile_values, alone.quantile_values)  # the history before the break is not used
    assert any("falls to 100 in 2024 (from 520)" in n for n in fc.notes)
    assert any("growth from the prior for standards" in n for n in fc.notes)


def test_a_standard_observed_once_grows_at_the_prior_income_growth():
    s = pd.Series({2025: 500.0})
    s.attrs = {}
    fc = forecast(s, until=2030, monotone="nondecreasing")
    sf = fc.summary_frame()
    assert fc.method == "growth"
    # the median grows at the stated long-run prior (6 % a year), never below the observed value
    assert sf.loc[2030, "median"] == pytest.approx(500 * np.exp(5 * growth.LONG_RUN["standard"]), rel=0.03)
    assert sf["lo95"].min() >= 500
    assert fc.notes[0].startswith("only one observation, no trend of its own: growth from the prior")


def test_propose_rising_standard_returns_more_than_the_last_value(tmp_path):
    f = tmp_path / "cc.csv"
    f.write_text("region,indicator,year,value,unit\n" + "".join(
        f"changchun,dibao_standard_urban,{y},{v},yuan/person/month\n"
        for y, v in zip(range(2021, 2026), (650, 670, 685, 700, 710))), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "mzforecast", "propose", "changchun", "dibao_standard_urban",
                          "--year", "2030", "--probability", "0.8", "--data", str(f)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    row = [ln for ln in out.stdout.splitlines() if ln.strip().startswith("80%")][0]
    value = float(row.split()[2].replace(",", ""))
    assert value > 710


@pytest.mark.parametrize("values,base", [((650, 670, 685, 700, 710), 710), ((740, 770, 790, 810, 830), 830)])
def test_changchun_2030_fan_stays_in_the_plausible_range(values, base):
    # docs/methods.md: held (never cut) at the bottom; at the top the fastest five-year rise of an
    # established urban standard in data/reference (national urban average 2008-2013, x1.82)
    from mzforecast import attainment
    from mzforecast.data import load
    from mzforecast.propose import _probe
    rows = [dict(region="changchun", indicator="dibao_standard_urban", year=y, value=v, unit="yuan/person/month",
                 source="test") for y, v in zip(range(2021, 2026), values)]
    ds = load(pd.DataFrame(rows))
    _, bands = attainment.target_fan(_probe("changchun", "dibao_standard_urban", 2030, ds), ds)
    lo, hi = bands.loc[2030, "lo95"], bands.loc[2030, "hi95"]
    assert base <= lo and hi <= base * 1.82, (lo, hi)


def test_growth_notes_read_in_chinese_on_a_page():
    from mzforecast.messages import note
    from mzforecast.messages.notes import Notes
    from mzforecast.pages.notes import draft_note, note_text
    fc = forecast(SMOOTH, until=2030, monotone="nondecreasing")
    zh = note_text(Notes(fc.notes), None, "zh")
    assert zh.startswith("增长模型：年增长5.8%（长期6.0%）") and "growth model" not in zh
    assert draft_note(growth.spread_note("en"), None, "zh") == note("growth_spread", "zh", mu_lr=6.0)


@pytest.mark.parametrize("family,monotone", [("standard", "nondecreasing"), ("beds", None)])
def test_many_series_at_once_give_each_series_own_numbers_to_the_last_bit(family, monotone):
    # the regions path forecasts thousands of series in one call; each must get exactly the numbers
    # np.quantile / np.median of its own simulated paths give (single-series path, one target)
    rng = np.random.default_rng(3)
    t = np.array([2015., 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024])
    Y = np.round(np.exp(np.cumsum(rng.normal(0.05, 0.04, (40, len(t))), axis=1)) * 300, 2)
    Y[::5, 4] = Y[::5, 3]  # some years held, so the hold draws are used
    h = np.arange(1.0, 7.0)
    P, probs, Q, stats = growth.quantile_grid_many(t, Y, h, family, monotone, chunk=7)
    for i, y in enumerate(Y):
        assert stats[i] == growth.stats_after_breaks(t, y[None], family, monotone)[0]
        if monotone is None or not growth.break_starts(y[None])[0]:
            assert stats[i] == growth.growth_stats(t, y, family)
        V, _ = growth.simulate(t, y, h, family, monotone)
        np.testing.assert_array_equal(P[i], np.median(V, axis=0))
        np.testing.assert_array_equal(Q[i], np.maximum.accumulate(np.quantile(V, probs, axis=0).T, axis=1))
    # on several threads (many series, two cores) the numbers are the same
    P2, _, Q2, _ = growth.quantile_grid_many(t, Y, h, family, monotone, chunk=3, threads=4)
    np.testing.assert_array_equal(P2, P)
    np.testing.assert_array_equal(Q2, Q)


def test_recipients_pool_the_two_models_distributions():
    from mzforecast.models.combine import pool
    s = pd.Series({2015: 1000.0, 2016: 930, 2017: 900, 2018: 820, 2019: 800, 2020: 760, 2021: 700})
    s.attrs = {"indicator": "dibao_recipients"}
    fc = forecast(s, until=2026)
    assert fc.method == "growth" and fc.notes[0].startswith("growth model pooled with the calibrated trend model")
    t, y, h = s.index.to_numpy(float), s.to_numpy(float), np.arange(1, 6)
    _, probs, qg, _ = growth.quantile_grid(t, y, h, "recipients")
    _, qt = _trend_model(s.rename(None).copy(), 2026, h)
    expected = pool(probs, qg, qt[0])
    assert np.allclose(fc.quantile_values, expected)
    # the pooled 80% interval spans at least each model's own middle: the models' disagreement is kept
    lo, hi = (np.interp(p, probs, fc.quantile_values[-1]) for p in (0.1, 0.9))
    assert lo <= min(np.interp(0.5, probs, qg[-1]), np.interp(0.5, probs, qt[0][-1])) <= hi


def test_pool_of_two_equal_distributions_is_that_distribution():
    from mzforecast.calibration import PROBS
    from mzforecast.models.combine import pool
    q = np.sort(np.random.default_rng(1).normal(size=(3, len(PROBS))), axis=1)
    assert np.allclose(pool(PROBS, q, q), q)


def test_held_years_in_the_history_are_counted_once_in_the_paths():
    # raised 8.4 % (log) a year but held in 4 of 14 years: the history's mean growth, 6 % a year, already
    # counts the holds, so the paths hold in that share of years and rise faster in the others. Their mean
    # stays at least the history's (a little above: a standard's mean growth is floored at a quarter of its
    # spread, which lifts the draws of this rough history); holding on top of the mean would give about
    # 6 % x (1 - 4/15) = 4.4 % plus that lift, below 5.5 %
    t = np.arange(2011, 2026, dtype=float)
    g = np.full(14, 0.084)
    g[[2, 5, 8, 11]] = 0.0
    y = 100 * np.exp(np.concatenate([[0.0], np.cumsum(g)]))
    V, st = growth.simulate(t, y, np.arange(1, 6), "standard", "nondecreasing")
    assert st["hold_share"] == pytest.approx(4 / 15)
    yearly = np.diff(np.log(np.column_stack([np.full(len(V), y[-1]), V])), axis=1)
    assert float((yearly == 0).mean()) == pytest.approx(4 / 15, abs=0.02)
    assert st["mu"] - 0.003 <= float(yearly.mean()) <= st["mu"] / (1 - 4 / 15)


def test_a_standards_growth_gap_to_the_income_prior_closes_within_a_plan_period():
    # 12 % a year for ten years, twice the income prior: the median path's yearly growth fades toward 6 %
    # on growth.FADE["standard"] years (5), while the other families keep the slower REVERT scale
    t = np.arange(2016, 2026, dtype=float)
    y = 100 * np.exp(0.12 * np.arange(10))
    V, st = growth.simulate(t, y, np.arange(1, 16), "standard", "nondecreasing")
    med = np.log(np.median(V, axis=0))
    yearly = np.diff(np.concatenate([[np.log(y[-1])], med]))
    lr = growth.LONG_RUN["standard"]
    expected = lr + (st["mu"] - lr) * np.exp(-np.arange(15) / growth.FADE["standard"])
    assert np.allclose(yearly, expected, atol=0.006)
    assert yearly[5] - lr < (st["mu"] - lr) * 0.45  # more than half the gap closed after five years
    assert growth.FADE["standard"] == 5.0 and "beds" not in growth.FADE  # beds fade on REVERT years


@pytest.mark.parametrize("family,monotone", [("standard", "nondecreasing"), ("beds", None), ("recipients", None)])
def test_the_first_years_alone_are_the_full_runs_to_the_last_bit(family, monotone):
    # the regions path computes the growth model to the target year only, and later years just for the
    # series whose first-passage years need them: the years computed must be the full run's exactly
    from mzforecast import growth_paths
    from mzforecast.models import growth_combined
    rng = np.random.default_rng(5)
    t = np.arange(2016.0, 2026.0)
    Y = np.round(np.exp(np.cumsum(rng.normal(0.05, 0.04, (9, len(t))), axis=1)) * 300, 2)
    Y[::4, 5] = Y[::4, 4]  # held years: the hold draws are used
    h = np.arange(1.0, 26.0)  # to 2050, as the regions path draws them
    P, probs, Q, _ = growth.quantile_grid_many(t, Y, h, family, monotone)
    P5, _, Q5, _ = growth.quantile_grid_many(t, Y, h, family, monotone, years=5)
    assert np.array_equal(P5[:, :5], P[:, :5]) and np.array_equal(Q5[:, :5], Q[:, :5])
    assert np.isnan(P5[:, 5:]).all() and np.isnan(Q5[:, 5:]).all()  # later years not computed
    # the yearly recursion itself: the same cumulative growth in the years run
    stats = growth.stats_after_breaks(t, Y, family, monotone)
    full = [C.copy() for _, C in growth_paths.cumulative_growth(stats, 25, monotone, 4000, growth.SEED, growth.REVERT)]
    part = [C.copy() for _, C in growth_paths.cumulative_growth(stats, 25, monotone, 4000, growth.SEED, growth.REVERT,
                                                                 years=5)]
    assert len(part) == 5 and all(np.array_equal(a, b) for a, b in zip(part, full))
    # and joined with the trend model, after the structure
    Pt = Y[:, -1:] * 1.05 ** h
    a = growth_combined(t, Y, h, "level", family, "theta", 0, Pt, monotone)
    b = growth_combined(t, Y, h, "level", family, "theta", 0, Pt, monotone, years=5)
    assert np.array_equal(b[0][:, :5], a[0][:, :5]) and np.array_equal(b[2][:, :5], a[2][:, :5])
