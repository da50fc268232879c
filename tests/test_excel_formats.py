"""Excel number formats follow the one formatter's rule (fmt.decimals by unit): counts whole, shares
one decimal, multiples two, in every workbook writer (assess --format xlsx and summary.xlsx share
pages.workbook; the template). Inputs built here."""
from __future__ import annotations

import openpyxl
import pandas as pd

from mzforecast import cli, fmt
from mzforecast.attainment import FIELDS


def test_excel_format_follows_fmt_decimals():
    assert fmt.excel_format(8283.5, "beds") == "#,##0"  # a count: never #,##0.00
    assert fmt.excel_format(27800, "people") == "#,##0"
    assert fmt.excel_format(710, "yuan/person/month") == "#,##0"
    assert fmt.excel_format(55.3, "percent") == "#,##0.0"
    assert fmt.excel_format(1.59, "times") == "#,##0.00"
    assert fmt.excel_format(None, "beds") == "#,##0" and fmt.excel_format(None, "yuan") == "General"
    for v, unit in ((8283.5, "beds"), (55.3, "percent"), (1.59, "times"), (4.25, "m2 per 100 households")):
        d = len(fmt.number(v, unit, "en", with_unit=False).partition(".")[2])
        assert fmt.excel_format(v, unit).partition(".")[2] == "0" * d


def test_summary_workbook_shows_counts_whole(ds, summary_book):
    rows = [dict({k: None for k in FIELDS}, plan="p", target_id="beds", indicator="elderly_care_beds", unit="beds",
                 base_year=2020, base_value=8283.4, latest_year=2024, latest_value=9600.6, verdict="on_track"),
            dict({k: None for k in FIELDS}, plan="p", target_id="ratio", indicator="tekun_standard_urban",
                 unit="times", base_year=2020, base_value=1.5915, latest_year=2024, latest_value=1.6, verdict="on_track")]
    ws = summary_book(pd.DataFrame(rows, columns=FIELDS), ds)["p"]
    head = [c.value for c in ws[1]]
    base, latest = head.index("基期值") + 1, head.index("现值") + 1
    assert ws.cell(2, base).number_format == ws.cell(2, latest).number_format == "#,##0"
    assert ws.cell(3, base).number_format == "#,##0.00"


def test_template_year_cells_take_the_units_format(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", "changchun-14th", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["填写数据"] if "填写数据" in openpyxl.load_workbook(out).sheetnames \
        else openpyxl.load_workbook(out).worksheets[0]
    head = [c.value for c in ws[1]]
    unit_col = next(i for i, h in enumerate(head) if "单位" in str(h))
    year_cols = [i for i, h in enumerate(head) if str(h).isdigit()]
    seen = {}
    for row in ws.iter_rows(min_row=2):
        unit = row[unit_col].value
        for i in year_cols:
            seen.setdefault(unit, set()).add(row[i].number_format)
    counts = [u for u in seen if u in ("张", "个", "人")]
    assert counts and all(seen[u] == {"#,##0"} for u in counts)
    assert all(f != "#,##0.00" for u in counts for f in seen[u])
    assert seen.get("%") == {"#,##0.0"}


def test_regions_workbook_carries_the_nowcast_the_regions_page_shows(summary_book):
    """Read after the target year with no outcome in the data, the regions page shows 推算 63% per
    region: summary.xlsx (and assess --format xlsx) carry the same number, shown the same way."""
    import mzforecast as mzf
    from mzforecast.pages.common import probability_cell
    from mzforecast.pages.regions import region_name
    from mzforecast.plan import assess_plan
    d = mzf.data.data_dir() / "examples"
    ds = mzf.load(str(d / "jilin-prefectures-synthetic.csv"))
    res = assess_plan(str(d / "jilin-prefectures-example.yaml"), ds, reference=2027)
    assert (res.verdict == "outcome_pending").all() and res.probability_nowcast.notna().all()
    ws = summary_book(res, ds).worksheets[0]
    head = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(head)}
    book = {(r[col["编号"]].value, r[col["地区"]].value): r[col["实现概率"]] for r in ws.iter_rows(min_row=2)}
    for x in res.itertuples():
        shown = probability_cell(x, "zh")
        assert shown.startswith("<small>推算 ")
        c = book[(x.target_id, region_name(ds, x.region, "zh"))]
        assert c.value == round(x.probability_nowcast, 3) and c.number_format == '"推算 "0%'
