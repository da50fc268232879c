"""The command line takes names where the Python API does (one resolver), prints rates through fmt,
and never shows a floor under a promise it does not make."""
import pytest

from conftest import cli_main


run = cli_main  # (exit code, stdout, stderr), never a traceback


@pytest.mark.parametrize("region, indicator", [("changchun", "dibao_standard_urban"), ("长春", "城市低保标准"),
                                               ("长春市", "城市低保标准")])
def test_propose_takes_ids_or_names_and_prints_growth_in_percent(capsys, region, indicator):
    rc, out, err = run(["propose", region, indicator, "--probability", "0.5", "0.8"], capsys)
    assert rc == 0, err
    head, *rows = out.strip().splitlines()
    cagr = head.split().index("implied_cagr")
    assert len(rows) == 2 and all(r.split()[cagr].endswith("%") for r in rows), out


def test_forecast_takes_a_name_and_an_unknown_one_is_a_message(capsys):
    rc, out, _ = run(["forecast", "长春", "城市低保标准", "--until", "2022"], capsys)
    assert rc == 0 and "dibao_standard_urban" in out
    rc, _, err = run(["forecast", "长春", "没有这个指标", "--until", "2022"], capsys)
    assert rc == 2 and "unknown indicator '没有这个指标'" in err
    rc, _, err = run(["propose", "长春", "没有这个指标"], capsys)
    assert rc == 2 and "unknown indicator '没有这个指标'" in err


def test_draft_table_shows_a_floor_short_of_its_column_as_such(capsys):
    rc, out, _ = run(["draft", "changchun-15th-draft-example"], capsys)
    assert rc == 0
    row = next(r for r in out.splitlines() if r.strip().startswith("draft-02-rural-urban-dibao"))
    # the floor's own probability (rural ÷ urban ≥ 75 % in 2030, models.ratio) is between 80 % and 90 %: the
    # 90 % column says so, the 80 % column proposes a value at or above the floor
    import re
    shown = re.findall(r"– \(floor 75\.0%: only (\d+)%\)", row)
    assert len(shown) == 1 and 80 <= int(shown[0]) < 90, row
    # a draft value that is the policy rule itself (特困 1.5 × 上年低保): no probability, the rule kept
    rule = next(r for r in out.splitlines() if r.strip().startswith("draft-01-tekun-urban"))
    assert " rule " in rule and "only" not in rule


def test_propose_prints_each_note_whole_even_one_that_holds_a_semicolon(capsys):
    rc, _, err = run(["propose", "changchun", "dibao_standard_urban", "--probability", "0.8"], capsys)
    assert rc == 0, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert all(ln.startswith("note: ") for ln in lines), err
    spread = [ln for ln in lines if "What the spread rests on" in ln]
    assert len(spread) == 1 and "M1/M3/Tourism" in spread[0] and "recipients" in spread[0], err


def test_propose_gives_a_share_its_pace_in_points(capsys):
    rc, out, err = run(["propose", "changchun", "dibao_standard_rural", "--denominator", "dibao_standard_urban",
                        "--unit", "percent", "--probability", "0.5"], capsys)
    assert rc == 0, err
    head, row = out.strip().splitlines()
    assert "implied_increment" in head and "implied_cagr" not in head, out
    assert row.split()[head.split().index("implied_increment")] == "2.5", out  # "2.5 pp": points, not % of itself
    assert " pp " in row, out
