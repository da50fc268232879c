"""A ratio a policy rule sets (特困 standard ≥ 1.3× / 1.5× the previous year's 低保) is forecast
held at its last value with a narrow, history-based spread (models.held), on every path that samples
it (assess, the fan of the pages, propose, draft, regions); a draft value that is the rule itself
gets no probability. Data built here."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mzforecast as mzf
from mzforecast import rules as R
from mzforecast.attainment import assess, target_fan
from mzforecast.models import held
from mzforecast.propose import assess_draft

HEAD = "region,indicator,year,value,unit,source\n"


def _data(tmp_path, tekun: dict, dibao: dict, name="d.csv"):
    f = tmp_path / name
    rows = [f"changchun,tekun_standard_rural,{y},{v},yuan/person/year,测试\n" for y, v in tekun.items()]
    rows += [f"changchun,dibao_standard_rural,{y},{v},yuan/person/year,测试\n" for y, v in dibao.items()]
    f.write_text(HEAD + "".join(rows), encoding="utf-8")
    return mzf.load(str(f))


def test_prior_is_what_the_reference_ratios_of_two_standards_moved():
    r = pd.read_csv(mzf.data.data_dir() / "reference" / "series.csv")
    got = []
    for a, b in (("sh_dibao_rural", "sh_dibao_urban"), ("guizhou_dibao_rural", "guizhou_dibao_urban")):
        q = (r[r.series == a].set_index("year").value / r[r.series == b].set_index("year").value).dropna()
        dl, dt = np.diff(np.log(q.to_numpy())), np.diff(q.index.to_numpy())
        got.append(np.sqrt(np.mean((dl / dt) ** 2)))
    assert got[0] == pytest.approx(0.030, abs=0.0015) and got[1] == pytest.approx(0.032, abs=0.0015)
    assert held.PRIOR_SIGMA == pytest.approx(min(got), abs=0.002)


def test_one_observation_of_tekun_gives_a_narrow_fan_centred_on_the_last_ratio():
    """The bundled data observe 特困 once (2020: 1,130 ÷ 710 = 1.59×): the 2030 band on the draft's
    target-setting path was 0.5×–5×; held at the ratio, its 95% band stays within ±25%."""
    ds = mzf.load()
    t = mzf.get_target("changchun-15th-draft-example", "draft-01-tekun-urban", ds)
    hist, bands = target_fan(t, ds)
    last = float(hist.iloc[-1])
    assert len(hist) == 1 and last == pytest.approx(1130 / 710)
    b = bands.loc[2030]
    assert b["median"] == pytest.approx(last, rel=0.01)
    assert 0.75 * last < b.lo95 < b.lo80 < last < b.hi80 < b.hi95 < 1.25 * last
    assert (bands.hi95 - bands.lo95).is_monotonic_increasing  # wider the further out, never a jump
    row = assess(t, ds, reference=2026)
    assert row["method"] == "held" and "policy rule" in row["note"]
    # one observation: not a base rate of one-point series, the prior spread of ratios of two standards
    assert row["verdict"] == "insufficient_data" and "prior spread of ratios" in row["note"]
    assert "how one-point series" not in row["note"]
    from mzforecast.pages.common import method_name
    assert method_name("held", "zh") == "按政策规则保持"


def test_a_falling_ratio_never_rebounds_above_its_last_value_in_a_mid_term_view(tmp_path):
    """特困 ÷ 上年低保 falling 1.91× → 1.61× (2019–2022); read in 2022 (中期), every forecast year's
    median stays at the last value: no trend model reads a rebound into it."""
    dibao = {2018: 5000, 2019: 5400, 2020: 6000, 2021: 6720}
    tekun = {2019: 9550, 2020: 9400, 2021: 9900, 2022: 10819}
    ds = _data(tmp_path, tekun, dibao)
    t = mzf.get_target("changchun-14th", "table-01-tekun-rural", ds)
    hist, bands = target_fan(t, ds, as_of=2022)
    assert list(hist.index) == [2019, 2020, 2021, 2022] and hist.is_monotonic_decreasing
    last = float(hist.iloc[-1])
    assert (bands["median"] <= last * (1 + 1e-3)).all() and (bands["median"] >= last * (1 - 1e-2)).all()
    # its own moves (about 5% a year) widen the spread beyond the prior's 3%
    assert held.held_sigma(hist.index, hist.to_numpy()) > held.PRIOR_SIGMA


def test_a_draft_value_that_is_the_rule_gets_no_probability_and_one_above_it_does(tmp_path):
    ds = mzf.load()
    d = assess_draft("changchun-15th-draft-example", ds).set_index("target_id")
    for tid in ("draft-01-tekun-urban", "draft-01-tekun-rural"):
        r = d.loc[tid]
        assert r.ambition_class == "rule" and np.isnan(r.ambition)
        assert r.proposed_50 == r.proposed_80 == r.proposed_90 == 1.5 and not r.raised
        assert "policy rule itself" in r.note and "循环论证" in r.note_zh and "实现概率 " not in r.note_zh
    from mzforecast.propose import get_draft
    plan = get_draft("changchun-15th-draft-example", ds)
    above = plan.model_copy(update={"targets": [t.model_copy(update={"value": 1.6}) for t in plan.targets
                                                if t.id == "draft-01-tekun-urban"]})
    r = assess_draft(above, ds).iloc[0]
    assert r.ambition_class != "rule" and 0.2 < r.ambition < 0.8  # 1.6 against 1.59 held: near even


def test_rule_values_name_only_the_rules_that_set_a_ratio():
    ds = mzf.load()
    p = mzf.get_plan("changchun-14th", ds)
    by = {t.id: R.rule_values(t) for t in p.targets}
    assert by["table-01-tekun-rural"] == [1.3, 1.5]
    assert all(not v for k, v in by.items() if "tekun" not in k)  # rural ÷ urban 低保 is a floor, not a rule


def test_regions_take_the_same_held_forecast_as_one_region(tmp_path):
    from mzforecast import regional
    dibao = {2018: 5000, 2019: 5400, 2020: 6000, 2021: 6720}
    ds = _data(tmp_path, {2019: 9550, 2020: 9400, 2021: 9900, 2022: 10819}, dibao)
    t = mzf.get_target("changchun-14th", "table-01-tekun-rural", ds)
    one = assess(t, ds, as_of=2022)
    many = regional.assess_target(t, ["changchun"], ds, as_of=2022).iloc[0]
    assert many["method"] == one["method"] == "held" and many["probability"] == one["probability"]
