"""The `data import` and `plan import` commands: their options and what they print (the readers are
statreport.py and plantable.py); cli.py only attaches them."""
from __future__ import annotations

import sys

from ..data import YEAR_MAX, YEAR_MIN, load
from ..errors import DataError
from ..safe import terminal
from . import check_readable
from .write import check_target, csv_file, csv_text


def add_import_options(p) -> None:
    p.add_argument("--period", help="what a monthly or quarterly report covers when its title does not say: "
                   "2024-06, 2013Q4 or 2023")
    p.add_argument("--region-name", help="name (名称) of a region not in data/regions.csv, e.g. 全国")


def data_import(args) -> int:
    from .statreport import describe, read_report
    check_readable(args.file)  # a device or FIFO is refused before it is opened
    if args.out:  # refused before any work: never over the report or a file it did not write
        check_target(args.out, [args.file], args.force, ".csv")
    got = read_report(args.file, args.region, args.year, load(), period=args.period, region_name=args.region_name)
    for line in describe(got):
        print(terminal(line), file=sys.stderr)
    if args.out:
        csv_file(got.rows, args.out, float_format="%.10g")
        print(terminal(f"wrote {len(got.rows)} rows for {got.period.label()} to {args.out}; "
                       f"{len(got.unrecognised)} item(s) not recognised"), file=sys.stderr)
    else:
        sys.stdout.write(terminal(csv_text(got.rows, float_format="%.10g")))
    return 0


def _year(text: str) -> int:
    import argparse
    if not text.isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year {YEAR_MIN}-{YEAR_MAX}")
    return int(text)


def add_plan_import(sub) -> None:
    p = sub.add_parser("plan", help="work with plan files")
    psub = p.add_subparsers(dest="plan_cmd", required=True)
    i = psub.add_parser("import", help="turn a plan's indicator table (序号 | 指标 | 目标值 | 属性) into a plan YAML")
    i.add_argument("table", help="the table, CSV or XLSX")
    i.add_argument("--id", required=True, help="plan id, e.g. changchun-15th")
    i.add_argument("--region", required=True, help="region id of the plan")
    i.add_argument("--base-year", required=True, type=_year)
    i.add_argument("--target-year", required=True, type=_year)
    i.add_argument("--name", help="the plan's title (名称)")
    i.add_argument("--out", required=True, help="FILE.yaml (an existing file only with --force)")
    i.add_argument("--force", action="store_true", help="replace an existing --out")
    i.add_argument("--skip-unread", action="store_true",
                   help="write the plan without the rows listed as not read (default: write nothing)")
    i.set_defaults(func=plan_import)


def plan_import(args) -> int:
    from pydantic import ValidationError

    from ..data import validation_errors
    from ..errors import DataErrors
    from ..targets import Plan
    from .plantable import read_plan_table, write_plan
    check_readable(args.table)
    check_target(args.out, [args.table], args.force, ".yml" if str(args.out).lower().endswith(".yml") else ".yaml")
    ds = load()
    if args.target_year < args.base_year:
        raise DataError(f"--target-year {args.target_year} is before --base-year {args.base_year}")
    got = read_plan_table(args.table, ds, plan_id=args.id, region=args.region, base_year=args.base_year,
                          target_year=args.target_year, name=args.name)
    for line in got.notes:
        print(terminal("note: " + line), file=sys.stderr)
    for line in got.problems:
        print(terminal(("not read: " if args.skip_unread else "error: ") + line), file=sys.stderr)
    if got.problems and not args.skip_unread:
        print(f"{len(got.problems)} row(s) not read: nothing written (fix them, or give --skip-unread)",
              file=sys.stderr)
        return 2
    if not got.plan["targets"]:
        raise DataError("no target was read from the table", file=args.table)
    doc = {**got.plan, "targets": [{**t, "year": args.target_year, "plan": args.id, "region": args.region,
                                    "base_year": args.base_year} for t in got.plan["targets"]]}
    try:
        Plan.model_validate(doc)  # the schema every plan file meets
    except ValidationError as e:
        raise DataErrors(validation_errors(e, str(args.table))) from None
    out = write_plan(got.plan, args.out)
    if args.region not in ds.regions:
        print(f"note: region '{terminal(args.region)}' is not in data/regions.csv: give its figures with --data",
              file=sys.stderr)
    print(f"wrote {terminal(out)}: {len(got.plan['targets'])} targets from {terminal(args.table)}")
    return 0
