"""`mzforecast plan import`: a plan's indicator table to a plan YAML (Changchun 14th table retyped from the
seed document), the target phrases, and the inputs it refuses."""
import os
import stat
from pathlib import Path

import pytest

from mzforecast import cli
from mzforecast.io import plan_phrases as P
from mzforecast.targets import get_plan, load_plan

TABLE = Path(__file__).with_name("fixtures") / "changchun_14th_main_indicators.csv"
ARGS = ["--id", "cc14", "--region", "changchun", "--base-year", "2020", "--target-year", "2025"]


def run(table, out, *extra):
    return cli.main(["plan", "import", str(table), *ARGS, "--out", str(out), *extra])


def key(t):
    return (t.indicator, t.comparator, t.value, t.unit, t.binding)


def test_changchun_table_matches_the_bundled_plan(ds, tmp_path, capsys):
    out = tmp_path / "plan.yaml"
    assert run(TABLE, out) == 0
    imported = load_plan(out, ds)
    bundled = [t for t in get_plan("changchun-14th", ds).targets if t.id.startswith("table-")]
    assert len(bundled) == 16  # 15 rows; row 1 sets the urban and the rural target
    assert sorted(map(key, imported.targets)) == sorted(map(key, bundled))
    by_ind = {t.indicator: t for t in imported.targets}
    for b in bundled:  # the ratio parts too, and each target quotes its row as written
        t = by_ind[b.indicator] if b.indicator != "dibao_standard_rural" else by_ind["dibao_standard_rural"]
        assert (t.kind, t.denominator, t.denominator_lag) == (b.kind, b.denominator, b.denominator_lag)
        assert t.quote == b.quote
    assert by_ind["social_work_professionals"].proxy == "certified_social_workers"
    # and the imported file is assessed
    capsys.readouterr()
    assert cli.main(["assess", "--plan", str(out), "--format", "csv"]) == 0
    assert "table-15" in capsys.readouterr().out


def test_refuses_to_overwrite_and_to_write_over_the_table(ds, tmp_path, capsys):
    out = tmp_path / "plan.yaml"
    out.write_text("keep", encoding="utf-8")
    assert run(TABLE, out) == 2
    assert "--force" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "keep"
    assert run(TABLE, out, "--force") == 0 and out.read_text(encoding="utf-8") != "keep"
    copy = tmp_path / "t.csv"
    copy.write_bytes(TABLE.read_bytes())
    assert run(copy, copy, "--force") == 2
    assert "ending in .yaml" in capsys.readouterr().err and copy.read_bytes() == TABLE.read_bytes()
    odd = tmp_path / "t.yaml"  # a table saved under a .yaml name is still read, and never written over
    odd.write_bytes(TABLE.read_bytes())
    assert run(odd, odd, "--force") == 2
    assert "also an input" in capsys.readouterr().err and odd.read_bytes() == TABLE.read_bytes()


def test_written_plan_gets_the_umask_mode(ds, tmp_path):
    out = tmp_path / "plan.yaml"
    old = os.umask(0o022)
    try:
        assert run(TABLE, out) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert not [p.name for p in tmp_path.iterdir() if p.name != "plan.yaml"]  # no temporary file left


def test_unmatched_names_and_unreadable_phrases_are_listed_not_guessed(ds, tmp_path, capsys):
    t = tmp_path / "t.csv"
    t.write_text("序号,指标,2030年目标值,单位,属性\n1,养老机构护理型床位占比,≥ 60%,,约束性\n"
                 "2,福利彩票销售网点总数,1800个,,预期性\n3,社会组织数,明显增加,,预期性\n", encoding="utf-8")
    out = tmp_path / "p.yaml"
    assert cli.main(["plan", "import", str(t), "--id", "x", "--region", "changchun", "--base-year", "2025",
                     "--target-year", "2030", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 3, column '指标': '福利彩票销售网点总数' has no indicator: closest known names '福利彩票销售网点数'" in err
    assert "row 4, column '目标值': '明显增加'" in err and not out.exists()
    assert cli.main(["plan", "import", str(t), "--id", "x", "--region", "changchun", "--base-year", "2025",
                     "--target-year", "2030", "--out", str(out), "--skip-unread"]) == 0
    plan = load_plan(out, ds)
    assert [(x.indicator, x.comparator, x.value, x.binding) for x in plan.targets] == [
        ("nursing_bed_share_all_homes", ">=", 60, True)]


def test_target_year_must_match_the_column(ds, tmp_path, capsys):
    assert cli.main(["plan", "import", str(TABLE), "--id", "x", "--region", "changchun", "--base-year", "2025",
                     "--target-year", "2030", "--out", str(tmp_path / "p.yaml")]) == 2
    assert "--target-year 2025" in capsys.readouterr().err


def test_devices_refused(ds, tmp_path, capsys):
    assert cli.main(["plan", "import", "/dev/zero", *ARGS, "--out", str(tmp_path / "p.yaml")]) == 2
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    assert cli.main(["plan", "import", str(fifo), *ARGS, "--out", str(tmp_path / "p.yaml")]) == 2
    assert capsys.readouterr().err.count("not a regular file") == 2


@pytest.mark.parametrize("phrase,expect", [
    ("不低于上年度城乡低保标准的1.5倍", dict(comparator=">=", value=1.5, unit="倍", kind="ratio", lag=1)),
    ("75%", dict(comparator=None, value=75, unit="%")),
    ("1700个", dict(comparator=None, value=1700, unit="个")),
    ("> 30平方米", dict(comparator=">", value=30, unit="平方米")),
    ("≥ 55%", dict(comparator=">=", value=55, unit="%")),
    ("达到35–40张", dict(comparator=">=", value=35, value_high=40, unit="张")),
    ("年均增长10%左右", dict(comparator=">=", value=10, unit="%", kind="growth", tolerance=0.5)),
    ("约1000万张", dict(comparator=None, value=1e7, unit="张", tolerance=5e5)),
    ("新增1.5万张", dict(comparator=None, value=15000, unit="张", kind="change")),
    ("50%以上", dict(comparator=">=", value=50, unit="%")),
    ("≤15分钟", dict(comparator="<=", value=15, unit="分钟")),
    ("100%", dict(comparator=None, value=100, unit="%")),
])
def test_phrases(phrase, expect):
    r = P.read(phrase)
    for k, v in expect.items():
        assert getattr(r, k) == pytest.approx(v) if isinstance(v, float) else getattr(r, k) == v, (phrase, k)


@pytest.mark.parametrize("phrase", ["明显提高", "全覆盖", "逐步提高", "≤ 35-40张", "40-35张", "不低于50%以下", ""])
def test_unreadable_phrases(phrase):
    assert P.read(phrase) is None
    assert P.binding("约束性") is True and P.binding("预期性") is False and P.binding("重点") is None


def test_phrase_units_in_a_plan(ds, tmp_path):
    t = tmp_path / "t.csv"
    t.write_text("序号,指标,2030年目标值,属性\n1,养老床位总数,新增1.5万张,预期性\n2,养老服务圈,≤15分钟,预期性\n"
                 "3,社会组织数,年均增长10%左右,预期性\n4,每千名老年人拥有养老床位数,达到35–40张,约束性\n",
                 encoding="utf-8")
    out = tmp_path / "p.yaml"
    assert cli.main(["plan", "import", str(t), "--id", "x", "--region", "changchun", "--base-year", "2025",
                     "--target-year", "2030", "--out", str(out)]) == 0
    ts = {x.indicator: x for x in load_plan(out, ds).targets}
    assert (ts["elderly_care_beds"].kind, ts["elderly_care_beds"].value, ts["elderly_care_beds"].unit) == (
        "change", 15000, "beds")
    assert (ts["elderly_service_circle_minutes"].comparator, ts["elderly_service_circle_minutes"].unit) == (
        "<=", "minutes")
    g = ts["social_organisations"]
    assert (g.kind, g.value, g.tolerance, g.unit) == ("growth", 10, 0.5, "percent")
    b = ts["elderly_care_beds_per_1000_elderly"]
    assert (b.comparator, b.value, b.value_high, b.unit, b.binding) == (">=", 35, 40, "beds per 1000 elderly", True)


def _workbook(path, rows):
    """A plan table as an office saves it: (name, value, number format, 单位) per row."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "指标", "2025年目标值", "单位", "属性"])
    for i, (name, value, number_format, unit) in enumerate(rows, 1):
        ws.append([i, name, value, unit, "约束性"])
        ws.cell(ws.max_row, 3).number_format = number_format
    wb.save(path)
    return path


def test_percent_formatted_cells_read_as_the_percentage_shown(ds, tmp_path, capsys):
    """0.8 formatted 0% is 80% (a ratio row and a share row alike), as --data reads a percent cell;
    a plain 85 in a % column is 85% (a plain number is in the column's unit, as --data reads it)."""
    table = _workbook(tmp_path / "t.xlsx", [("农村低保标准占城市低保标准比例", 0.8, "0%", ""),
                                            ("公办养老机构护理型床位占比", 0.6, "0.0%", "%"),
                                            ("养老机构护理型床位占比", 85, "General", "%")])
    out = tmp_path / "plan.yaml"
    assert run(table, out) == 0, capsys.readouterr().err
    by = {t.indicator: t for t in load_plan(out, ds).targets}
    ratio = by["dibao_standard_rural"]
    assert (ratio.kind, ratio.denominator, ratio.value, ratio.unit) == ("ratio", "dibao_standard_urban", 80, "percent")
    assert (by["nursing_bed_share_public_homes"].value, by["nursing_bed_share_public_homes"].unit) == (60, "percent")
    assert by["nursing_bed_share_all_homes"].value == 85


def test_a_plain_fraction_in_a_percent_column_is_refused_with_row_and_fix(ds, tmp_path, capsys):
    table = _workbook(tmp_path / "t.xlsx", [("公办养老机构护理型床位占比", 0.5, "General", "%")])
    out = tmp_path / "plan.yaml"
    assert run(table, out) == 2
    err = capsys.readouterr().err
    assert "t.xlsx, row 2, column '目标值'" in err and "0.5% or 50%?" in err and "format the cell as a percentage" in err
    assert not out.exists()
