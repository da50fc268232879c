"""Issue 9: verdicts an official can trust, on the bundled data, case by case."""
import json
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import mzforecast as mzf
from mzforecast import attainment as A
from mzforecast import plan as P
from mzforecast import simulate, terms
from mzforecast.messages import labels
from mzforecast import backtest as B
from mzforecast import models as M
from mzforecast import pages as reports, plots
from mzforecast.data import Indicator
from mzforecast.errors import ModelError
from mzforecast.targets import Target, list_plans

NOW = 2026  # the reference year of the bundled results: late 2026, the 14th plan has ended


@pytest.fixture(scope="module")
def cc14(ds):
    return P.assess_plan("changchun-14th", ds, reference=NOW).set_index("target_id")


def S(d):
    return pd.Series(d, dtype=float)


# ---- 1. structure: administered standards never fall, shares stay in bounds
def test_urban_dibao_never_forecast_below_its_last_value(ds):
    fc = mzf.forecast(ds.series("changchun", "dibao_standard_urban"), until=2030)
    sf = fc.summary_frame()
    assert (sf.lo95 >= 710).all() and (sf.point >= 710).all()
    paths = fc.samples(4000, seed=0).to_numpy()
    assert (paths >= 710).all() and (np.diff(paths, axis=1) >= 0).all()
    assert any("only raised or held" in n for n in fc.notes)


def test_cli_forecast_urban_dibao_lo95(capsys):
    from mzforecast.cli import main
    assert main(["forecast", "changchun", "dibao_standard_urban", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5 and all(r["lo95"] >= 710 for r in rows)


def test_declared_structure(ds):
    standards = {i for i, m in ds.indicators.items() if m.monotone == "nondecreasing"}
    assert {"dibao_standard_urban", "dibao_standard_rural", "tekun_standard_urban", "tekun_standard_rural",
            "orphan_allowance_institutional", "orphan_allowance_scattered"} <= standards
    assert all(m.bounds == (0, 100) for m in ds.indicators.values() if m.kind == "share")
    # a user's indicator file can declare the same
    ind = Indicator.model_validate(dict(id="my_allowance", name_zh="补贴标准", unit="yuan", monotone="nondecreasing",
                                        bounds=[0, None]))
    assert ind.monotone == "nondecreasing" and ind.bounds == (0, None)
    with pytest.raises(ValueError, match="lower bound must be below"):
        Indicator.model_validate(dict(id="x", name_zh="x", unit="percent", bounds=[100, 0]))


def test_series_at_its_upper_bound_is_forecast_there():
    fc = M.forecast(S({2014: 100, 2015: 100}), until=2020, kind="share")
    assert np.all(fc.quantile_values == 100) and any("upper bound" in n for n in fc.notes)
    t = Target(id="t", indicator="marriage_registration_pass_rate", comparator=">=", value=100, unit="percent",
               year=2020, quote="q", plan="p", region="changchun", base_year=2015)
    assert t.met(fc.samples(100)[2020]).all()


def test_orphan_allowance_2015_forecast_never_below_2015(ds):
    bt = B.backtest_plan("changchun-13th", 2015, ds).set_index("target_id")
    assert bt.loc["orphan-allowance-institutional", "lo95"] >= 1000
    assert bt.loc["orphan-allowance-scattered", "lo95"] >= 700


# ---- 2. ratio targets between administered standards
@pytest.mark.parametrize("tid", ["table-01-tekun-urban", "table-01-tekun-rural"])
def test_tekun_meets_its_rule_on_the_data(cc14, tid):
    r = cc14.loc[tid]
    assert r.latest_value >= 1.5 and r["median"] >= 1.5 and r.lo80 >= 1.3  # held by its rule: narrow
    assert "lower bound" in r.note and "set by a policy rule" in r.note and "from its 1 observed year" in r.note


def test_tekun_latest_is_same_year_ratio(cc14):
    assert cc14.loc["table-01-tekun-urban", "latest_value"] == pytest.approx(1130 / 710)
    assert cc14.loc["table-01-tekun-rural", "latest_value"] == pytest.approx(860 / 500)


def test_rural_urban_ratio_bounded_by_100(cc14, ds):
    r = cc14.loc["table-02-rural-urban-dibao"]
    assert r.hi95 <= 100 and r.hi80 <= 100
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    _, bands = A.target_fan(t, ds)
    assert (bands.hi95 <= 100).all()


def test_cli_assess_changchun_14th_done_when(capsys):
    from mzforecast.cli import main
    assert main(["assess", "--plan", "changchun-14th", "--format", "json"]) == 0
    rows = {r["target_id"]: r for r in json.loads(capsys.readouterr().out)}
    for tid in ("table-01-tekun-urban", "table-01-tekun-rural"):
        r = rows[tid]
        assert r["latest_value"] >= 1.5 and r["median"] >= 1.5 and r["lo80"] >= 1.0
    assert rows["table-02-rural-urban-dibao"]["hi95"] <= 100


# ---- 3. one observation
def test_one_observation_is_insufficient_data_with_a_base_rate(ds):
    res = P.assess_plan("changchun-13th", ds, as_of=2015)
    one = res[(res.n_obs == 1) & res["median"].notna()]
    assert len(one) >= 4 and set(one.verdict) == {"insufficient_data"}
    assert one.note.str.contains("base rate").all()
    assert plots.COLORS["insufficient_data"] == plots.COLORS["no_data"]  # grey, never a failure colour


def test_notes_say_what_the_model_does(ds):
    """'held flat' only where the median does not move."""
    for plan in list_plans():
        for as_of in (None, 2015):
            res = P.assess_plan(plan, ds, as_of=as_of, reference=NOW)
            for r in res[(res.n_obs == 1) & res["median"].notna() & (res.kind == "level")].itertuples():
                moved = abs(r.median / r.latest_value - 1) > 0.01
                if moved:
                    assert "held flat" not in r.note, (plan, r.target_id)


# ---- 4. "达到 a–b"
def test_beds_per_1000_range_is_met_at_35_and_exceeded_above_40(ds):
    t = mzf.get_target("changchun-13th", "beds-per-1000-elderly", ds)
    assert t.comparator == ">=" and t.value == 35 and t.value_high == 40 and "超额" in t.note
    assert t.met([34, 35, 40, 45]).tolist() == [False, True, True, True]
    assert t.exceeded([35, 40, 45]).tolist() == [False, False, True]
    r = A.assess(t, ds, as_of=2015)
    # one observation (34 in 2015) is held with a spread: about even odds of reaching the band's lower
    # edge 35, where it is met (judged at the band's middle it was 0.21)
    assert r.verdict == "insufficient_data" and 0.4 < r.probability < 0.5
    assert "range: met at 35" in r["flags"]
    # an observed 45 is achieved and exceeded
    extra = ds.observations.iloc[:1].assign(region="changchun", indicator="elderly_care_beds_per_1000_elderly",
                                            year=2020, value=45.0, unit="beds per 1000 elderly")
    ds2 = mzf.Dataset(pd.concat([ds.observations, extra], ignore_index=True), ds.indicators, ds.regions, ds.sources)
    r = A.assess(t, ds2)
    assert r.verdict == "achieved" and bool(r["exceeded"]) is True


def test_no_band_left_without_a_reading(ds):
    for plan in list_plans():
        for t in mzf.get_plan(plan, ds).targets:
            if t.value_high is not None:
                assert t.note, (plan, t.id)


# ---- 5. passed target years and the 2018 reform
def test_jilin_13th_has_no_live_verdict_for_2020(ds):
    res = P.assess_plan("jilin-13th", ds, reference=NOW)
    live = res[res.verdict.isin(["on_track", "at_risk", "off_track"]) & (res.target_year == 2020)]
    assert live.empty
    pending = res[res.verdict == "outcome_pending"]
    assert len(pending) and pending.probability.isna().all() and pending.probability_nowcast.notna().all()


def test_reference_year_is_injectable(ds, monkeypatch):
    t = mzf.get_target("jilin-13th", "beds-per-1000-elderly", ds)
    assert A.assess(t, ds, reference=2020).verdict == "insufficient_data"
    assert A.assess(t, ds, reference=2021).verdict == "outcome_pending"
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2020")
    assert A.reference_year() == 2020 and A.reference_year(2015) == 2015


@pytest.mark.parametrize("plan", ["changchun-13th", "jilin-13th"])
def test_veteran_resettlement_is_transferred_not_scored(ds, plan):
    r = A.assess(mzf.get_target(plan, "veteran-resettlement", ds), ds, reference=NOW)
    assert r.verdict == "transferred" and r.probability is None and "2018" in r.note


def test_transferred_targets_are_the_2018_functions(ds):
    words = ("veteran", "youfu", "medical", "disaster", "model-communities", "shelters", "reserve", "warehouses")
    for plan in list_plans():
        for t in mzf.get_plan(plan, ds).targets:
            if t.transferred:
                assert any(w in t.id for w in words) and "2018" in t.note, t.id


# ---- 6/7. one headline verdict, fields, probabilities
def test_fields_mean_median_point(ds, cc14):
    assert {"mean", "median", "point", "probability_nowcast", "exceeded", "flags"} <= set(A.FIELDS)
    assert "forecast_mean" not in A.FIELDS
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    got = simulate.sample(t, ds, until=A.HORIZON_CAP)
    x = got.paths[2025].to_numpy()
    r = cc14.loc["table-02-rural-urban-dibao"]
    assert r["mean"] == pytest.approx(x.mean()) and r["median"] == pytest.approx(np.median(x))
    assert r.point == pytest.approx(got.points[2025])
    fc = mzf.forecast(ds.series("changchun", "dibao_standard_urban"), until=2025)
    assert fc.summary_frame().loc[2025, "mean"] == pytest.approx(fc.samples(20000)[2025].mean(), rel=0.01)


def test_probability_text_and_clipping(ds):
    assert A.probability_text(0.0002) == "<0.5%" and A.probability_text(0.9999) == ">99.5%"
    assert A.probability_text(0.5) == "50%" and A.probability_text(None) == "–"
    assert A.probability_text(1.0, known=True) == "100%"
    for plan in list_plans():
        res = P.assess_plan(plan, ds, as_of=2015, reference=NOW)
        fc = res[res.probability.notna() & (res.method != "observed")]
        assert ((fc.probability >= A.P_MIN) & (fc.probability <= A.P_MAX)).all()


def test_no_nan_in_notes_and_readings_in_chinese(ds):
    for plan in list_plans():
        for as_of in (None, 2015):
            res = P.assess_plan(plan, ds, as_of=as_of, reference=NOW)
            for col in ("note", "flags"):
                text = " ".join(res[col].fillna(""))
                assert not re.search(r"\bnan\b", text, re.I), (plan, col)
                for v in res[col].dropna():  # target and indicator ids may stay as they are
                    zh = re.sub(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+", "", reports.note_text(v, ds, "zh"))
                    assert not re.search("[A-Za-z]{3,}", zh), v


def test_text_says_which_judgement_rules(ds, cc14):
    row = A.assess(mzf.get_target("changchun-13th", "social-organisations-count", ds), ds, as_of=2015)
    assert row.eurostat_class and row.unsd_class
    zh = reports.plain_words(row, ds, "zh")
    assert "判断以实现概率为准" in zh and "仅供比较" in zh and "nan" not in zh
    assert "The verdict rests on the probability" in reports.plain_words(row, ds, "en")


def test_every_verdict_has_label_colour_and_order():
    for v in A.VERDICTS:
        assert v in labels("verdict", "zh") and v in plots.COLORS and v in reports.ORDER


# ---- 8. readings of the plan documents
def test_plan_readings_are_flagged(ds, cc14):
    assert "conflict" in cc14.loc["table-14-nursing-beds-public-homes", "flags"]
    assert "conflict" in cc14.loc["text-nursing-beds-public-homes-60", "flags"]
    r = cc14.loc["table-08-social-work-professionals"]
    assert "proxy: certified_social_workers" in r["flags"] and r.verdict != "no_data"
    assert r.latest_value == 4139 and "lower bound" in r.note
    cc13 = P.assess_plan("changchun-13th", ds, reference=NOW).set_index("target_id")
    assert "duplicate" in cc13.loc["km2-communities", "flags"] and "duplicate" in cc13.loc["community-space-1000m2", "flags"]
    assert "tolerance" in cc13.loc["social-organisations-count", "flags"]
    t = mzf.get_target("changchun-13th", "social-organisations-count", ds)
    assert t.tolerance == 450 and t.met([8550, 8549]).tolist() == [True, False]


# ---- 9. backtest in the target's terms
def test_social_organisations_growth_backtest_inside_its_interval(ds):
    bt = B.backtest_plan("changchun-13th", 2015, ds).set_index("target_id")
    r = bt.loc["social-organisations-growth"]
    assert r.actual == pytest.approx(A.cagr(5601, 8283, 5)) and r.inside80 is True
    s = B.score(bt.reset_index())
    assert s["inside80"] == 6 and s["intervals"] == 7


def test_cli_backtest_prints_the_score_line(capsys, ds):
    from mzforecast.cli import main
    assert main(["backtest"]) == 0
    out = capsys.readouterr().out
    bt = pd.concat([B.backtest_plan(p, 2015, ds) for p in B.BACKTEST_PLANS], ignore_index=True)
    assert B.score_line(bt, 2015) in out
    assert "80%区间覆盖实际值" in B.score_line(bt, 2015, "zh")


# ---- 10. horizons
def test_absurd_horizon_is_refused_at_once(ds):
    with pytest.raises(ModelError, match="2100"):
        M.forecast(ds.series("changchun", "dibao_standard_urban"), until=100_000_000)
    with pytest.raises(ValueError, match="2100"):
        Target(id="t", indicator="x", comparator=">=", value=1, unit="people", year=3000, quote="q")
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "mzforecast.cli", "forecast", "changchun", "dibao_standard_urban",
                        "--until", "100000000"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "2100" in p.stderr and time.perf_counter() - t0 < 5


# ---- 11. properties
series_st = st.lists(st.floats(1, 1e5), min_size=1, max_size=8).map(
    lambda v: S(dict(zip(range(2012, 2012 + len(v)), v))))


@settings(max_examples=40, deadline=None)
@given(series_st, st.sampled_from(["auto", "drift", "linear", "damped", "theta", "comb", "naive"]))
def test_monotone_indicators_give_monotone_paths(s, method):
    fc = M.forecast(s, until=2030, method=method, monotone="nondecreasing")
    paths = fc.samples(500, seed=1).to_numpy()
    assert (paths >= s.iloc[-1] - 1e-9).all() and (np.diff(paths, axis=1) >= -1e-9).all()
    sf = fc.summary_frame()
    assert (np.diff(sf.lo95.to_numpy()) >= -1e-9).all() and (sf.point.diff().dropna() >= -1e-9).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=8), st.sampled_from(["auto", "drift", "theta", "comb"]),
       st.sampled_from([None, "nondecreasing"]))
def test_bounded_indicators_stay_inside_bounds(values, method, monotone):
    s = S(dict(zip(range(2012, 2012 + len(values)), values)))
    for kind, bounds in (("share", None), ("level", (0.0, 100.0)), ("ratio", (0.0, 100.0))):
        fc = M.forecast(s, until=2030, method=method if kind != "share" else "auto", kind=kind, bounds=bounds,
                        monotone=monotone)
        paths = fc.samples(500, seed=2).to_numpy()
        sf = fc.summary_frame()
        assert (paths >= 0).all() and (paths <= 100).all()
        assert (sf[["point", "mean", "median", "lo95", "hi95"]].to_numpy() <= 100 + 1e-9).all()
        assert (sf[["point", "mean", "median", "lo95", "hi95"]].to_numpy() >= -1e-9).all()


def test_pages_show_the_readings(ds, cc14):
    r = cc14.loc["table-14-nursing-beds-public-homes"].copy()
    r["target_id"] = "table-14-nursing-beds-public-homes"
    zh = reports.plain_words(r, ds, "zh")
    assert "目标冲突" in zh and "规划正文为" in zh and "text-" not in zh  # no internal id on a Chinese page
    cc13 = P.assess_plan("changchun-13th", ds, reference=NOW).set_index("target_id")
    assert "重复目标" in reports.plain_words(cc13.loc["km2-communities"], ds, "zh")
    res = P.assess_plan("changchun-13th", ds, as_of=2015)
    html = reports.risk_table(res, ds, "en")
    assert "base rate" in html and "基础比率" not in html


def test_user_indicator_file_declares_structure(write):
    from mzforecast.data import load
    f = write("mine.csv", "region,indicator,year,value,unit,indicator_name\n"
                          "changchun,my_allowance,2019,300,yuan,我的补贴\nchangchun,my_allowance,2020,320,yuan,我的补贴\n")
    write("mine.indicators.yaml", "indicators:\n- id: my_allowance\n  name_zh: 我的补贴\n  unit: yuan\n"
                                  "  monotone: nondecreasing\n")
    ds = load([str(f)])
    assert ds.indicators["my_allowance"].monotone == "nondecreasing"
    fc = mzf.forecast(ds.series("changchun", "my_allowance"), until=2025)
    assert (fc.summary_frame().lo95 >= 320).all()


def test_same_year_bound_decides_a_target_it_meets(ds):
    t = mzf.get_target("changchun-14th", "table-01-tekun-urban", ds).model_copy(update={"year": 2020})
    r = A.assess(t, ds, reference=NOW)
    assert r.verdict == "achieved" and r.latest_value == pytest.approx(1130 / 710) and "lower bound" in r.note
    hard = t.model_copy(update={"value": 1.7})  # the bound (1.59) cannot decide a 1.7 target
    assert A.assess(hard, ds, reference=NOW).verdict != "achieved"
