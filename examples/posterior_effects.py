#!/usr/bin/env python3
"""The headline effects of what-if scenarios with their posterior
uncertainty: parameter sets drawn from an ABC-SMC calibration's posterior,
each run with the baseline and every what-if under common random numbers.

    python3 examples/posterior_effects.py CAL.h5 scenarios/baseline.yaml \
        scenarios/rouble_devaluation.yaml scenarios/doubled_permit_fee.yaml \
        --draws 50 --scale 20 -o output/posterior_effects.csv

Draw m takes a particle of the trace's last complete generation with
probability equal to its weight, and its own seed (20250715 + m), so the
band holds both the parameters' uncertainty and the model's own
noise. For each what-if it prints the 5%, 50% and 95% of the effect
(what-if minus baseline) at the end of the run on: migrant workers present
(in all and by origin), arrivals and returns over the run, remittances over
the run, and residents' moves between regions over the run.
"""
import argparse
import csv
import os
import sys

import h5py
import numpy as np

import migsim


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def posterior(path):
    """Parameter names, values and weights of the last complete generation."""
    try:
        with h5py.File(path, "r") as f:
            if f.attrs.get("method") not in ("abc-smc", b"abc-smc"):
                fail(f"{path}: error: not the trace of an ABC-SMC calibration")
            names = f.attrs["parameter_names"]
            names = (names.decode() if isinstance(names, bytes) else str(names)).split(",")
            complete = int(f.attrs["complete_generations"])
            generation = f["generation"][:]
            keep = generation == complete - 1
            theta, weight = f["parameters"][:][keep], f["weight"][:][keep]
    except (OSError, KeyError, ValueError, TypeError) as e:
        fail(f"{path}: error: cannot read it as an ABC-SMC calibration trace ({e})")
    if theta.ndim != 2 or theta.shape[1] != len(names):
        fail(f"{path}: error: 'parameters' does not have one column per parameter name")
    if keep.sum() < 2 or not np.all(np.isfinite(weight)) or weight.sum() <= 0:
        fail(f"{path}: error: the last complete generation has fewer than 2 particles")
    return names, theta, weight / weight.sum()


def headline(ds):
    """The quantities whose effects are reported, from one run."""
    stock = ds["migrant_stock"].isel(time=-1).sum("region")
    out = {"workers present at the end": float(stock.sum())}
    for code, value in zip(ds["origin_code"].values, stock.values):
        out[f"workers present at the end, {code.decode() if isinstance(code, bytes) else code}"] = (
            float(value))
    out["arrivals over the run"] = float(ds["arrivals"].sum())
    out["returns over the run"] = float(ds["returns"].sum())
    out["remittances over the run (USD)"] = float(ds["remittances_usd"].sum())
    out["moves between regions over the run"] = float(ds["internal_moves_by_driver"].sum())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trace", help="an ABC-SMC calibration trace (CAL.h5)")
    ap.add_argument("baseline")
    ap.add_argument("whatif", nargs="+")
    ap.add_argument("--draws", type=int, default=50)
    ap.add_argument("--scale", type=float, default=20, help="people per agent (default 20)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("-o", "--output", default="output/posterior_effects.csv")
    args = ap.parse_args()
    if args.draws < 2:
        fail("error: --draws expects at least 2")
    names, theta, weight = posterior(args.trace)
    rng = np.random.default_rng(20250715)  # fixed, so that the table can be reproduced
    picks = rng.choice(len(weight), size=args.draws, p=weight)
    effects = {w: [] for w in args.whatif}
    for m, j in enumerate(picks):
        values = {n: float(v) for n, v in zip(names, theta[j])}
        seed = 20250715 + m
        base = headline(migsim.run(args.baseline, scale=args.scale, seed=seed,
                                   threads=args.threads, set=values))
        for w in args.whatif:
            alt = headline(migsim.run(w, scale=args.scale, seed=seed, threads=args.threads,
                                      set=values))
            effects[w].append({k: alt[k] - base[k] for k in base})
        print(f"draw {m + 1}/{args.draws} done", file=sys.stderr)
    rows = []
    for w in args.whatif:
        print(f"\n{os.path.basename(w)}: effect at the end (what-if minus baseline), "
              f"{args.draws} posterior draws, scale {args.scale:g}")
        print(f"{'quantity':<50} {'5%':>14} {'50%':>14} {'95%':>14}")
        for k in effects[w][0]:
            x = np.array([e[k] for e in effects[w]])
            q = np.quantile(x, [0.05, 0.5, 0.95])
            print(f"{k:<50} {q[0]:>14,.0f} {q[1]:>14,.0f} {q[2]:>14,.0f}")
            rows.append([os.path.basename(w), k, *q])
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output + ".tmp", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["scenario", "quantity", "q05", "q50", "q95"])
        out.writerows(rows)
    os.replace(args.output + ".tmp", args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
