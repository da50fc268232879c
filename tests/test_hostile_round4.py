"""Hostile use, round four: the surfaces added with the checked-data folder of a run, rule ratios and
ratios of two standards, the plan import's percent rule, Excel formats by unit, the ratio card and
the regions dashboard. Each test builds its own inputs and asserts the exit code, the message and
that no traceback is printed."""
from __future__ import annotations

import os
import pickle
import shutil
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
        assert rc == 0 and "Traceback" not in err, err


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
