"""Command line for scripts and scheduled runs. Bad input -> one clear message, exit code 2."""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from . import attainment, backtest, data as D, regional, targets as T
from .clock import check_environment
from .plan import assess_plan
from .codes import BINDING, EXPECTED
from .data import YEAR_MAX, YEAR_MIN
from .errors import DataErrors, MzError
from .messages import label
from .messages.notes import parts_of
from .models import METHODS, forecast as _forecast
from .io.write import check_target, emit, out_format, stream_file
from .safe import terminal

ASSESS_TABLE = ["target_id", "indicator", "target_year", "comparator", "target_value", "latest_year",
                "latest_value", "mean", "median", "lo80", "hi80", "probability", "probability_nowcast", "verdict"]
ASSESS_TABLE += ["completion_progress", "time_progress", "progress_status"]  # issue 11: 完成进度/序时进度


MAX_ERRORS = 50  # problems listed before the rest are counted


def _dataset(args):
    ds = D.load(args.data or None, sheet=getattr(args, "sheet", None))
    for m in ds.messages:
        print("note:", terminal(m), file=sys.stderr)
    return ds


def cmd_data_check(args):
    notes: list[str] = []
    errs = D.check_files(args.files, sheet=args.sheet, notes=notes)
    for n in notes:  # hidden sheets and rows skipped: said even when the rest is valid
        print("note:", terminal(n), file=sys.stderr)
    if errs:
        for e in errs[:MAX_ERRORS]:
            print(terminal(e), file=sys.stderr)
        if len(errs) > MAX_ERRORS:
            print(f"… and {len(errs) - MAX_ERRORS} more problems", file=sys.stderr)
        print(f"{len(errs)} problem(s) found", file=sys.stderr)
        return 2
    print("ok: " + (", ".join(args.files) if args.files else "bundled data") + " valid")
    return 0


def cmd_data_export(args):
    ds = _dataset(args)
    cols = ["region", "indicator", "year", "value", "unit", "source", "quote", "note"]
    emit(ds.observations[cols], args.format if args.format != "table" else "csv")
    return 0


def cmd_plans(args):
    ds = D.load()
    if not args.plan:
        rows = [dict(plan=p.id, name=p.name_zh, region=p.region, years=f"{p.base_year}-{p.target_year}",
                     targets=len(p.targets)) for p in (T.get_plan(x, ds) for x in T.list_plans())]
        emit(pd.DataFrame(rows), args.format)
        return 0
    p = T.get_plan(args.plan, ds)
    rows = [dict(target_id=t.id, indicator=t.indicator, name=ds.indicators[t.indicator].name_zh, year=t.target_year,
                 target=t.describe(), binding=label("binding", BINDING if t.binding else EXPECTED)) for t in p.targets]
    emit(pd.DataFrame(rows), args.format)
    return 0


def cmd_forecast(args):
    ds = _dataset(args)
    indicator = ds.indicator_id(args.indicator)  # an id or a name (城市低保标准), as propose and the API take
    s = ds.series(args.region, indicator, args.as_of)
    fc = _forecast(s, until=args.until, method=args.method, kind=ds.indicators[indicator].kind)
    out = fc.to_frame()[["region", "indicator", "year", "point", "mean", "median", "lo80", "hi80", "lo95", "hi95",
                         "method", "n_obs"]]
    for n in fc.notes:
        print("note:", terminal(n), file=sys.stderr)
    emit(out, args.format)
    return 0


def cmd_assess(args):
    fmt = out_format(args.out, args.format)  # the format --out's name says; a contradiction is refused
    if fmt == "xlsx" and not args.out:
        raise MzError("--format xlsx writes a workbook: give --out FILE.xlsx")
    if args.out:  # refused before any work: never over an input or a file it did not write
        check_target(args.out, args.data, args.force, "." + fmt)
    ds = _dataset(args)
    # issue 14: a plan for many regions (or with targets relative to each region's base value)
    if args.plan and regional.is_regional(T.get_plan(args.plan, ds)):
        if fmt == "xlsx":
            raise MzError("a plan for many regions is not written as a workbook: use --format csv or --out "
                          "FILE.csv (one row per region and target)")
        if fmt == "csv":
            rows = lambda fh: regional.write_rows(args.plan, ds, fh, as_of=args.as_of, method=args.method)  # noqa: E731
            if args.out:
                print(f"wrote {stream_file(args.out, rows)}", file=sys.stderr)
            else:
                rows(sys.stdout)
            return 0
        df = regional.assess_regions(args.plan, ds, as_of=args.as_of, method=args.method)
        emit(df, fmt, ["region"] + ASSESS_TABLE, out=args.out)
        return 0
    plans = [args.plan] if args.plan else T.list_plans()
    frames = [assess_plan(p, ds, as_of=args.as_of, method=args.method) for p in plans]
    df = pd.DataFrame([r for f in frames for r in f.to_dict("records")], columns=attainment.FIELDS)
    if fmt == "xlsx":  # issue 11: the evaluation form as a workbook
        return cmd_assess_xlsx(df, args, ds)
    emit(df, fmt, ["plan"] + ASSESS_TABLE if not args.plan else ASSESS_TABLE, out=args.out)
    return 0


def cmd_backtest(args):
    ds = _dataset(args)
    plans = [args.plan] if args.plan else list(backtest.BACKTEST_PLANS)
    frames = [backtest.backtest_plan(p, args.as_of, ds, method=args.method) for p in plans]
    df = pd.DataFrame([r for f in frames for r in f.to_dict("records")], columns=frames[0].columns)
    if args.format == "table":
        shown = backtest.scored_rows(df)
        emit(shown, "table", ["plan", "target_id", "target_value", "n_obs_then", "forecast_median", "lo80", "hi80",
                               "probability_then", "verdict_then", "actual", "verdict_actual", "inside80"])
        print("\n" + backtest.score_line(df, args.as_of))
    else:
        emit(df, args.format)
    return 0


def cmd_run(args):
    from .running import main as run_main
    return run_main(args)


def year(text: str) -> int:
    """A year option (--as-of, --until): refused at once outside the years the data can hold."""
    try:
        y = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year") from None
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise argparse.ArgumentTypeError(f"{y} is outside {YEAR_MIN}-{YEAR_MAX}")
    return y


def count(minimum: int, maximum: int | None = None):
    """An integer option with bounds (--jobs >= 0, --timeout >= 1, --lag 0-10)."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if maximum is not None and not minimum <= n <= maximum:
            raise argparse.ArgumentTypeError(f"must be {minimum}-{maximum}, got {n}")
        if n < minimum:
            raise argparse.ArgumentTypeError(f"{n} is below {minimum}")
        return n
    return parse


# ---- issue 11: Excel template, statistical-report import (logic in mzforecast/io/)
def cmd_template(args):
    from .io.template import write
    check_target(args.out, (), args.force, ".xlsx")
    out = write(args.plan, args.out, D.load(), args.region, args.year_from, args.year_to)
    print(f"wrote {out}: fill the empty year cells, then `mzforecast run --data {out}`")
    return 0


def cmd_data_import(args):
    from .io.statreport_cli import data_import
    return data_import(args)


def cmd_assess_xlsx(df, args, ds):
    from .pages.workbook import write_summary_xlsx
    out = write_summary_xlsx(df, args.out, ds)
    print(f"wrote {out}: {len(df)} targets, one sheet per plan")
    return 0


def add_issue11_parsers(sub, dsub):
    i = dsub.add_parser("import", help="turn a statistical report (指标名称 | 单位 | 数量) into rows --data reads")
    i.add_argument("file", help="the report, CSV or XLSX")
    i.add_argument("--region", required=True)
    i.add_argument("--year", type=int, help="the year the report covers (default: from its title)")
    i.add_argument("--out", help="FILE.csv (default: print to the screen)")
    i.add_argument("--force", action="store_true", help="replace --out if it exists")
    from .io.statreport_cli import add_import_options, add_plan_import
    add_import_options(i)
    i.set_defaults(func=cmd_data_import)
    add_plan_import(sub)
    t = sub.add_parser("template", help="Excel workbook to fill with your own yearly figures for a plan")
    t.add_argument("plan")
    t.add_argument("--region", help="region id (default: the plan's region)")
    t.add_argument("--from", dest="year_from", type=int, help="first year column (default: the base year)")
    t.add_argument("--to", dest="year_to", type=int, help="last year column (default: the target year)")
    t.add_argument("--out", required=True, help="FILE.xlsx")
    t.add_argument("--force", action="store_true", help="replace --out if it exists (a filled template is lost)")
    t.set_defaults(func=cmd_template)


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default and keeps the examples' line breaks."""

    def _get_help_string(self, action):
        shown = action.default is not None and action.default is not False and action.default != []
        if not shown or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """Every parser and subparser (add_subparsers reuses this class) gets the same help format."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)


# One example per subcommand, shown under its --help; `mzforecast --help` lists them all.
EXAMPLES = {
    "plans": "mzforecast plans changchun-14th",
    "assess": "mzforecast assess --plan changchun-14th --format json",
    "forecast": "mzforecast forecast changchun dibao_standard_urban --until 2025",
    "backtest": "mzforecast backtest --plan changchun-13th --as-of 2015",
    "data": "mzforecast data check my-data.csv",
    "data check": "mzforecast data check my-data.csv",
    "data export": "mzforecast data export --data my-data.csv --format csv > merged.csv",
    "run": "mzforecast run --out reports changchun-14th-rural-urban-dibao",
    "template": "mzforecast template changchun-14th --out changchun-14th.xlsx",
    "propose": "mzforecast propose changchun dibao_standard_urban --year 2030 --probability 0.5 0.8 --format json",
    "draft": "mzforecast draft changchun-15th-draft-example",
    "data import": "mzforecast data import 2023年报.xlsx --region changchun --year 2023 --out changchun-2023.csv",
    "plan": "mzforecast plan import 主要指标.xlsx --id changchun-15th --region changchun --base-year 2025 "
            "--target-year 2030 --out changchun-15th.yaml",
    "plan import": "mzforecast plan import 主要指标.xlsx --id changchun-15th --region changchun --base-year 2025 "
                   "--target-year 2030 --out changchun-15th.yaml",
}


def _add_examples(ap: argparse.ArgumentParser, prefix: str = ""):
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, p in action.choices.items():
                key = f"{prefix}{name}"
                if key in EXAMPLES and not p.epilog:
                    p.epilog = f"example:\n  {EXAMPLES[key]}"
                _add_examples(p, key + " ")


# ---- target setting (issue 15): logic in propose.py
PROPOSE_TABLE = ["probability", "comparator", "value", "unit", "implied_cagr", "historical_cagr", "latest_year",
                 "latest_value", "horizon", "method"]
DRAFT_TABLE = ["target_id", "indicator", "comparator", "target_value", "latest_year", "latest_value", "ambition",
               "ambition_class"]


def cmd_propose(args):
    from .propose import propose
    ds = _dataset(args)
    df = propose(args.region, args.indicator, args.year, args.probability, as_of=args.as_of, data=ds,
                 method=args.method, denominator=args.denominator, denominator_lag=args.lag, unit=args.unit)
    for n in parts_of(df.note.iloc[0]):  # each note whole: a note may itself hold "; "
        print("note:", terminal(str(n)), file=sys.stderr)
    # a share's pace in percentage points a year, as the pages give it (a % growth of a % reads as something else)
    points = args.format in (None, "table") and len(df) and df.unit.iloc[0] == "percent"
    emit(df, args.format, [{"implied_cagr": "implied_increment", "historical_cagr": "historical_increment"}.get(c, c)
                           for c in PROPOSE_TABLE] if points else PROPOSE_TABLE)
    return 0


def cmd_draft(args):
    from .propose import assess_draft
    ds = _dataset(args)
    df = assess_draft(args.plan, ds, probabilities=args.probability, as_of=args.as_of, method=args.method)
    cols = [c for c in df.columns if c.startswith("proposed_")]
    from . import fmt as fmt_mod
    from .draft_floors import short_of_promise
    from .messages.pages import DRAFT
    # a floor met with less than the column's probability is no value promisable at it (as on the page)
    cells = {(i, c): DRAFT["en"]["short_of"].format(v=fmt_mod.number(r[c], r.unit, "en"), p=fmt_mod.probability(r.floor_probability))
             for i, r in df.iterrows() for c in cols if short_of_promise(r, c)}
    emit(df, args.format, DRAFT_TABLE + cols, cells=cells)
    return 0


def probability(text: str) -> float:
    """A probability a plan can promise: 0.01-0.99 (the simulated tails hold nothing beyond)."""
    try:
        p = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.01 <= p <= 0.99:
        raise argparse.ArgumentTypeError(f"{text} is outside 0.01-0.99 (give a fraction such as 0.8)")
    return p


def _target_setting_parsers(sub, fmt, as_of_method, datafiles):
    def probabilities(p):
        p.add_argument("--probability", type=probability, nargs="+", default=[0.5, 0.8, 0.9],
                       help="probabilities of meeting the value, as fractions")

    g = sub.add_parser("propose", help="the value met with each probability in a year: what a plan can promise")
    g.add_argument("region", help="region id, e.g. changchun")
    g.add_argument("indicator", help="indicator id, e.g. dibao_standard_urban")
    g.add_argument("--year", type=year, default=2030, help="the year the value is for")
    probabilities(g)
    g.add_argument("--denominator", help="propose a ratio: INDICATOR / DENOMINATOR")
    g.add_argument("--lag", type=count(0, 10), default=0, help="the denominator's year is this many years "
                   "earlier (0-10; with --denominator)")
    g.add_argument("--unit", choices=["times", "percent"], help="unit of a ratio (default times)")
    as_of_method(g)
    datafiles(g)
    fmt(g)
    g.set_defaults(func=cmd_propose)
    d = sub.add_parser("draft", help="a draft plan: each target's ambition and the values promisable at 50/80/90%%")
    d.add_argument("plan", help="a plan file path, or a draft's name in data/drafts")
    probabilities(d)
    as_of_method(d)
    datafiles(d)
    fmt(d)
    d.set_defaults(func=cmd_draft)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    ap = _Parser(prog="mzforecast", description="Forecast civil-affairs plan targets.",
                 epilog="examples:\n" + "\n".join(f"  {e}" for k, e in EXAMPLES.items() if " " not in k))
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def fmt(p):
        p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")

    def as_of_method(p, as_of_default=None):
        p.add_argument("--as-of", type=year, default=as_of_default, help="use only observations up to this year")
        p.add_argument("--method", default="auto", choices=("auto",) + METHODS, help="forecast model")

    def datafiles(p):
        p.add_argument("--data", action="append", default=[], metavar="FILE",
                       help="your CSV/XLSX file (long or wide layout); repeatable")
        p.add_argument("--sheet", metavar="NAME", help="the sheet to read in .xlsx files with data on several sheets")

    d = sub.add_parser("data", help="check or export data")
    dsub = d.add_subparsers(dest="data_cmd", required=True)
    c = dsub.add_parser("check", help="validate files (the bundled data if none) and list every problem")
    c.add_argument("files", nargs="*", help="CSV/XLSX/YAML files to check")
    c.add_argument("--sheet", metavar="NAME", help="the sheet to read in .xlsx files with data on several sheets")
    c.set_defaults(func=cmd_data_check)
    e = dsub.add_parser("export", help="print the merged observations")
    datafiles(e)
    e.add_argument("--format", choices=["csv", "json"], default="csv", help="output format")
    e.set_defaults(func=cmd_data_export)

    p = sub.add_parser("plans", help="list plans, or one plan's targets")
    p.add_argument("plan", nargs="?", help="plan id (see `mzforecast plans`)")
    fmt(p)
    p.set_defaults(func=cmd_plans)

    f = sub.add_parser("forecast", help="forecast one indicator with intervals")
    f.add_argument("region", help="region id, e.g. changchun")
    f.add_argument("indicator", help="indicator id, e.g. dibao_standard_urban")
    f.add_argument("--until", type=year, default=2025, help="last year to forecast")
    as_of_method(f)
    datafiles(f)
    fmt(f)
    f.set_defaults(func=cmd_forecast)

    a = sub.add_parser("assess", help="probability and verdict for every target of a plan (all plans if none)")
    a.add_argument("--plan", help="plan id (default: every bundled plan)")
    as_of_method(a)
    datafiles(a)
    a.add_argument("--format", choices=["table", "csv", "json", "xlsx"],
                   help="output format (default: table; with --out, the format its name ends in)")
    a.add_argument("--out", help="write to FILE.csv, FILE.json or FILE.xlsx instead of the screen")
    a.add_argument("--force", action="store_true", help="replace --out if it exists")
    a.set_defaults(func=cmd_assess)

    b = sub.add_parser("backtest", help="what the tool would have said in the past vs what happened")
    b.add_argument("--plan", help="plan id (default: the 13th-plan backtests)")
    as_of_method(b, 2015)
    datafiles(b)
    fmt(b)
    b.set_defaults(func=cmd_backtest)

    r = sub.add_parser("run", help="execute the report notebooks with papermill and build reports/")
    r.add_argument("params", nargs="*", help="params YAML files, or names of bundled ones such as "
                   "changchun-14th (default: every bundled params file)")
    r.add_argument("--jobs", type=count(0), default=0, help="parallel notebooks; 0 = number of cores")
    r.add_argument("--out", default="reports", help="output folder: new, empty, or one an earlier run wrote (the "
                   "pages it rebuilds are replaced, other files kept); a folder of other files is refused")
    r.add_argument("--as-of", type=year, help="use only observations up to this year")
    r.add_argument("--data", action="append", default=[], metavar="FILE", help="your CSV/XLSX file; repeatable")
    r.add_argument("--timeout", type=count(1), default=300, help="per-cell timeout in seconds")
    r.add_argument("--kernel", metavar="NAME", help="name of a Jupyter kernelspec to run the notebooks on "
                   "(default: this Python, %s, not any installed kernelspec)" % sys.executable.replace("%", "%%"))
    r.add_argument("--kernel-timeout", type=count(1), default=60, metavar="SECONDS",
                   help="how long to wait for a kernel to start")
    r.add_argument("--quiet", action="store_true", help="no progress while it runs (a bar on a terminal, "
                   "otherwise one line per notebook finished)")
    r.set_defaults(func=cmd_run)
    add_issue11_parsers(sub, dsub)
    _target_setting_parsers(sub, fmt, as_of_method, datafiles)
    _add_examples(ap)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_environment()  # a bad SOURCE_DATE_EPOCH fails here, not in a reader (or a kernel) later
        return args.func(args) or 0
    except DataErrors as e:
        for err in e.errors[:MAX_ERRORS]:
            print("error:", terminal(err), file=sys.stderr)
        if len(e.errors) > MAX_ERRORS:
            print(f"error: … and {len(e.errors) - MAX_ERRORS} more problems", file=sys.stderr)
        return 2
    except MzError as e:
        print("error:", terminal(e), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as e:  # a folder where a file is expected, a read-only or full disk: one line, no traceback
        where = f"{e.filename}: " if e.filename else ""
        print(terminal(f"error: {where}{e.strerror or e}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the run has stopped its workers and removed its staging folder
        print("interrupted: nothing was changed", file=sys.stderr)
        return 130
    except RecursionError:  # a file nested thousands of levels deep
        print("error: the input is nested too deeply to read", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
