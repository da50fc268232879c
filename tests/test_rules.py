"""Policy rules checked in every year with data (issue 20), on data built here."""
from __future__ import annotations

import pytest

import mzforecast as mzf
from mzforecast import fmt
from mzforecast import rules as R
from mzforecast.targets import Target, get_plan

from closing_cases import filled_14th  # noqa: I001


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    ds = mzf.load(filled_14th(tmp_path_factory.mktemp("rules")))
    return R.check(get_plan("changchun-14th", ds), ds).set_index("target_id")


def test_tekun_rule_breaches_listed_by_year(checks):
    c = checks.loc["table-01-tekun-rural"]
    assert [y for y, _ in c.breaches] == [2024, 2025]  # 1229/820 and 1247/860; 2021–2023 met
    assert c.breaches[0][1] == pytest.approx(1229 / 820)
    assert c["lost"] == (2020, 2024)  # met from the base year on, then lost


def test_precision_at_the_threshold():
    assert fmt.beside(1229 / 820, 1.5, "times") == "1.499倍"  # not 1.50 beside 未实现
    assert fmt.beside(1.53, 1.5, "times") == "1.53倍"
    assert fmt.beside(59.96, 60, "percent") == "59.96%"
    assert fmt.probability(1.0, known=True) == "100%" and fmt.probability(0.0, known=True) == "0%"


def test_coverage_met_lost_and_regained(checks):
    # a coverage due by 2025 is on its way in 2021 (96 %), not in breach; the fall after 2022 is the finding
    c = checks.loc["table-03-disability-living-allowance"]
    assert c.breaches == [] and c["lost"] == (2022, 2024) and c.lost_value == 98.0
    assert not c.rule


def test_coverage_due_at_the_end_is_no_rule(checks):
    # 81.4 % in 2021 on the way to 100 % in 2025, never met before: no finding at all
    assert "table-04-disability-care-allowance" not in checks.index
    assert all(checks.rule == checks.index.str.contains("tekun"))  # the standing rules: 特困 ÷ 上年低保


def test_met_late(checks):
    assert checks.loc["text-county-public-homes-2022"].met_late == 2023


def test_bound_checked_every_year():
    t = Target(id="r", indicator="dibao_standard_rural", kind="ratio", denominator="dibao_standard_urban",
               comparator=">=", value=75, unit="percent", quote="q", year=2025, base_year=2020, bounds=(0, 100))
    y = R.yearly(t, [2021, 2022, 2023], [80, 101, 90])
    assert y["bound_breaches"] == [(2022, 101.0)] and y["breaches"] == []  # 75 % is expected, not a rule
    assert not R.is_rule(t)
