"""User data: long and wide layouts, CSV/XLSX, encodings, overrides, new metadata, and every bad input."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from mzforecast import data as D
from mzforecast.cli import main
from mzforecast.errors import DataError, DataErrors

HEADER = "region,indicator,year,value,unit\n"


def errors_of(path):
    return [str(e) for e in D.check_files([path])]


def test_long_csv_overrides_bundled_value_with_message(write):
    p = write("mine.csv", HEADER + "changchun,dibao_standard_urban,2020,720,yuan/person/month\n"
                                   "changchun,dibao_standard_urban,2021,750,元/人·月\n")
    ds = D.load([p])
    s = ds.series("changchun", "dibao_standard_urban")
    assert s.loc[2020] == 720 and s.loc[2021] == 750 and s.loc[2010] == 305
    assert any("overrides the bundled value 710" in m and "row 2" in m for m in ds.messages)


def test_wide_yearbook_layout_with_units(write):
    p = write("wide.csv", "region,indicator,unit,2019,2020,2021\n"
                          "changchun,elderly_care_beds,万张,4.5,4.8,5.1\n")
    s = D.load([p]).series("changchun", "elderly_care_beds")
    assert s.loc[2021] == pytest.approx(51000)
    assert s.loc[2019] == pytest.approx(45000)


def test_monthly_to_yearly_conversion(write):
    p = write("m.csv", HEADER + "changchun,dibao_standard_rural,2021,550,元/人·月\n")
    assert D.load([p]).series("changchun", "dibao_standard_rural").loc[2021] == pytest.approx(6600)


def test_xlsx_and_new_region_and_indicator(tmp_path):
    p = tmp_path / "county.xlsx"
    pd.DataFrame({"region": ["nongan", "nongan"], "region_name": ["农安县", "农安县"],
                  "indicator": ["day_care_places", "day_care_places"], "indicator_name": ["日间照料床位"] * 2,
                  "unit": ["beds", "beds"], "year": [2020, 2021], "value": [120, 150]}).to_excel(p, index=False)
    ds = D.load([p])
    assert ds.regions["nongan"].name_zh == "农安县"
    assert ds.indicators["day_care_places"].name_zh == "日间照料床位"
    assert list(ds.series("nongan", "day_care_places")) == [120, 150]


def test_companion_indicators_file(write):
    write("c.indicators.yaml", "indicators:\n  - id: meals_served\n    name_zh: 助餐人次\n    unit: person-times\n")
    p = write("c.csv", HEADER + "changchun,meals_served,2021,1000,person-times\n")
    assert D.load([p]).series("changchun", "meals_served").loc[2021] == 1000


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_excel_csv_encodings(write, encoding):
    p = write(f"x-{encoding}.csv", "region,region_name,indicator,year,value,unit\n"
                                   "dehui,德惠市,elderly_care_beds,2020,3000,张\n", encoding=encoding)
    ds = D.load([p])
    assert ds.regions["dehui"].name_zh == "德惠市"
    assert ds.series("dehui", "elderly_care_beds").loc[2020] == 3000


@pytest.mark.parametrize("body,expect", [
    ("region,indicator,year\nchangchun,elderly_care_beds,2020\n", "missing column 'value'"),
    (HEADER + "changchun,elderly_care_beds,2020,many,beds\n", "row 2, column 'value': value 'many' is not a number"),
    (HEADER + "changchun,elderly_care_beds,2020.5,1,beds\n", "column 'year': year '2020.5' is not a whole year"),
    (HEADER + "changchun,elderly_care_beds,1800,1,beds\n", "year 1800 is out of range"),
    (HEADER + "changchun,elderly_care_beds,2020,1,beds\nchangchun,elderly_care_beds,2020,2,beds\n",
     "appears with different values"),
    (HEADER + "changchun,no_such_thing,2020,1,beds\n", "unknown indicator 'no_such_thing'"),
    (HEADER + "atlantis,elderly_care_beds,2020,1,beds\n", "unknown region 'atlantis'"),
    (HEADER + "changchun,elderly_care_beds,2020,1,yuan\n", "unit 'yuan' cannot be converted"),
    (HEADER + "changchun,elderly_care_beds,2020,1,furlongs\n", "unknown unit 'furlongs'"),
    (HEADER + "changchun,elderly_care_beds,2020,-5,beds\n", "negative value -5"),
    (HEADER + "changchun,nursing_bed_share_public_homes,2020,140,percent\n", "share 140% is above 100"),
    ("", "the file is empty"),
    (HEADER, "has a header but no data rows"),
])
def test_bad_input_messages(write, body, expect):
    p = write("bad.csv", body)
    errs = errors_of(p)
    assert errs, "expected a problem"
    assert any(expect in e for e in errs), errs
    assert all(str(p) in e for e in errs)


def test_all_problems_listed_at_once(write):
    p = write("many.csv", HEADER + "changchun,elderly_care_beds,20x0,1,beds\n"
                                   "changchun,elderly_care_beds,2020,abc,beds\n"
                                   "changchun,nope,2020,1,beds\n")
    errs = errors_of(p)
    assert len(errs) == 3
    assert ["row 2" in errs[0], "row 3" in errs[1], "row 4" in errs[2]] == [True, True, True]


def test_cli_check_exit_code_and_no_output_written(write, tmp_path, capsys):
    p = write("bad.csv", HEADER + "changchun,elderly_care_beds,2020,abc,beds\n")
    before = sorted(x.name for x in tmp_path.iterdir())
    assert main(["data", "check", str(p)]) == 2
    err = capsys.readouterr().err
    assert "not a number" in err and "Traceback" not in err
    assert sorted(x.name for x in tmp_path.iterdir()) == before
    assert main(["data", "check"]) == 0


def test_yaml_syntax_error_names_the_line(write):
    p = write("plan.yaml", "id: x\ntargets:\n  - id: a\n    value: [1\n")
    with pytest.raises(DataError, match=r"line \d+"):
        D.read_yaml(p)


def test_target_with_unknown_indicator(write, ds):
    from mzforecast.targets import load_plan
    p = write("plan.yaml", "id: p\nname_zh: 测试\nregion: changchun\nsource: x\nbase_year: 2020\n"
                           "target_year: 2025\ntargets:\n  - id: t1\n    indicator: unicorns\n"
                           "    comparator: '>='\n    value: 1\n    unit: people\n    quote: q\n")
    with pytest.raises(DataErrors, match="unknown indicator 'unicorns'"):
        load_plan(p, ds)


def test_export_round_trips(tmp_path, capsys):
    assert main(["data", "export", "--format", "csv"]) == 0
    out = tmp_path / "export.csv"
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    again = D.load([out])
    base = D.load()
    a = again.observations.sort_values(["region", "indicator", "year"]).reset_index(drop=True)
    b = base.observations.sort_values(["region", "indicator", "year"]).reset_index(drop=True)
    assert (a[["region", "indicator", "year"]] == b[["region", "indicator", "year"]]).all().all()
    assert (a.value - b.value).abs().max() < 1e-6
    assert not [m for m in again.messages if "overrides" in m]  # same values: nothing overridden


def test_export_json(capsys):
    assert main(["data", "export", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"region", "indicator", "year", "value", "quote"} <= set(rows[0])


def test_console_script_reports_error_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mzforecast.cli", "forecast", "changchun", "nope"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert "unknown indicator 'nope'" in r.stderr and "Traceback" not in r.stderr


def test_target_in_another_unit_is_converted_or_refused(write, ds):
    from mzforecast.targets import load_plan
    head = ("id: p\nname_zh: 测试\nregion: changchun\nsource: x\nbase_year: 2020\ntarget_year: 2025\n"
            "targets:\n  - id: t1\n    indicator: elderly_care_beds\n    comparator: '>='\n    value: 5.8\n"
            "    quote: q\n    unit: ")
    plan = load_plan(write("ok.yaml", head + "万张\n"), ds)
    assert plan.targets[0].value == pytest.approx(58000) and plan.targets[0].unit == "beds"
    with pytest.raises(DataErrors, match="is in 'yuan' but elderly_care_beds is in 'beds'"):
        load_plan(write("bad.yaml", head + "yuan\n"), ds)


# ---------------------------------------------------------------- issue 12: read right, not mis-read
@pytest.mark.parametrize("headers", [
    ["2019", "2020", "2021"], ["2019年", "2020年", "2021年"], ["2019 年", "2020 年", "2021 年"],
    ["Y2019", "Y2020", "Y2021"], ["2019.0", "2020.0", "2021.0"], ["y2019", " 2020年 ", "FY2021"],
])
def test_wide_year_headers_in_yearbook_styles(write, headers):
    p = write("wide.csv", "Region, Indicator ,UNIT," + ",".join(headers) + "\n"
                          "changchun,elderly_care_beds,万张,4.5,4.8,5.1\n")
    s = D.load([p]).series("changchun", "elderly_care_beds")
    assert s.loc[2019] == pytest.approx(45000) and s.loc[2021] == pytest.approx(51000)


def test_header_names_ignore_case_and_spaces(write):
    p = write("c.csv", " Region ,INDICATOR,Year, Value ,Unit\nchangchun,elderly_care_beds,2021,5.1,万张\n")
    assert D.load([p]).series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(51000)  # not 5.1 beds


@pytest.mark.parametrize("cell,expect", [('"1,245.0"', 1245.0), ('"12,345"', 12345.0), ('"1,234,567"', 1234567.0),
                                         ("5.1", 5.1), ("+7", 7.0), ("1e3", 1000.0)])
def test_thousands_separators_read(write, cell, expect):
    p = write("t.csv", HEADER + f"changchun,elderly_care_beds,2021,{cell},beds\n")
    assert D.load([p]).series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(expect)


def test_parse_number_refuses_decimal_comma_and_non_finite():
    for bad in ["5,1", "12,34", "1,2345", "inf", "-inf", "nan", "1e400", "1_000", "5.1万", ""]:
        with pytest.raises(ValueError):
            D.parse_number(bad)


def test_xlsx_data_on_another_sheet_is_read(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("数据")
    ws.append(["region", "indicator", "year", "value", "unit"])
    ws.append(["changchun", "elderly_care_beds", 2021, 5.1, "万张"])
    p = tmp_path / "book.xlsx"
    wb.save(p)
    ds = D.load([p])
    assert ds.series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(51000)
    assert ds.observations.file.str.endswith("[sheet '数据']").any()  # messages name the sheet


def test_sheet_option_picks_one_of_several(tmp_path, capsys):
    import openpyxl
    wb = openpyxl.Workbook()
    for title, v in (("Sheet", 4.8), ("县区", 5.1)):
        ws = wb.active if title == "Sheet" else wb.create_sheet(title)
        ws.append(["region", "indicator", "year", "value", "unit"])
        ws.append(["changchun", "elderly_care_beds", 2021, v, "万张"])
    p = tmp_path / "two.xlsx"
    wb.save(p)
    assert D.load([p], sheet="县区").series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(51000)
    assert main(["data", "check", "--sheet", "Sheet", str(p)]) == 0
    assert main(["data", "export", "--data", str(p), "--sheet", "县区"]) == 0
    assert "51000" in capsys.readouterr().out


def test_csv_row_numbers_count_blank_lines_and_trailing_empty_columns_ok(write):
    p = write("b.csv", "region,indicator,year,value,unit,,\n\nchangchun,elderly_care_beds,2020,1,beds,,\n"
                       "\nchangchun,elderly_care_beds,2021,abc,beds\n")
    errs = errors_of(p)
    assert len(errs) == 1 and "row 5, column 'value'" in errs[0]


def test_utf16_tab_separated_unicode_text(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("region\tindicator\tyear\tvalue\tunit\nchangchun\telderly_care_beds\t2021\t5.1\t万张\n"
                  .encode("utf-16"))
    assert D.load([p]).series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(51000)


def test_companion_may_repeat_a_bundled_indicator_unchanged(write):
    write("c.indicators.yaml", "indicators:\n  - id: elderly_care_beds\n    name_zh: 养老床位\n    unit: beds\n"
                               "  - id: meals_served\n    name_zh: 助餐人次\n    unit: person-times\n")
    p = write("c.csv", HEADER + "changchun,meals_served,2021,1000,person-times\n")
    ds = D.load([p])
    assert ds.series("changchun", "meals_served").loc[2021] == 1000
    assert ds.indicators["elderly_care_beds"].aggregation == "stock"


def test_unknown_ids_name_the_closest(ds):
    with pytest.raises(DataError, match="did you mean 'dibao_standard_urban'"):
        ds.series("changchun", "dibao_standrd_urban")
    with pytest.raises(DataError, match="did you mean 'changchun'"):
        ds.series("changchn", "dibao_standard_urban")


def test_no_observations_message_names_region_indicator_and_years(ds, capsys):
    assert main(["forecast", "changchun", "dibao_standard_urban", "--as-of", "1950"]) == 2
    err = capsys.readouterr().err
    years = sorted(ds.series("changchun", "dibao_standard_urban").index)
    assert "dibao_standard_urban in changchun has no observations up to 1950" in err
    assert f"years with data: {years[0]}" in err and str(years[-1]) in err


def test_five_year_totals_are_not_forecast(ds, capsys):
    from mzforecast.errors import ModelError
    from mzforecast.models import forecast
    five = [i for i, m in ds.indicators.items() if m.aggregation != "stock"]
    assert five
    with pytest.raises(ModelError, match="not a yearly series"):
        forecast(ds.series("jilin", five[0]), until=2030)
    assert main(["forecast", "jilin", five[0], "--until", "2030"]) == 2
    assert "not a yearly series" in capsys.readouterr().err


def test_describe_years():
    assert D.describe_years([2010, 2011, 2012, 2015, 2018, 2019]) == "2010-2012, 2015, 2018-2019 (6 years)"
    assert D.describe_years([]) == "none"


def test_bundled_plans_pass_strict_validation(ds):
    from mzforecast.targets import get_plan, list_plans
    assert all(get_plan(p, ds).targets for p in list_plans())


def test_percent_formatted_xlsx_cell_is_the_percent_shown(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "indicator", "year", "value", "unit"])
    ws.append(["changchun", "nursing_bed_share_public_homes", 2021, 0.45, "%"])
    ws["D2"].number_format = "0.0%"
    p = tmp_path / "pct.xlsx"
    wb.save(p)
    assert D.load([p]).series("changchun", "nursing_bed_share_public_homes").loc[2021] == pytest.approx(45)


def test_semicolon_csv_and_year_cells_in_yearbook_style(write):
    p = write("eu.csv", "region;indicator;year;value;unit\nchangchun;elderly_care_beds;2021年;5.1;万张\n"
                        "changchun;elderly_care_beds;Y2022;5.2;万张\n")
    s = D.load([p]).series("changchun", "elderly_care_beds")
    assert s.loc[2021] == pytest.approx(51000) and s.loc[2022] == pytest.approx(52000)


def test_full_width_year_header(write):
    p = write("fw.csv", "region,indicator,unit,２０２１年\nchangchun,elderly_care_beds,万张,5.1\n")
    assert D.load([p]).series("changchun", "elderly_care_beds").loc[2021] == pytest.approx(51000)


@pytest.mark.parametrize("body", ["region,,indicator,,unit,2019,2020\nchangchun,,elderly_care_beds,,万张,4.5,4.8\n",
                                  "region,,indicator,,year,value,unit\nchangchun,,elderly_care_beds,,2019,4.5,万张\n"])
def test_empty_blank_headed_columns_are_dropped(write, body):
    p = write("blanks.csv", body)
    assert D.load([p]).series("changchun", "elderly_care_beds").loc[2019] == pytest.approx(45000)
