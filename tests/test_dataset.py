"""The bundled dataset: every figure is quoted verbatim from its document and loads correctly."""
import csv
import re

import pytest
import yaml

from conftest import ROOT, SEEDS
from mzforecast import data as D, targets as T

SOURCES = {s["id"]: s for s in yaml.safe_load((ROOT / "data/sources.yaml").read_text())["sources"]}


def seed_text(source_id):
    return (SEEDS / SOURCES[source_id]["seed"]).read_text(encoding="utf-8")


def test_seeds_present():
    assert SEEDS.is_dir(), f"the source documents are expected in {SEEDS}"
    assert len(list(SEEDS.glob("*.txt"))) == 5


def test_every_observation_quote_is_verbatim():
    rows = list(csv.DictReader((ROOT / "data/observations.csv").open(encoding="utf-8")))
    assert len(rows) >= 130
    missing = [(r["indicator"], r["year"], r["quote"]) for r in rows if r["quote"] not in seed_text(r["source"])]
    assert missing == []


def test_every_target_quote_is_verbatim():
    n = 0
    for p in sorted((ROOT / "data/plans").glob("*.yaml")):
        plan = yaml.safe_load(p.read_text(encoding="utf-8"))
        text = seed_text(plan["source"])
        for t in plan["targets"]:
            n += 1
            assert t["quote"] in text, (p.name, t["id"])
    assert n >= 150


def test_plan_files_cover_the_five_documents(ds):
    assert T.list_plans() == ["changchun-13th", "changchun-14th", "jilin-13th", "jilin-2019", "jilin-2021"]
    cc14 = T.get_plan("changchun-14th", ds)
    table = [t for t in cc14.targets if t.id.startswith("table-")]
    # the 15-row table: row 1 (tekun) is split into its urban and rural halves
    assert len({t.id.split("-")[1] for t in table}) == 15
    binding = {t.id.split("-")[1] for t in table if t.binding}
    assert binding == {"01", "03", "04", "12", "13", "14"}


@pytest.mark.parametrize("region,indicator,year,value", [
    ("changchun", "dibao_standard_urban", 2010, 305),
    ("changchun", "dibao_standard_urban", 2015, 510),
    ("changchun", "dibao_standard_urban", 2020, 710),
    ("changchun", "dibao_standard_rural", 2020, 6000),
    ("changchun", "elderly_care_beds", 2020, 48000),
    ("changchun", "welfare_lottery_sales", 2015, 1_542_000_000),
    ("changchun", "certified_social_workers", 2020, 4139),
    ("jilin", "elderly_care_beds", 2015, 147_000),
    ("jilin", "dibao_standard_rural", 2015, 2719),
])
def test_spot_values(ds, region, indicator, year, value):
    assert ds.series(region, indicator).loc[year] == pytest.approx(value)


def test_units_are_base_units(ds):
    ind = ds.indicators
    assert ind["dibao_standard_urban"].unit == "yuan/person/month"
    assert ind["dibao_standard_rural"].unit == "yuan/person/year"
    assert ind["welfare_lottery_sales"].unit == "yuan"
    assert ind["nursing_bed_share_public_homes"].kind == "share"


def test_every_plan_indicator_is_defined(ds):
    for p in T.list_plans():
        for t in T.get_plan(p, ds).targets:
            assert t.indicator in ds.indicators, (p, t.id)
            assert t.denominator is None or t.denominator in ds.indicators, (p, t.id)
            assert t.region in ds.regions, (p, t.id)


# Numbers that are not figures: dates, year spans, document numbers, list and table numbering.
NOT_FIGURES = [
    r"\d{4}\s*年(度)?(\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?)?", r"\d{1,2}\s*月\s*\d{1,2}\s*日([-—]\s*\d{1,2}\s*日)?",
    r"\d{4}\s*[-—–]\s*\d{4}\s*年?", r"\d{4}-\d{2}(-\d{2})?", r"从\s*\d{4}\s*年", r"〔\d{4}〕\s*\d+\s*号",
    r"吉民发\d+", r"索引号.*", r"\d+\s*周年", r"(^|\s|\*\*|[（(])\d{1,2}[.．、](?!\d)", r"^\s*\d+\t", r"\t\d+\s*$",
    r"（\d{4}—\d{4}年）", r"\d{4}年(前|起|底)", r"\s\d\.(?=\d{4}年)",
]


def _accounted(source_id):
    text = seed_text(source_id)
    covered = bytearray(len(text))
    quotes = [r["quote"] for r in csv.DictReader((ROOT / "data/observations.csv").open(encoding="utf-8"))
              if r["source"] == source_id]
    for p in (ROOT / "data/plans").glob("*.yaml"):
        plan = yaml.safe_load(p.read_text(encoding="utf-8"))
        if plan["source"] == source_id:
            quotes += [t["quote"] for t in plan["targets"]]
    excl = yaml.safe_load((ROOT / "data/exclusions.yaml").read_text(encoding="utf-8"))["exclusions"]
    quotes += [x["quote"] for x in excl if x["source"] == source_id]
    spans = [m.span() for q in set(quotes) for m in re.finditer(re.escape(q), text)]
    spans += [m.span() for pat in NOT_FIGURES for m in re.finditer(pat, text, flags=re.M)]
    for a, b in spans:
        covered[a:b] = b"\x01" * (b - a)
    return [text[max(0, m.start() - 20):m.end() + 10] for m in re.finditer(r"\d+(?:\.\d+)?", text)
            if not covered[m.start()]]


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_number_in_the_documents_is_accounted_for(source_id):
    """Each number is in a recorded figure or target, a date or numbering, or a listed exclusion."""
    assert _accounted(source_id) == []


def test_exclusions_quote_the_documents():
    excl = yaml.safe_load((ROOT / "data/exclusions.yaml").read_text(encoding="utf-8"))["exclusions"]
    assert excl
    for x in excl:
        assert x["quote"] in seed_text(x["source"]), x["quote"]
        assert len(x["reason"]) > 10
