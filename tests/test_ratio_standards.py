"""A ratio of two administered standards that no rule fixes (rural ÷ urban 低保) is forecast by
models.ratio on every path that samples it (simulate._ratio): a narrow fan rising toward parity,
never above it, never falling. Series built here or the bundled data."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import mzforecast as mzf
from mzforecast import growth
from mzforecast.models import ratio as R
from mzforecast.propose import propose

from conftest import ROOT


def _changchun():
    return propose("changchun", "dibao_standard_rural", year=2030, probabilities=[0.3, 0.5, 0.8, 0.9],
                   denominator="dibao_standard_urban", unit="percent").set_index("probability")


def test_changchun_rural_over_urban_2030_is_narrow_and_honest():
    """Bundled: 41.0 % (2010), 49.0 % (2015), 70.4 % (2020). The trend model with M1/M3/Tourism errors
    read 49 % at 90 % (rural falling to half the urban standard). The standards are set together and
    converge (城乡统筹): at 90 % the ratio holds at least about its 2020 level, and at 30 % it reaches
    parity (Beijing and Shanghai unified theirs in 2015)."""
    p = _changchun()
    assert (p["method"] == "ratio_growth").all()
    v = p["value"].to_numpy(float)
    assert v[0] == pytest.approx(100.0)                       # 30 %: parity
    assert 85 <= v[1] <= 100                                   # 50 %
    assert 70.4 <= v[3] <= v[2] <= 85                          # 90 % and 80 %: at or above the 2020 ratio
    assert np.all(np.diff(v) <= 0)


def test_a_smooth_ratio_is_certain_below_its_trend_and_unlikely_far_above():
    """A ratio rising 3 points a year, 50 % → 62 % (2016-2020): in 2025 above 63 % (its trend passes it
    easily) in at least 90 % of the paths, above 98 % in at most 10 %."""
    t = np.arange(2016, 2021)
    y = np.array([50.0, 53.0, 56.0, 59.0, 62.0])
    V, _ = R.ratio_paths(t, y, [5], (0, 100))
    assert (V[:, 0] >= 63).mean() >= 0.9
    assert (V[:, 0] >= 98).mean() <= 0.1


def test_paths_stay_within_bounds_never_fall_and_stay_at_parity():
    t, y = np.array([2010.0, 2015.0, 2020.0]), np.array([41.0, 49.0, 70.4])
    V, _ = R.ratio_paths(t, y, np.arange(1, 21), (0, 100))
    assert V.min() >= 70.4 and V.max() <= 100
    assert (np.diff(V, axis=1) >= 0).all()
    at = V >= 100
    assert (np.maximum.accumulate(at, axis=1) == at).all()     # once unified, unified
    # a bound below parity is kept too
    W, _ = R.ratio_paths(t, y, np.arange(1, 11), (0, 90))
    assert W.max() <= 90


def test_a_ratio_above_parity_keeps_the_trend_model():
    assert not R.converging(pd.Series([1.2, 1.3], index=[2019, 2020]), 1.0)
    assert R.converging(pd.Series([0.7, 0.75], index=[2019, 2020]), 1.0)


def test_the_bench_prefers_it_leaving_each_series_out():
    sys.path.insert(0, str(ROOT / "bench"))
    import domain_calibration as D
    series = D.ratio_series()
    assert {k[1] for k in series} == {"beijing", "changchun", "china", "guizhou", "jilin", "shanghai"}
    assert D.fit_priors(series)["ratio"] == growth.FAMILY_PRIORS["ratio"]
    w = {m: D.ratio_cases(series, m)["winkler80"].mean() for m in ("current", "held", "production_loso")}
    assert w["production_loso"] < w["current"] < w["held"]


def test_only_a_declared_converging_pair_takes_the_parity_model(ds):
    """indicators.yaml `converges_to` says which standard policy brings toward which (农村低保 → 城市低保);
    低保 ÷ 特困 is also two never-cut standards below 100 %, but 低保 never reaches 特困 (the 1.5× rule)."""
    from mzforecast.propose import propose
    rural = propose("changchun", "dibao_standard_rural", 2030, [0.5], data=ds, denominator="dibao_standard_urban",
                    unit="percent")
    assert rural.method.iloc[0] == "ratio_growth"
    other = propose("changchun", "dibao_standard_urban", 2035, [0.5], data=ds, denominator="tekun_standard_urban",
                    unit="percent")
    assert other.method.iloc[0] != "ratio_growth" and "parity" not in str(other.note.iloc[0])
