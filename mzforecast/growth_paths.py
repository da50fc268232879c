"""The growth model's sample paths, year by year (growth.py owns the model, its statistics and its
quantile grids): the shared standard normals and uniforms of one fixed seed (`draws`), each
series' cumulative log growth over the years after its last observation (`cumulative_growth`),
and levels from it (`level`).

Year k's cumulative growth depends only on the draws of years 0..k, so a run stopped after the
first years gives those years bit for bit as the full run does, provided the draws are made for
the same full horizon (they are drawn (draws, H) in one call: their values depend on H).
Imports numpy only.
"""
from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=8)
def draws(n: int, H: int, seed: int) -> tuple[np.ndarray, ...]:
    """The draws every series' paths share (one fixed seed), made once per (n, H, seed): the
    standard normals a0 (draws,), year and drift normals (H, draws), in the order drawn, then the
    uniforms (H, draws) of the hold draws, drawn after them. Read-only: threads share them."""
    rng = np.random.default_rng(seed)
    a0, z_year, z_drift = rng.standard_normal((n, 1)), rng.standard_normal((n, H)), rng.standard_normal((n, H))
    out = tuple(np.ascontiguousarray(x) for x in (a0[:, 0], z_year.T, z_drift.T, rng.uniform(size=(n, H)).T))
    for x in out:
        x.flags.writeable = False
    return out


def cumulative_growth(stats: list[dict], H: int, monotone, n: int, seed: int, revert: float,
                      years: int | None = None):
    """Yield (k, C): each series' cumulative log growth to year k + 1 after its last observation,
    C (series, draws), for k = 0 .. H - 1 (growth.simulate's model, its drift fading on `revert` years;
    C is one buffer, overwritten each year), or only for the first `years` of them: the draws are
    still made for H years, so those years are the full run's to the last bit.

    One year at a time, in place, so the arrays stay in cache; every element goes through the
    same floating-point operations in the same order whatever the number of series, so a series'
    paths are bit for bit the same alone or among thousands (tests/test_growth.py)."""
    a0, z_year, z_drift, u = draws(n, H, seed)
    shape = (len(stats), n)
    # each series' parameters spread over its draws: ufuncs run fastest on whole contiguous operands
    col = {k: np.broadcast_to(np.array([st[k] for st in stats], float)[:, None], shape).copy()
           for k in ("tau", "q", "mu", "mu_lr", "s")}
    r = np.exp(-np.arange(H, dtype=float)[None, :] / np.array([st["fade"] for st in stats], float)[:, None])
    phi = float(np.exp(-1.0 / revert))
    lead = col["mu"] + col["tau"] * a0 - col["mu_lr"]  # today's growth above the long run, per draw
    d, step, M, C, sl2 = np.empty(shape), np.empty(shape), np.empty(shape), np.empty(shape), np.empty(shape)
    never_cut = monotone == "nondecreasing"
    if never_cut:
        s2, floor = col["s"] ** 2, 0.25 * col["s"]  # a standard keeps rising: its mean growth stays positive
        hold = np.array([st["hold_share"] for st in stats])[:, None]
        holds = bool((hold > 0).any())
        for a in (lead, col["mu_lr"], col["q"]):  # a year not held rises by mean / (1 - hold share)
            np.divide(a, 1.0 - hold, out=a)
    for k in range(H if years is None else min(years, H)):
        np.multiply(col["q"], z_drift[k], out=step)   # drift of the growth rate: d_k = phi d_(k-1) + q z
        if k:
            np.multiply(phi, d, out=d)
            np.add(d, step, out=d)
        else:
            np.add(0.0, step, out=d)
        np.multiply(lead, r[:, k:k + 1], out=M)       # each path's mean growth this year
        np.add(col["mu_lr"], M, out=M)
        np.add(M, d, out=M)
        if never_cut:  # lognormal growth with that mean and spread s: log G = log m - sl2 / 2 + sqrt(sl2) z
            np.maximum(M, floor, out=M)
            np.square(M, out=sl2)
            np.divide(s2, sl2, out=sl2)
            np.log1p(sl2, out=sl2)
            np.log(M, out=M)
            np.multiply(sl2, 0.5, out=step)           # x * 0.5 is x / 2 exactly
            np.subtract(M, step, out=M)
            np.sqrt(sl2, out=sl2)
            np.multiply(sl2, z_year[k], out=sl2)
            np.add(M, sl2, out=M)
            np.exp(M, out=M)
            if holds:  # held in the share of years the history shows holds
                np.copyto(M, 0.0, where=u[k] < hold)
        else:
            np.multiply(col["s"], z_year[k], out=step)
            np.add(M, step, out=M)
        if k:
            np.add(M, C, out=C)
        else:
            C[...] = M
        yield k, C


def level(log_last: np.ndarray, C: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Levels from cumulative log growth, clipped so wild histories do not overflow."""
    out = np.clip(C, -30.0, 30.0, out=out)
    np.add(log_last[:, None], out, out=out)
    return np.exp(out, out=out)
