#!/usr/bin/env python3
"""Sweeps one parameter of a scenario over evenly spaced values, runs each
in-process with the migsim package, and plots the migrant workers present
by origin: over time for every value, and at the end against the value.

    python3 examples/sweep.py scenarios/baseline.yaml --param migrants.entry_rate \
        --from 0.15 --to 0.35 --values 20 --scale 20 -o output/sweep.png

All runs share the scenario's seed (common random numbers), so the curves
differ by the parameter, not by noise.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import migsim  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--param", default="migrants.entry_rate")
    ap.add_argument("--from", dest="lo", type=float, default=0.15)
    ap.add_argument("--to", dest="hi", type=float, default=0.35)
    ap.add_argument("--values", type=int, default=20)
    ap.add_argument("--scale", type=float, default=20, help="people per agent (default 20)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("-o", "--output", default="output/sweep.png")
    args = ap.parse_args()

    values = np.linspace(args.lo, args.hi, args.values)
    end_by_origin, totals = [], []
    for i, v in enumerate(values):
        ds = migsim.run(args.scenario, scale=args.scale, threads=args.threads,
                        set={args.param: float(v)})
        stock = ds["migrant_stock"].sum("region")  # time x origin
        totals.append(stock.sum("origin"))
        end_by_origin.append(stock.isel(time=-1).values)
        print(f"{i + 1}/{len(values)}: {args.param} = {v:.4g}: "
              f"{float(stock.isel(time=-1).sum()):,.0f} migrant workers at the end",
              file=sys.stderr)
    names = [str(n) for n in ds["origin_name"].values]
    end_by_origin = np.array(end_by_origin)

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    colours = plt.cm.viridis(np.linspace(0, 1, len(values)))
    for v, total, colour in zip(values, totals, colours):
        left.plot(total["time"].values, total.values, color=colour, lw=1)
    left.set_title("Migrant workers present (all origins), one line per value")
    left.set_ylabel("persons")
    left.set_xlabel("date")
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=plt.Normalize(values[0], values[-1]),
                                             cmap="viridis"), ax=left)
    bar.set_label(args.param)
    okabe_ito = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"]
    for o, name in enumerate(names):
        right.plot(values, end_by_origin[:, o], marker="o", ms=3, label=name,
                   color=okabe_ito[o % len(okabe_ito)])
    right.set_yscale("log")  # Uzbekistan's stock is ten times the others'
    right.set_title("Migrant workers present at the end, by origin")
    right.set_xlabel(args.param)
    right.set_ylabel("persons (log scale)")
    right.legend(fontsize=8, loc="center right")
    fig.suptitle(f"{os.path.basename(args.scenario)}: sweep of {args.param} "
                 f"({len(values)} values, scale {args.scale:g})")
    folder = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(folder, exist_ok=True)
    temp = args.output + ".tmp.png"
    fig.savefig(temp, dpi=110)
    os.replace(temp, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
