"""Historical growth of a never-cut standard is measured after the last break in its series (a fall of
more than 1%: growth.break_starts), in propose (and its note says so) and in assess. Data built here."""
from __future__ import annotations

import pytest

import mzforecast as mzf
from mzforecast.attainment import assess, cagr
from mzforecast.propose import propose

# urban 低保 of a made-up city: rising, then cut to 400 in 2018 (another 口径 joined on), rising again
VALUES = {2014: 600, 2015: 640, 2016: 680, 2017: 720, 2018: 400, 2019: 440, 2020: 484, 2021: 532}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    f = tmp_path_factory.mktemp("brk") / "d.csv"
    f.write_text("region,region_name,indicator,year,value,unit,source\n" + "".join(
        f"testcity,测试市,dibao_standard_urban,{y},{v},yuan/person/month,测试\n" for y, v in VALUES.items()),
        encoding="utf-8")
    return mzf.load(str(f))


def test_propose_measures_historical_growth_after_the_break_and_says_so(ds):
    p = propose("testcity", "dibao_standard_urban", 2026, data=ds)
    assert ds.series("testcity", "dibao_standard_urban").index.min() == 2014
    expected = cagr(400, 532, 3)  # 2018-2021, not 2014-2021 (which the cut makes negative)
    assert p.historical_cagr.iloc[0] == pytest.approx(expected) and expected > 9
    assert p.historical_increment.iloc[0] == pytest.approx((532 - 400) / 3)
    assert "historical growth measured from 2018" in p.note.iloc[0]
    assert "历史年均增速从2018年起计算" in p.note.iloc[0].text("zh")


def test_assess_measures_it_the_same_way(ds):
    t = mzf.Target(id="t", indicator="dibao_standard_urban", comparator=">=", value=700, unit="yuan/person/month",
                   year=2026, quote="q", plan="p", region="testcity", base_year=2020)
    assert assess(t, ds)["historical_cagr"] == pytest.approx(cagr(400, 532, 3))


def test_a_series_without_a_break_is_measured_from_its_first_year(ds, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("region,region_name,indicator,year,value,unit,source\n" + "".join(
        f"testcity,测试市,dibao_standard_urban,{y},{v},yuan/person/month,测试\n" for y, v in
        {2016: 500, 2018: 560, 2020: 640}.items()), encoding="utf-8")
    p = propose("testcity", "dibao_standard_urban", 2026, data=mzf.load(str(f)))
    assert p.historical_cagr.iloc[0] == pytest.approx(cagr(500, 640, 4))
    assert "measured from" not in p.note.iloc[0]
