"""`mzforecast template`: the workbook reads back unchanged; filled cells, and only those, change results."""
import json
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mzforecast import assess_plan, cli
from mzforecast.data import load
from mzforecast.errors import DataError
from mzforecast.io import template as TPL
from mzforecast.targets import get_plan

sys.path.insert(0, str(Path(__file__).parent))
from fill_template import fill  # noqa: E402


@pytest.fixture(scope="module")
def tpl(tmp_path_factory):
    p = tmp_path_factory.mktemp("tpl") / "t.xlsx"
    assert cli.main(["template", "changchun-14th", "--out", str(p)]) == 0
    return p


def test_workbook_layout(tpl, ds):
    wb = openpyxl.load_workbook(tpl)
    assert wb.sheetnames == ["数据", "填写说明"]
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["指标名称", "指标代码（indicator）", "地区代码（region）", "单位（unit）", "来源（source）"]
    assert header[5:-1] == [str(y) for y in range(2019, 2026)]  # base year − 1 for the 上年度 ratios
    assert ws.freeze_panes == "F2"
    plan = get_plan("changchun-14th", ds)
    need = {t.indicator for t in plan.targets} | {t.denominator for t in plan.targets if t.denominator}
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == need and "dibao_standard_urban" in rows  # denominators included
    urban = rows["dibao_standard_urban"]
    cell = urban[header.index("2020")]
    assert cell.value == 710 and cell.fill.fgColor.rgb.endswith(TPL.KNOWN_FILL) and "来源" in cell.comment.text
    assert urban[header.index("2021")].value is None
    assert urban[0].value == "城市低保标准" and urban[3].value == "元/人·月"
    dv = ws.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].type == "decimal" and str(dv[0].sqref).startswith("F2:L")
    assert "mzforecast run --data" in "".join(str(c.value) for c in wb["填写说明"]["A"])


def test_unfilled_template_is_a_no_op(tpl, ds):
    user = load([tpl])
    assert user.messages == []  # no override noise
    cols = ["region", "indicator", "year", "value", "unit", "source", "quote"]
    key = ["region", "indicator", "year"]
    pd.testing.assert_frame_equal(user.observations[cols].sort_values(key).reset_index(drop=True),
                                  ds.observations[cols].sort_values(key).reset_index(drop=True))
    pd.testing.assert_frame_equal(assess_plan("changchun-14th", user), assess_plan("changchun-14th", ds))


def test_filled_template_changes_only_what_was_filled(tpl, tmp_path, ds, monkeypatch):
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2025")  # mid-plan: 序时进度 is read (not the closing form)
    wb = openpyxl.load_workbook(tpl)
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "dibao_standard_urban":
            row[header.index("2023")].value = 800
        if row[1].value == "dibao_standard_rural":
            row[header.index("2023")].value = 6947.9
            row[header.index("来源（source）")].value = "2023年社会服务统计年报"
    out = tmp_path / "filled.xlsx"
    wb.save(out)
    user = load([out])
    obs = user.observations
    new = obs.merge(ds.observations[["region", "indicator", "year"]], how="left", indicator=True)
    new = new[new["_merge"] == "left_only"]
    assert sorted(zip(new.indicator, new.year, new.value)) == [("dibao_standard_rural", 2023, 6947.9),
                                                              ("dibao_standard_urban", 2023, 800.0)]
    assert set(new.source) == {"user", "2023年社会服务统计年报"}
    assert len(obs) == len(ds.observations) + 2
    r = assess_plan("changchun-14th", user).set_index("target_id").loc["table-02-rural-urban-dibao"]
    assert r.latest_year == 2023 and r.latest_value == pytest.approx(72.37, abs=0.01)
    assert round(r.completion_progress, 1) == 42.6 and r.time_progress == 60 and r.progress_status == "behind"


def test_bad_output_and_region(tmp_path, capsys):
    assert cli.main(["template", "changchun-14th", "--out", str(tmp_path / "t.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert cli.main(["template", "changchun-14th", "--region", "atlantis", "--out", str(tmp_path / "t.xlsx")]) == 2
    assert "atlantis" in capsys.readouterr().err
    assert not (tmp_path / "t.xlsx").exists()
    with pytest.raises(DataError):
        TPL.build("changchun-14th", year_from=2025, year_to=2020)


def test_done_when_filled_2021_2024_gives_verdicts_and_progress(tpl, tmp_path, capsys, monkeypatch):
    """The issue's check: template -> fill 2021-2024 by script -> assess --format json."""
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2025")  # mid-plan: 序时进度 is read (not the closing form)
    filled = tmp_path / "filled.xlsx"
    assert fill(tpl, filled, "changchun-14th", until=2024) > 100
    capsys.readouterr()
    assert cli.main(["assess", "--plan", "changchun-14th", "--data", str(filled), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 38
    # a 2025 target seen in 2026 without its 2025 figure is outcome_pending: its probability is
    # the nowcast (issue 9), kept in probability_nowcast
    scored = [r for r in rows if r["verdict"] != "no_data"
              and (r["probability"] is not None or r["probability_nowcast"] is not None)
              and r["completion_progress"] is not None and r["time_progress"] is not None]
    assert len(scored) >= 30
    # a target whose year is observed (the 2022 ones) is read as ended (closing_status), the rest on schedule
    assert all(r["progress_status"] in {"ahead", "on_schedule", "behind"}
               or (r["target_year"] <= 2024 and r["closing_status"] in {"exceeded", "completed", "late", "basically",
                                                                      "not_completed"}) for r in scored)
    assert sum(r["progress_status"] in {"ahead", "on_schedule", "behind"} for r in scored) >= 25


@pytest.mark.parametrize("plan", ["changchun-13th", "jilin-13th", "jilin-2019", "jilin-2021"])
def test_every_plan_template_reads_back_unchanged(plan, tmp_path, ds):
    """Including plans whose template holds no known value at all (nothing overlaps the bundled rows)."""
    p = TPL.write(plan, tmp_path / "t.xlsx", ds)
    user = load([p])
    assert user.messages == []
    key = ["region", "indicator", "year", "value", "source"]
    pd.testing.assert_frame_equal(user.observations[key].sort_values(key).reset_index(drop=True),
                                  ds.observations[key].sort_values(key).reset_index(drop=True))


def test_done_when_with_only_2021_to_2024_filled(tpl, tmp_path, capsys, monkeypatch):
    """An office that fills only 2021-2024 (no 2020 基期值) still gets completion and time progress:
    the earliest filled year stands in for the base year (evaluation.evaluate_series)."""
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2025")  # mid-plan: once 2025 has passed there is no 序时进度
    filled = tmp_path / "plan-years.xlsx"
    assert fill(tpl, filled, "changchun-14th", until=2024, since=2021) > 100
    capsys.readouterr()
    assert cli.main(["assess", "--plan", "changchun-14th", "--data", str(filled), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    scored = [r for r in rows if (r["probability"] is not None or r["probability_nowcast"] is not None)
              and r["completion_progress"] is not None and r["time_progress"] is not None]
    assert len(scored) >= 30
    stand_in = [r for r in scored if r["base_year"] == 2021]
    assert len(stand_in) >= 25 and all(r["time_progress"] == 75.0 for r in stand_in if r["latest_year"] == 2024)


def test_template_speaks_chinese_and_reads_back(tpl, ds):
    """Units in Chinese words (个, 平方米/百户, 分钟), a Chinese header with each code column, the
    region's Chinese name on 填写说明, targets in words; every unit reads back as the indicator's own."""
    from mzforecast import units as U
    from mzforecast.data import column_name
    wb = openpyxl.load_workbook(tpl)
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    assert [column_name(h) for h in header[1:5]] == ["indicator", "region", "unit", "source"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header if not str(h).isdigit())
    units = {r[1].value: r[3].value for r in ws.iter_rows(min_row=2)}
    for english in ("outlets", "m2 per 100 households", "complexes", "per 1000 elderly", "per 100 beds", "minutes"):
        assert english not in units.values(), english
    assert units["welfare_lottery_outlets"] == "个"
    assert units["community_facility_area_per_100_households"] == "平方米/百户"
    for ind, u in units.items():  # every unit written reads back as the indicator's, unscaled
        assert U.convert(1.0, u, ds.indicators[ind].unit) == 1.0, (ind, u)
    tail = [r[-1].value for r in ws.iter_rows(min_row=2)]
    assert not [t for t in tail if "table-" in t or "text-" in t] and any("≥" in t for t in tail)
    assert "地区：长春市" in wb["填写说明"]["A1"].value
