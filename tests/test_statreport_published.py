"""`mzforecast data import` on statistical reports as they are published (fixtures retyped from public
pages; each fixture's header cites its page), and on the inputs the --data reader refuses."""
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from mzforecast import cli
from mzforecast.data import load_user_file
from mzforecast.errors import DataError, DataErrors
from mzforecast.io import statreport as S

FIX = Path(__file__).with_name("fixtures")
ZUNYI = FIX / "report_zunyi_city_monthly.csv"
SICHUAN = FIX / "report_sichuan_province_monthly_coded.csv"
MCA = FIX / "report_mca_national_quarterly_2013q4.csv"
BEIJING = FIX / "report_beijing_city_monthly_2022_03.csv"
FUJIAN = FIX / "report_fujian_province_quarterly_2021q2.csv"
ORDOS = FIX / "report_ordos_city_quarterly_coded.csv"


def values(got):
    return {(r.indicator, r.year): r.value for r in got.rows.itertuples()}


def test_city_monthly_sections_urban_rural_and_derived_total(ds):
    """遵义: 最低生活保障人数 appears under 城市… and under 农村…: both read, the total derived and marked."""
    got = S.read_report(ZUNYI, "zunyi", ds=ds, period="2024-06", region_name="遵义市")
    v = values(got)
    assert v == {("elderly_care_institutions", 2024): 245, ("tekun_recipients", 2024): 21655,
                 ("dibao_recipients", 2024): 59395 + 240887}
    row = got.rows.set_index("indicator").loc["dibao_recipients"]
    assert row.note.startswith("derived: urban (row 14) + rural (row 16)")
    assert "value at the end of 2024-06" in row.note and row.region_name == "遵义市"
    names = [n for _, _, n in got.unrecognised]
    assert "享受困难残疾人生活补贴人数" in names and "结婚登记" in names
    assert not any("最低生活保障" in n for n in names)


def test_section_only_count_is_never_the_total(ds, tmp_path):
    """The same report without its 农村 rows: the urban count alone is not written as dibao_recipients."""
    lines = ZUNYI.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "urban_only.csv"
    cut.write_text("\n".join(ln for ln in lines if not ln.startswith(("农村最低生活保障", "最低生活保障人数,人,\"240"))),
                   encoding="utf-8")
    got = S.read_report(cut, "zunyi", ds=ds, period="2024-06", region_name="遵义市")
    assert "dibao_recipients" not in set(got.rows.indicator)
    assert any("urban part of dibao_recipients only" in why for _, why in got.not_written)


def test_province_form_with_codes_and_previous_period_column(ds):
    """四川 月报表: 代码 column, 甲/丙/乙/1/2/3 row, 上期 (previous month) never read as the previous year."""
    with pytest.raises(DataError, match="月报"):  # the title says 月报 and 2020年度 only: the month is asked for
        S.read_report(SICHUAN, "sichuan", ds=ds, region_name="四川省")
    got = S.read_report(SICHUAN, "sichuan", ds=ds, period="2020-01", region_name="四川省")
    assert values(got) == {("orphans", 2020): 17908}  # not 18,164 (上期), no 2019 row
    row = got.rows.iloc[0]
    assert row.quote == "1.孤儿 | 人 | YZH012311000 | 17,908" and "2020-01" in row.note
    assert ("甲" not in [n for _, _, n in got.unrecognised])


def test_code_disagreeing_with_the_name_is_refused(ds, tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("指标名称,单位,代码,数量\n社会组织数,个,YZH012311000,12\n", encoding="utf-8")
    with pytest.raises(DataErrors, match="YZH012311000"):
        S.read_report(p, "changchun", 2023, ds)


def test_ministry_quarterly_national_form(ds, tmp_path, capsys):
    """民政部 2013年4季度: spaced headers, 城市贫困人口救助 › 居民最低生活保障平均标准 (元/人、月), 张/千人,
    a new region named on the command line; period read from the title."""
    out = tmp_path / "national.csv"
    assert cli.main(["data", "import", str(MCA), "--region", "china", "--region-name", "全国", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    df = pd.read_csv(out, encoding="utf-8-sig")
    got = {r.indicator: r.value for r in df.itertuples()}
    assert got == {"dibao_standard_urban": pytest.approx(373.3), "elderly_care_beds_per_1000_elderly": 24.5,
                   "orphans": 556000, "orphans_institutional": 94000, "orphans_scattered": 461000}
    assert set(df.year) == {2013} and set(df.region_name) == {"全国"}
    assert (df.note == "value at the end of 2013Q4 (from a quarterly report)").all()
    # 居民最低生活保障人数 under 城市贫困人口救助 is the urban count: not the 城乡 total
    assert "dibao_recipients" not in got and "urban part of dibao_recipients only" in err
    assert "流浪儿童救助" in err and "data/statreport_items.yaml" in err
    assert "and 1 more" in err  # the list of items not recognised is capped
    rows = load_user_file(out)  # --data reads it, the new region included
    assert set(rows.region) == {"china"}


def test_both_dibao_standards_and_previous_year_column(ds, tmp_path):
    """Both 低保 standards and 上年数据 in one form (no stored page has both: the Beijing and Ordos fixtures
    cover each on a published page)."""
    p = tmp_path / "r.csv"
    p.write_text("2023年民政统计年报\n指 标,计量单位,代 码,本年数,上年数据,同比\n甲,乙,丙,1,2,3\n"
                 "(1)城市最低生活保障,,,,,\n最低生活保障平均标准,元/人、月,X1,800,760,5.3\n"
                 "(2)农村最低生活保障,,,,,\n最低生活保障平均标准,元/人、年,X2,\"6,000\",\"5,600\",7.1\n"
                 "三、临时救助,,,,,\n临时救助,万人次,,2.35,2.1,\n", encoding="utf-8")
    v = values(S.read_report(p, "changchun", ds=ds))
    assert v[("dibao_standard_urban", 2023)] == 800 and v[("dibao_standard_urban", 2022)] == 760
    assert v[("dibao_standard_rural", 2023)] == 6000 and v[("dibao_standard_rural", 2022)] == 5600
    assert v[("temporary_assistance_person_times", 2023)] == 23500  # a yearly report: the year's flow


def test_quarter_flow_is_not_a_year(ds, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("社会服务统计季报(2024年2季度)\n指标名称,单位,数量\n临时救助,万人次,1.2\n城市低保平均标准,元/人·月,800\n",
                 encoding="utf-8")
    got = S.read_report(p, "changchun", ds=ds)
    assert values(got) == {("dibao_standard_urban", 2024): 800}
    assert any("2024Q2" in why and "temporary_assistance_person_times" in why for _, why in got.not_written)


def _xlsx(tmp_path, rows, fmt=None, name="r.xlsx"):
    from openpyxl import Workbook
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    if fmt:
        wb.active[fmt[0]].number_format = fmt[1]
    p = tmp_path / name
    wb.save(p)
    return p


def test_percent_cell_read_as_shown(ds, tmp_path):
    p = _xlsx(tmp_path, [["2023年统计年报"], ["指标名称", "单位", "数量"], ["护理型床位占比", "%", 0.583]], ("C3", "0.0%"))
    assert values(S.read_report(p, "changchun", ds=ds)) == {("nursing_bed_share_all_homes", 2023): pytest.approx(58.3)}


@pytest.mark.parametrize("cell,match", [('"1,2"', "decimal comma"), ("-5", "negative"), ("9e12", "sanity bound"),
                                        ("很多", "not a number")])
def test_bad_numbers_exit_2_with_row_and_column(ds, tmp_path, capsys, cell, match):
    p = tmp_path / "r.csv"
    p.write_text(f"指标名称,单位,数量\n社会组织数,个,{cell}\n", encoding="utf-8")
    assert cli.main(["data", "import", str(p), "--region", "changchun", "--year", "2023"]) == 2
    err = capsys.readouterr().err
    assert match in err and "row 2" in err and "column '数量'" in err and str(p) in err


def test_share_above_100_refused(ds, tmp_path, capsys):
    p = tmp_path / "r.csv"
    p.write_text("指标名称,单位,数量\n护理型床位占比,%,120\n", encoding="utf-8")
    assert cli.main(["data", "import", str(p), "--region", "changchun", "--year", "2023"]) == 2
    assert "above 100" in capsys.readouterr().err


def test_uncached_formula_refused(ds, tmp_path, capsys):
    p = _xlsx(tmp_path, [["指标名称", "单位", "数量"], ["社会组织数", "个", "=1+2"]])
    assert cli.main(["data", "import", str(p), "--region", "changchun", "--year", "2023"]) == 2
    err = capsys.readouterr().err
    assert "C2" in err and "no saved value" in err and "row 2" in err


def test_devices_pipes_and_output_equal_to_input(ds, tmp_path, capsys):
    assert cli.main(["data", "import", "/dev/zero", "--region", "changchun", "--year", "2023"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert cli.main(["data", "import", str(fifo), "--region", "changchun", "--year", "2023"]) == 2  # no hang
    assert "not a regular file" in capsys.readouterr().err
    p = tmp_path / "r.csv"
    text = "指标名称,单位,数量\n社会组织数,个,12\n"
    p.write_text(text, encoding="utf-8")
    assert cli.main(["data", "import", str(p), "--region", "changchun", "--year", "2023", "--out", str(p)]) == 2
    assert "also an input" in capsys.readouterr().err and p.read_text(encoding="utf-8") == text


def test_out_is_kept_without_force_and_written_with_the_umask_mode(ds, tmp_path, capsys):
    out = tmp_path / "rows.csv"
    out.write_text("keep", encoding="utf-8")
    argv = ["data", "import", str(MCA), "--region", "china", "--region-name", "全国", "--out", str(out)]
    assert cli.main(argv) == 2
    assert "--force" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "keep"
    old = os.umask(0o022)
    try:
        assert cli.main(argv + ["--force"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "全国" in out.read_text(encoding="utf-8-sig")


def test_unknown_region_needs_a_name(ds, capsys):
    assert cli.main(["data", "import", str(MCA), "--region", "beijing"]) == 2
    assert "--region-name" in capsys.readouterr().err


def test_city_report_with_both_dibao_standards(ds, tmp_path, capsys):
    """北京 2022年3月: 城市… › 最低生活保障平均标准 (元/人·月) and 农村… › 最低生活保障平均标准 (元/人·年) are the
    two standards; the counts under each section are parts, their totals derived and marked; the month comes
    from the title (2022年社会服务统计3月份报表)."""
    out = tmp_path / "beijing.csv"
    argv = ["data", "import", str(BEIJING), "--region", "beijing", "--region-name", "北京市", "--out", str(out)]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    df = pd.read_csv(out, encoding="utf-8-sig")
    got = {r.indicator: r.value for r in df.itertuples()}
    assert got == {"dibao_standard_urban": 1245, "dibao_standard_rural": 14940,
                   "dibao_recipients": 71000 + 38000, "dibao_households": 42000 + 23000,
                   "tekun_recipients": 1000 + 5000, "elderly_care_institutions": 586,
                   "elderly_care_institution_beds": 113000, "orphans": 1000, "orphans_institutional": 1000}
    assert set(df.year) == {2022} and set(df.region_name) == {"北京市"}
    row = df.set_index("indicator")
    assert row.loc["dibao_standard_urban", "unit"] == "yuan/person/month"
    assert row.loc["dibao_standard_rural", "unit"] == "yuan/person/year"
    assert row.loc["dibao_standard_urban", "quote"] == "最低生活保障平均标准 | 元/人·月 | 1,245.0"
    assert row.loc["dibao_standard_rural", "quote"] == "最低生活保障平均标准 | 元/人·年 | 14,940.0"
    for ind in ("dibao_recipients", "dibao_households", "tekun_recipients"):
        assert row.loc[ind, "note"].startswith("derived: urban (row ")
    assert row.loc["dibao_recipients", "quote"] == "最低生活保障人数 | 万人 | 7.1 + 最低生活保障人数 | 万人 | 3.8"
    assert (df.note.str.contains("value at the end of 2022-03 \\(from a monthly report\\)")).all()
    # 临时救助 follows the 农村 rows but is not part of them; a month's person-times are not the year's
    assert "农村 › 临时救助" not in err
    assert "临时救助: a total over part of 2022 (2022-03)" in err


def test_city_report_urban_rows_alone_are_no_total(ds, tmp_path):
    """The same page without its 农村最低生活保障 rows: the urban 7.1万人 and 4.2万户 are not written as the
    城乡 totals; the urban standard still is."""
    lines = BEIJING.read_text(encoding="utf-8").splitlines()
    start = lines.index("农村最低生活保障,,")
    cut = tmp_path / "urban_only.csv"
    cut.write_text("\n".join(lines[:start] + lines[start + 4:]), encoding="utf-8")
    got = S.read_report(cut, "beijing", ds=ds, region_name="北京市")
    v = values(got)
    assert v[("dibao_standard_urban", 2022)] == 1245
    assert not {"dibao_recipients", "dibao_households", "dibao_standard_rural"} & set(got.rows.indicator)
    why = " ".join(w for _, w in got.not_written)
    assert "urban part of dibao_recipients only" in why and "urban part of dibao_households only" in why


def test_province_quarterly_report_with_empty_standards(ds):
    """福建 2021年2季度: the page leaves both 平均标准 cells empty; they are listed as having no number (with their
    section), never read as 0; the quarter comes from the title."""
    got = S.read_report(FUJIAN, "fujian", ds=ds, region_name="福建省")
    assert got.period.label() == "2021Q2"
    assert values(got) == {("elderly_care_institutions", 2021): 712, ("elderly_care_institution_beds", 2021): 95000,
                           ("orphans", 2021): 3000, ("orphans_institutional", 2021): 1000,
                           ("orphans_scattered", 2021): 2000, ("dibao_recipients", 2021): 61000 + 459000,
                           ("dibao_households", 2021): 41000 + 254000, ("tekun_recipients", 2021): 6000 + 62000}
    assert [n for _, n in got.empty] == ["城市 › 最低生活保障平均标准", "农村 › 最低生活保障平均标准", "福利彩票销售"]


def test_league_city_form_with_codes_and_previous_year_column(ds, tmp_path):
    """鄂尔多斯 (the former 伊克昭盟): 代码 | 数量 | 上年数据 | 同比 with the 甲/乙/丙 row. The stored page shows no
    period, so it is asked for; none of its items (township counts, expenditure) is an indicator, so nothing is
    written and every item is listed; the expenditure rows under 城市/农村 are never taken for 低保 figures."""
    from mzforecast.io.statreport_layout import read_layout
    lay = read_layout(ORDOS)
    assert (lay.name, lay.unit, lay.code, lay.value, lay.prev_year) == (0, 1, 2, 3, 4)
    with pytest.raises(DataError, match="does not say which period"):
        S.read_report(ORDOS, "ordos", ds=ds, region_name="鄂尔多斯市")
    got = S.read_report(ORDOS, "ordos", ds=ds, period="2024Q2", region_name="鄂尔多斯市")
    assert got.rows.empty and not got.not_written
    names = [n for _, _, n in got.unrecognised]
    assert len(names) == 22 and "城市低保累计支出" in names and "城市特困人员救助供养支出" in names
    # a mapping by code (as data/statreport_items.yaml allows) reads the 上年数据 cell as the year before
    from mzforecast.data import Dataset, Indicator
    ds2 = Dataset(ds.observations, {**ds.indicators, "township_divisions": Indicator(
        id="township_divisions", name_zh="乡级行政区划单位数", unit="townships")}, ds.regions, ds.sources)
    yml = tmp_path / "items.yaml"
    yml.write_text("items:\n  - indicator: township_divisions\n    codes: [JZH011110000]\n", encoding="utf-8")
    got = S.read_report(ORDOS, "ordos", ds=ds2, items=S.load_items(yml, ds2), period="2024Q2",
                        region_name="鄂尔多斯市")
    rows = {r.year: r for r in got.rows.itertuples()}
    assert set(rows) == {2024, 2023} and rows[2024].value == 77 and rows[2023].value == 77
    assert rows[2023].note == "value at the end of 2023Q2 (from a quarterly report); from the 上年数据 column"
    assert rows[2024].note == "value at the end of 2024Q2 (from a quarterly report)"
    assert rows[2023].quote == "(一)乡级行政区划 | 个 | JZH011110000 | 77"
