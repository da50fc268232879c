"""data/reference: every row cites a page and quotes the figure it holds; every family can be scored."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from mzforecast import growth

REF = Path(__file__).resolve().parent.parent / "data" / "reference"
COLUMNS = ["family", "series", "region", "indicator", "year", "value", "unit",
           "source_url", "source_title", "quote", "note"]
# a note that shows the arithmetic ("2067.8 / 12", "5842 yuan/year / 12", "352 - 41") explains a value the
# quote lacks; the spaced operator keeps a year range ("2011-2015") from counting as one
ARITHMETIC = re.compile(r"\d[\d.]*\s*(?:[a-z/]+\s+)?[-+/×*]\s+\d")


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv", keep_default_na=False)


def _numbers(text: str) -> list[float]:
    """The numbers written in a quote, thousands separators (2,079.56 / 1，330) removed."""
    text = re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", text)
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def _quoted(value: float, quote: str) -> bool:
    """The value is written in the quote, as is or in a unit 10-10000 times smaller (个 -> 万个)."""
    nums = _numbers(quote)
    return any(abs(n - value * 10 ** k) < 1e-6 * max(1.0, n) for n in nums for k in range(5))


@pytest.mark.parametrize("name", ["series", "excluded"])
def test_every_row_cites_and_quotes_its_source(name):
    d = _read(name)
    assert list(d.columns[:len(COLUMNS)]) == COLUMNS
    # a web page, or (the seed plans' own figures, README) the seed file in ../shared/seeds
    assert d["source_url"].str.match(r"https?://|\.\./shared/seeds/").all()
    assert (d["quote"].str.strip() != "").all() and (d["source_title"].str.strip() != "").all()
    assert (pd.to_numeric(d["value"]) > 0).all()
    unquoted = [f"{r.series} {r.year} {r.value}" for r in d.itertuples()
                if not _quoted(float(r.value), r.quote) and not ARITHMETIC.search(r.note)]
    assert unquoted == [], f"data/reference/{name}.csv: value neither in the quote nor derived in the note: {unquoted}"


def test_series_are_consistent_and_excluded_rows_say_why():
    d = _read("series")
    assert not d.duplicated(["series", "year"]).any()
    per_series = d.groupby("series")[["family", "region", "indicator", "unit"]].nunique()
    assert (per_series == 1).all().all()
    x = _read("excluded")
    assert (x["reason"].str.strip() != "").all()
    assert not x.merge(d, on=["series", "year"]).shape[0], "a series-year both used and excluded"


def test_every_family_has_a_prior():
    # bench/domain_calibration.py and scripts/build_growth_calibration.py score each family with its prior
    fams = set(_read("series")["family"])
    assert fams - set(growth.FAMILY_PRIORS) == set()
    assert {"standard", "lottery", "recipients"} <= fams


def test_quote_check_reads_separators_and_units():
    assert _quoted(2079.56, "銷售額為2,079.56億元")
    assert _quoted(37.4771, "相比2020年的374771个")
    assert not _quoted(172.3, "2067.8元/人、年")
    assert ARITHMETIC.search("published per year: 2067.8 / 12") and ARITHMETIC.search("5842 yuan/year / 12")
    assert not ARITHMETIC.search("columns 2005-2006")
