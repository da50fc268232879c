"""`mzforecast data import`: a statistical report in the 指标名称 | 单位 | 数量 layout to --data rows."""
import sys
from pathlib import Path

import pandas as pd
import pytest

from mzforecast import cli
from mzforecast.data import load, load_user_file
from mzforecast.errors import DataError, DataErrors
from mzforecast.io import statreport as S

sys.path.insert(0, str(Path(__file__).parent))
from make_statreport_fixture import build  # noqa: E402

FIXTURE = Path(__file__).with_name("fixtures") / "statreport_2023.xlsx"


def test_fixture_is_the_generated_one(tmp_path):
    fresh = build(tmp_path / "r.xlsx")
    a = pd.read_excel(fresh, header=None, dtype=str, keep_default_na=False)
    b = pd.read_excel(FIXTURE, header=None, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(a, b)


def test_clean_name_and_number():
    assert S.clean_name("\u3000\u3000#护理型床位占比") == "护理型床位占比"
    assert S.clean_name("(1)城市特困人员基本生活标准") == "城市特困人员基本生活标准"
    assert S.clean_name("（2）其中：农村 低保") == "农村低保"
    assert S.clean_name("3A级以上社会组织数") == "3A级以上社会组织数"  # a digit that is not numbering
    assert S.parse_number("1,245.0") == 1245.0 and S.parse_number("—") is None
    with pytest.raises(ValueError):
        S.parse_number("约100")


def test_import_fixture(ds, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MZFORECAST_REFERENCE_YEAR", "2025")  # mid-plan: 序时进度 is read (not the closing form)
    out = tmp_path / "rows.csv"
    assert cli.main(["data", "import", str(FIXTURE), "--region", "changchun", "--year", "2023",
                     "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "社区志愿服务时长" in err and "row 18" in err  # listed, not imported
    assert "社会救助" not in err  # section headings are not items
    df = pd.read_csv(out, encoding="utf-8-sig")
    got = dict(zip(df.indicator, df.value))
    assert got["dibao_standard_urban"] == 800
    assert got["dibao_standard_rural"] == pytest.approx(6947.9)
    assert got["tekun_standard_urban"] == 1245
    assert got["elderly_care_institution_beds"] == 46000  # 4.6 万张
    assert got["temporary_assistance_person_times"] == 23500  # 2.35 万人次
    assert got["social_organisations"] == 5871
    assert "welfare_lottery_outlets" not in got  # '—' in the report
    assert set(df.source) == {"statreport_2023.xlsx"} and set(df.year) == {2023}
    row = df.set_index("indicator").loc["elderly_care_institution_beds"]
    assert row.quote == "2.养老机构床位 | 万张 | 4.6"
    # rows --data accepts, and the 2023 figures reach the evaluation
    assert len(load_user_file(out, ds)) == len(df)
    from mzforecast import assess_plan
    r = assess_plan("changchun-14th", load([out])).set_index("target_id").loc["table-02-rural-urban-dibao"]
    assert round(r.completion_progress, 1) == 42.6 and r.progress_status == "behind"


def test_csv_report_with_title_rows_gbk(tmp_path, ds):
    p = tmp_path / "季报.csv"
    p.write_bytes("社会服务统计季报\n\n指标名称,单位,数量\n城市低保平均标准,元/人·月,\"1,245.0\"\n"
                  "养老服务床位,万张,11.3\n".encode("gb18030"))
    with pytest.raises(DataError, match="季报"):  # a quarterly report is never read as a year's
        S.read_report(p, "changchun", 2024, ds)
    got = S.read_report(p, "changchun", 2024, ds, period="2024Q2")
    assert dict(zip(got.rows.indicator, got.rows.value)) == {"dibao_standard_urban": 1245.0,
                                                           "elderly_care_beds": pytest.approx(113000)}
    assert got.unrecognised == []


def test_bad_reports_name_the_row(tmp_path, ds):
    p = tmp_path / "bad.csv"
    p.write_text("指标名称,单位,数量\n社会组织数,个,很多\n养老服务床位,公顷,3\n", encoding="utf-8")
    with pytest.raises(DataErrors) as e:
        S.read_report(p, "changchun", 2023, ds)
    msgs = [str(x) for x in e.value.errors]
    assert any("row 2" in m and "很多" in m for m in msgs)
    assert any("row 3" in m and "公顷" in m for m in msgs)
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("名称,值\n社会组织数,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="指标名称"):
        S.read_report(nohead, "changchun", 2023, ds)
    with pytest.raises(DataError, match="atlantis"):
        S.read_report(FIXTURE, "atlantis", 2023, ds)


def test_mapping_file_is_checked(tmp_path, ds):
    p = tmp_path / "items.yaml"
    p.write_text("items:\n  - indicator: no_such_thing\n    names: [x]\n", encoding="utf-8")
    with pytest.raises(DataErrors, match="no_such_thing"):
        S.load_items(p, ds)
    assert S.load_items(ds=ds).names["养老机构床位"] == "elderly_care_institution_beds"


def test_report_on_a_later_sheet_and_out_folder(tmp_path, ds, capsys):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["封面：2024年社会服务统计季报"])
    ws = wb.create_sheet("表1")
    for r in (["指标名称", "计量单位", "数量"], ["养老机构床位", "张", 46123]):
        ws.append(r)
    p = tmp_path / "q.xlsx"
    wb.save(p)
    got = S.read_report(p, "changchun", 2024, ds)
    assert list(got.rows.value) == [46123.0]
    assert cli.main(["data", "import", str(p), "--region", "changchun", "--year", "2024", "--out", str(tmp_path)]) == 2
    assert "folder" in capsys.readouterr().err
