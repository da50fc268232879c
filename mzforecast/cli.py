"""Command line for scripts and scheduled runs. Bad input -> one clear message, exit code 2."""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from . import attainment, backtest, data as D, targets as T
from .errors import DataErrors, MzError
from .models import METHODS, forecast as _forecast

ASSESS_TABLE = ["target_id", "indicator", "target_year", "comparator", "target_value", "latest_year",
                "latest_value", "forecast_mean", "lo80", "hi80", "probability", "verdict"]


def _emit(df: pd.DataFrame, fmt: str, table_cols=None):
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1))
    else:
        view = (df[table_cols] if table_cols else df).copy()
        for c in view.columns:
            if "year" in c and view[c].dtype.kind == "f":
                view[c] = view[c].astype("Int64")
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.float_format", lambda v: f"{v:,.4g}"):
            print(view.to_string(index=False))


def _dataset(args):
    ds = D.load(args.data or None)
    for m in ds.messages:
        print("note:", m, file=sys.stderr)
    return ds


def cmd_data_check(args):
    errs = D.check_files(args.files)
    if errs:
        for e in errs:
            print(e, file=sys.stderr)
        print(f"{len(errs)} problem(s) found", file=sys.stderr)
        return 2
    print("ok: " + (", ".join(args.files) if args.files else "bundled data") + " valid")
    return 0


def cmd_data_export(args):
    ds = _dataset(args)
    cols = ["region", "indicator", "year", "value", "unit", "source", "quote", "note"]
    _emit(ds.observations[cols], args.format if args.format != "table" else "csv")
    return 0


def cmd_plans(args):
    ds = D.load()
    if not args.plan:
        rows = [dict(plan=p.id, name=p.name_zh, region=p.region, years=f"{p.base_year}-{p.target_year}",
                     targets=len(p.targets)) for p in (T.get_plan(x, ds) for x in T.list_plans())]
        _emit(pd.DataFrame(rows), args.format)
        return 0
    p = T.get_plan(args.plan, ds)
    rows = [dict(target_id=t.id, indicator=t.indicator, name=ds.indicators[t.indicator].name_zh, year=t.target_year,
                 target=t.describe(), binding="约束性" if t.binding else "预期性") for t in p.targets]
    _emit(pd.DataFrame(rows), args.format)
    return 0


def cmd_forecast(args):
    ds = _dataset(args)
    s = ds.series(args.region, args.indicator, args.as_of)
    fc = _forecast(s, until=args.until, method=args.method, kind=ds.indicators[args.indicator].kind)
    out = fc.to_frame()[["region", "indicator", "year", "mean", "median", "lo80", "hi80", "lo95", "hi95",
                         "method", "n_obs"]]
    for n in fc.notes:
        print("note:", n, file=sys.stderr)
    _emit(out, args.format)
    return 0


def cmd_assess(args):
    ds = _dataset(args)
    plans = [args.plan] if args.plan else T.list_plans()
    frames = [attainment.assess_plan(p, ds, as_of=args.as_of, method=args.method) for p in plans]
    df = pd.DataFrame([r for f in frames for r in f.to_dict("records")], columns=attainment.FIELDS)
    _emit(df, args.format, ["plan"] + ASSESS_TABLE if not args.plan else ASSESS_TABLE)
    return 0


def cmd_backtest(args):
    ds = _dataset(args)
    plans = [args.plan] if args.plan else list(backtest.BACKTEST_PLANS)
    frames = [backtest.backtest_plan(p, args.as_of, ds, method=args.method) for p in plans]
    df = pd.DataFrame([r for f in frames for r in f.to_dict("records")], columns=frames[0].columns)
    if args.format == "table":
        shown = df[(df.verdict_then != "no_data") | (df.verdict_actual != "no_data")]
        _emit(shown, "table", ["plan", "target_id", "target_value", "n_obs_then", "forecast_median", "lo80", "hi80",
                               "probability_then", "verdict_then", "actual", "verdict_actual", "inside80"])
        scored = shown[shown.verdict_actual != "no_data"]
        both = scored[scored.verdict_then != "no_data"]
        agree = ((both.verdict_then == "on_track") == (both.verdict_actual == "achieved")).sum()
        print(f"\n{len(df)} targets; {len(shown)} with a forecast or an outcome; "
              f"{len(both)} with both: verdict of {args.as_of} matched the outcome for {agree}; "
              f"80% interval held the outcome {int(both.inside80.eq(True).sum())}/{len(both)}")
    else:
        _emit(df, args.format)
    return 0


def cmd_run(args):
    from .runner import main as run_main
    return run_main(args)


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
    for n in (df.note.iloc[0] or "").split("; "):
        if n:
            print("note:", n, file=sys.stderr)
    _emit(df, args.format, PROPOSE_TABLE)
    return 0


def cmd_draft(args):
    from .propose import assess_draft
    ds = _dataset(args)
    df = assess_draft(args.plan, ds, probabilities=args.probability, as_of=args.as_of, method=args.method)
    _emit(df, args.format, DRAFT_TABLE + [c for c in df.columns if c.startswith("proposed_")])
    return 0


def _target_setting_parsers(sub, fmt, as_of_method, datafiles):
    g = sub.add_parser("propose", help="the value met with each probability in a year: what a plan can promise")
    g.add_argument("region")
    g.add_argument("indicator")
    g.add_argument("--year", type=int, default=2030)
    g.add_argument("--probability", type=float, nargs="+", default=[0.5, 0.8, 0.9],
                   help="probabilities of meeting the value, as fractions (default 0.5 0.8 0.9)")
    g.add_argument("--denominator", help="propose a ratio: INDICATOR / DENOMINATOR")
    g.add_argument("--lag", type=int, default=0, help="the denominator's year is this many years earlier")
    g.add_argument("--unit", choices=["times", "percent"], help="unit of a ratio (default times)")
    as_of_method(g)
    datafiles(g)
    fmt(g)
    g.set_defaults(func=cmd_propose)
    d = sub.add_parser("draft", help="a draft plan: each target's ambition and the values promisable at 50/80/90%%")
    d.add_argument("plan", help="a plan file path, or a draft's name in data/drafts")
    d.add_argument("--probability", type=float, nargs="+", default=[0.5, 0.8, 0.9])
    as_of_method(d)
    datafiles(d)
    fmt(d)
    d.set_defaults(func=cmd_draft)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="mzforecast", description="Forecast civil-affairs plan targets.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def fmt(p):
        p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def as_of_method(p, as_of_default=None):
        p.add_argument("--as-of", type=int, default=as_of_default, help="use only observations up to this year")
        p.add_argument("--method", default="auto", choices=("auto",) + METHODS)

    def datafiles(p):
        p.add_argument("--data", action="append", default=[], metavar="FILE",
                       help="your CSV/XLSX file (long or wide layout); repeatable")

    d = sub.add_parser("data", help="check or export data")
    dsub = d.add_subparsers(dest="data_cmd", required=True)
    c = dsub.add_parser("check", help="validate files (the bundled data if none) and list every problem")
    c.add_argument("files", nargs="*")
    c.set_defaults(func=cmd_data_check)
    e = dsub.add_parser("export", help="print the merged observations")
    datafiles(e)
    e.add_argument("--format", choices=["csv", "json"], default="csv")
    e.set_defaults(func=cmd_data_export)

    p = sub.add_parser("plans", help="list plans, or one plan's targets")
    p.add_argument("plan", nargs="?")
    fmt(p)
    p.set_defaults(func=cmd_plans)

    f = sub.add_parser("forecast", help="forecast one indicator with intervals")
    f.add_argument("region")
    f.add_argument("indicator")
    f.add_argument("--until", type=int, default=2025)
    as_of_method(f)
    datafiles(f)
    fmt(f)
    f.set_defaults(func=cmd_forecast)

    a = sub.add_parser("assess", help="probability and verdict for every target of a plan (all plans if none)")
    a.add_argument("--plan")
    as_of_method(a)
    datafiles(a)
    fmt(a)
    a.set_defaults(func=cmd_assess)

    b = sub.add_parser("backtest", help="what the tool would have said in the past vs what happened")
    b.add_argument("--plan")
    as_of_method(b, 2015)
    datafiles(b)
    fmt(b)
    b.set_defaults(func=cmd_backtest)

    r = sub.add_parser("run", help="execute the report notebooks with papermill and build reports/")
    r.add_argument("params", nargs="*", help="params/*.yaml files (default: every bundled plan)")
    r.add_argument("--jobs", type=int, default=0, help="parallel notebooks (default: number of cores)")
    r.add_argument("--out", default="reports")
    r.add_argument("--as-of", type=int)
    r.add_argument("--data", action="append", default=[], metavar="FILE")
    r.add_argument("--timeout", type=int, default=300, help="per-cell timeout in seconds")
    r.set_defaults(func=cmd_run)
    _target_setting_parsers(sub, fmt, as_of_method, datafiles)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except DataErrors as e:
        for err in e.errors:
            print("error:", err, file=sys.stderr)
        return 2
    except MzError as e:
        print("error:", e, file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
