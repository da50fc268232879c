"""Hostile use, round four: the surfaces added with the checked-data folder of a run, rule ratios and
ratios of two standards, the plan import's percent rule, Excel formats by unit, the ratio card and
the regions dashboard. Each test builds its own inputs and asserts the exit code, the message and
that no traceback is printed."""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import yaml

from conftest import cli_main
from mzforecast import fmt
from mzforecast.data import checked, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "jilin-prefectures-synthetic.csv"
main = cli_main  # (exit code, stdout, stderr), never a traceback


def _plan(path: Path, targets: list[dict], **head) -> Path:
    doc = dict(id="p4", name_zh="测试", region="changchun", source="changchun-14th", base_year=2020, target_year=2025)
    doc.update(head)
    doc["targets"] = [dict(quote="q", **t) for t in targets]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


TEKUN = dict(id="tekun", indicator="tekun_standard_urban", kind="ratio", denominator="dibao_standard_urban",
             denominator_lag=1, comparator=">=", value=1.5, unit="times")
RURAL = dict(id="rural", indicator="dibao_standard_rural", kind="ratio", denominator="dibao_standard_urban",
             comparator=">=", value=75, unit="percent")


# ---------------------------------------------------------------- rule ratios and ratios of two standards
def test_held_ratio_outside_its_bounds_has_its_point_inside(tmp_path, capsys):
    """Changchun's 特困 ratio is 1.59 in 2020; bounds [0, 1.2] put every path at 1.2, and the point too
    (it was 1.59, above every quantile)."""
    plan = _plan(tmp_path / "p.yaml", [dict(TEKUN, bounds=[0, 1.2]), dict(RURAL, bounds=[0, 50])])
    rc, out, err = main(["assess", "--plan", str(plan), "--format", "json"], capsys)
    assert rc == 0, err
    import json
    rows = {r["target_id"]: r for r in json.loads(out)}
    for tid, hi in (("tekun", 1.2), ("rural", 50)):
        r = rows[tid]
        assert r["point"] <= hi + 1e-9 and r["median"] <= hi + 1e-9, r
        assert r["point"] == pytest.approx(r["median"])


@pytest.mark.parametrize("value", [0, -1.5, 1.3, 150])
def test_draft_with_odd_ratio_targets_never_crashes(value, tmp_path, capsys):
    plan = _plan(tmp_path / "d.yaml", [dict(TEKUN, value=value), dict(RURAL, value=value)], base_year=2025,
                 target_year=2030)
    for argv in (["draft", str(plan)], ["assess", "--plan", str(plan)]):
        rc, out, err = main(argv, capsys)
        assert "Traceback" not in err, err
        if value > 0:
            assert rc == 0, err
        else:  # a ratio of two positive standards at or below 0 is refused, not reported met
            assert rc == 2 and "target 'tekun': a ratio of two positive quantities cannot be" in err, err
            assert "targets[0].value" in err and "d.yaml" in err, err


@pytest.mark.parametrize("target, said, column", [
    (dict(id="beds", indicator="nursing_bed_share_public_homes", comparator=">=", value=150, unit="percent"),
     "share 150% is above 100", "targets[0].value"),
    (dict(id="orgs", indicator="social_organisations", comparator=">=", value=-5, unit="organisations"),
     "negative value -5", "targets[0].value"),
    (dict(id="band", indicator="nursing_bed_share_public_homes", comparator="between", value=50, value_high=120,
          unit="percent"), "share 120% is above 100", "targets[0].value_high"),
])
def test_plan_yaml_values_follow_the_data_rules(target, said, column, tmp_path, capsys):
    """The YAML plan reader applies the rules every data reader applies (data.rows.check_value): a share
    of 150 % or a count of -5 was assessed silently."""
    plan = _plan(tmp_path / "p.yaml", [target])
    rc, _, err = main(["assess", "--plan", str(plan)], capsys)
    assert rc == 2 and said in err and column in err and "p.yaml" in err and "Traceback" not in err, err


@pytest.mark.parametrize("rows, said", [
    ("changchun,tekun_standard_urban,2023,inf,元/人·月", "not a finite number"),
    ("changchun,tekun_standard_urban,2023,NaN,元/人·月", "not a finite number"),
    ("changchun,tekun_standard_urban,2023,-5,元/人·月", "negative value"),
    ("changchun,dibao_standard_urban,2023,0,元/人·月", "must be above 0"),
])
def test_propose_ratio_on_nan_like_zero_or_negative_values(rows, said, tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit\n" + rows + "\n", encoding="utf-8")
    rc, out, err = main(["propose", "changchun", "tekun_standard_urban", "--denominator", "dibao_standard_urban",
                         "--lag", "1", "--data", str(f)], capsys)
    assert rc == 2 and said in err and "d.csv, row 2" in err and out == ""


def test_propose_ratio_above_parity_and_jumping_rule_ratio(tmp_path, capsys):
    """Rural above urban (111 %) keeps the trend model inside 0-100; a 特困 ratio from 0.07 to 1,389
    in a year is held with its own wide spread; both print a table."""
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit\n" + "\n".join(
        f"changchun,{i},{y},{v},{u}" for i, u, vals in (
            ("dibao_standard_urban", "元/人·月", (700, 720, 740)), ("dibao_standard_rural", "元/人·年", (9000, 9500, 9900)),
            ("tekun_standard_urban", "元/人·月", (50, 999999, 999999)))
        for y, v in zip((2021, 2022, 2023), vals)) + "\n", encoding="utf-8")
    for argv in (["propose", "changchun", "dibao_standard_rural", "--denominator", "dibao_standard_urban", "--unit",
                  "percent", "--data", str(f)],
                 ["propose", "changchun", "tekun_standard_urban", "--denominator", "dibao_standard_urban", "--lag", "1",
                  "--data", str(f)]):
        rc, out, err = main(argv, capsys)
        assert rc == 0 and "probability" in out, err


# ---------------------------------------------------------------- the checked-data folder of a run
def _kept(room):
    return list(room.glob("*.pickle"))


def test_a_file_changed_while_the_run_loads_it_is_not_kept(data_file, room, monkeypatch):
    """The parent loads the old bytes; the file changes before the key is taken: the old Dataset
    must not be kept under the new bytes' key (a kernel would take it for the new file)."""
    from mzforecast.running import jobs
    monkeypatch.delenv(checked.FOLDER_VARIABLE)
    real = jobs.load

    def load_then_change(df):
        ds = real(df)
        lines = Path(df).read_text(encoding="utf-8").splitlines()
        Path(df).write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
        return ds
    monkeypatch.setattr(jobs, "load", load_then_change)
    jobs.validate_jobs([dict(params={"data_file": str(data_file)}, file="p.yaml")], str(room))
    assert _kept(room) == []


def test_an_unchanged_file_is_kept_by_validate_jobs(data_file, room, monkeypatch):
    from mzforecast.running import jobs
    monkeypatch.delenv(checked.FOLDER_VARIABLE)
    jobs.validate_jobs([dict(params={"data_file": str(data_file)}, file="p.yaml")], str(room))
    assert len(_kept(room)) == 1


def _plant(room, data_file, obj) -> Path:
    p = room / f"{checked.key(str(data_file))}.pickle"
    p.write_bytes(pickle.dumps(obj))
    return p


def test_a_kept_file_that_is_no_dataset_is_not_taken(data_file, room):
    _plant(room, data_file, {"not": "a dataset"})
    got = load(str(data_file))
    assert type(got).__name__ == "Dataset" and len(got.observations)


def test_a_kept_file_others_can_write_or_a_link_is_not_taken(data_file, room, tmp_path, monkeypatch):
    monkeypatch.delenv(checked.FOLDER_VARIABLE)
    ds = load(str(data_file))
    monkeypatch.setenv(checked.FOLDER_VARIABLE, str(room))
    p = _plant(room, data_file, ds)
    assert checked.take(str(data_file)) is not None
    os.chmod(p, 0o666)  # left writable by everyone: anything may have been put in it
    assert checked.take(str(data_file)) is None
    elsewhere = tmp_path / "elsewhere.pickle"
    os.chmod(p, 0o600)
    p.rename(elsewhere)
    p.symlink_to(elsewhere)  # a link out of the private folder
    assert checked.take(str(data_file)) is None


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give files to another user")
def test_another_users_folder_or_file_is_not_taken(data_file, room, monkeypatch):
    monkeypatch.delenv(checked.FOLDER_VARIABLE)
    ds = load(str(data_file))
    monkeypatch.setenv(checked.FOLDER_VARIABLE, str(room))
    p = _plant(room, data_file, ds)
    os.chown(p, 1, 1)
    assert checked.take(str(data_file)) is None
    os.chown(p, 0, 0)
    os.chown(room, 1, 1)
    assert checked.take(str(data_file)) is None


@pytest.mark.parametrize("where", ["missing", "file", "world", "sticky"])
def test_variable_set_by_hand_for_a_plain_notebook_run(where, data_file, tmp_path, monkeypatch):
    """MZFORECAST_CHECKED_DATA set by a user running a notebook with papermill: a path that is not a
    private folder is ignored and the file is loaded and checked as usual."""
    target = tmp_path / "x"
    if where == "file":
        target.write_text("x", encoding="utf-8")
    elif where in ("world", "sticky"):
        target.mkdir()
        os.chmod(target, 0o777 if where == "world" else 0o1777)
        _plant(target, data_file, {"planted": True})
    monkeypatch.setenv(checked.FOLDER_VARIABLE, str(target))
    got = load(str(data_file))
    assert type(got).__name__ == "Dataset" and len(got.observations)


def test_key_of_a_pipe_does_not_wait(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    assert checked.key(str(fifo)) is None


# ---------------------------------------------------------------- plan import: the percent rule
def _table(path, value, number_format="General", unit="", name="农村低保标准占城市低保标准比例"):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "指标", "2025年目标值", "单位", "属性"])
    ws.append([1, name, value, unit, "约束性"])
    ws.cell(2, 3).number_format = number_format
    wb.save(path)
    return path


def _import(table, out, capsys):
    return main(["plan", "import", str(table), "--id", "cc", "--region", "changchun", "--base-year", "2020",
                 "--target-year", "2025", "--out", str(out)], capsys)


SHARE = "公办养老机构护理型床位占比"
TEKUN_ROW = "城乡特困人员基本生活标准"


@pytest.mark.parametrize("value, number_format, unit, name, expect", [
    ("80%", "General", "", None, ("percent", 80)),
    ("８０％", "General", "", None, ("percent", 80)),
    ("８０", "General", "％", None, ("percent", 80)),  # a full-width ％ in the 单位 column
    ("80", "General", "％", SHARE, ("percent", 80)),
    ("80 %", "General", "", None, ("percent", 80)),
    ("约80%", "General", "", None, ("percent", 80)),
    (0.8, "0%", "", None, ("percent", 80)),
    (0.8, "0%", "%", SHARE, ("percent", 80)),
    ("1.5", "General", "倍", TEKUN_ROW, ("times", 1.5)),
    ("不低于1.5倍", "General", "", TEKUN_ROW, ("times", 1.5)),
])
def test_plan_import_percent_cells_read(value, number_format, unit, name, expect, tmp_path, capsys):
    table = _table(tmp_path / "t.xlsx", value, number_format, unit, name or "农村低保标准占城市低保标准比例")
    out = tmp_path / "p.yaml"
    rc, _, err = _import(table, out, capsys)
    assert rc == 0, err
    t = yaml.safe_load(out.read_text(encoding="utf-8"))["targets"][0]
    assert (t["unit"], t["value"]) == expect


@pytest.mark.parametrize("value, number_format, unit, name, said", [
    ("0.8", "General", "", None, "a ratio target with no unit (% or 倍)"),  # was "a ratio target in ''"
    ("0.8", "General", "％", None, "'0.8' in a % column: 0.8% or 80%?"),
    ("0.8", "General", "", SHARE, "'0.8' in a % column: 0.8% or 80%?"),
    ("1,5", "General", "倍", TEKUN_ROW, "'1,5' is not a target phrase"),
    ("-80%", "General", "", None, "'-80%' is not a target phrase"),
    (-0.8, "0%", "", None, "'-80%' is not a target phrase"),
    (1.5, "0%", "", SHARE, "is a share: a target of 150% lies outside 0-100%"),
    (150, "General", "%", SHARE, "is a share: a target of 150% lies outside 0-100%"),
    ("1.5倍", "General", "", SHARE, "'倍' cannot be the unit of an indicator in 'percent'"),
    ("", "General", "", None, "'' is not a target phrase"),
    ("=1/0", "General", "", None, "holds the formula '=1/0' with no saved value"),
    ("1.5 times", "General", "", TEKUN_ROW, "a ratio target in 'times'"),
])
def test_plan_import_odd_cells_refused_with_row(value, number_format, unit, name, said, tmp_path, capsys):
    table = _table(tmp_path / "t.xlsx", value, number_format, unit, name or "农村低保标准占城市低保标准比例")
    out = tmp_path / "p.yaml"
    rc, _, err = _import(table, out, capsys)
    assert rc == 2 and said in err and "t.xlsx, row 2" in err, err
    assert not out.exists()


def test_full_width_percent_unit_in_a_data_file(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("region,indicator,year,value,unit\nchangchun,disability_living_allowance_coverage,2023,80,％\n",
                 encoding="utf-8")
    rc, out, err = main(["data", "check", str(f)], capsys)
    assert rc == 0 and "valid" in out, err  # was: unknown unit '％'


# ---------------------------------------------------------------- Excel formats by unit
@pytest.mark.parametrize("v", [float("inf"), float("-inf"), float("nan"), None, 1e300, -1e300, 0, 5e-324])
@pytest.mark.parametrize("unit", ["percent", "times", "people", "yuan/person/month", "", "weird unit", "万人"])
def test_excel_format_of_odd_values_and_units(v, unit):
    f = fmt.excel_format(v, unit)
    assert f == "General" or f.startswith("#,##0")
    if unit == "percent":
        assert f == "#,##0.0"


# ---------------------------------------------------------------- ids with control or bidi characters
@pytest.mark.parametrize("region", ["chang\u202echun", "chang\u200bchun", "changchun\x1b[31m"])
def test_regions_plan_with_a_hidden_character_in_a_region_id(region, tmp_path, capsys):
    plan = _plan(tmp_path / "r.yaml", [dict(id="a", indicator="dibao_standard_urban", comparator=">=", value=800,
                                            unit="yuan/person/month")], regions=["changchun", region])
    plan_doc = yaml.safe_load(plan.read_text(encoding="utf-8"))
    del plan_doc["region"]
    plan.write_text(yaml.safe_dump(plan_doc, allow_unicode=True), encoding="utf-8")
    rc, out, err = main(["assess", "--plan", str(plan)], capsys)
    assert rc == 2 and "r.yaml" in err and "\x1b" not in err and "\u202e" not in err, err


# ---------------------------------------------------------------- the regions dashboard on odd data (real notebooks)
@pytest.mark.slow
def test_regions_dashboard_one_region_and_regions_without_data(tmp_path, capsys):
    src = (ROOT / "data" / "examples" / "jilin-prefectures-example.yaml").read_text(encoding="utf-8")
    import re
    rows = EXAMPLE.read_text(encoding="utf-8").splitlines()
    (tmp_path / "cc.csv").write_text("\n".join([rows[0]] + [r for r in rows[1:] if r.startswith("changchun,")]) + "\n",
                                     encoding="utf-8")
    for name, regions in (("one", "[changchun]"), ("nodata", "[changchun, siping, songyuan]")):
        (tmp_path / f"{name}.yaml").write_text(re.sub(r"regions: \[.*\]", f"regions: {regions}", src).replace(
            "id: jilin-prefectures-example", f"id: {name}"), encoding="utf-8")
        (tmp_path / f"p-{name}.yaml").write_text(f"notebook: regions_dashboard\nplan: {name}.yaml\nlanguage: zh\n"
                                                 "data_file: cc.csv\n", encoding="utf-8")
    out = tmp_path / "out"
    rc, o, err = main(["run", str(tmp_path / "p-one.yaml"), str(tmp_path / "p-nodata.yaml"), "--out", str(out)], capsys)
    assert rc == 0 and "2/2 notebooks ok" in o + err, err
    nodata = (out / "p-nodata.html").read_text(encoding="utf-8")
    assert "3 个地区" in nodata and "四平市" in nodata and "无数据" in nodata
    assert "1 个地区" in (out / "p-one.html").read_text(encoding="utf-8")
    for page in ("p-one.html", "p-nodata.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert ">nan<" not in text and "Traceback" not in text
