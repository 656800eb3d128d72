"""Checks a workbook and a CSV folder written by `migsim export` against
the run files they came from: the sheets, their columns, and values picked
from the HDF5 file, the differences against the base run, and the same rows
in the workbook and the CSV files.

usage: check_export.py RUN.h5 BASE.h5 BOOK.xlsx CSV_FOLDER COMPARE_TABLE.txt
"""
import csv
import datetime
import os
import sys

import numpy as np
import openpyxl
import xarray as xr

run_path, base_path, book_path, folder, compare_path = sys.argv[1:6]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


run = xr.open_dataset(run_path, engine="netcdf4").load()
base = xr.open_dataset(base_path, engine="netcdf4").load()
book = openpyxl.load_workbook(book_path, read_only=True)
expected = ["README", "series", "internal_moves", "figures", "provenance", "scenario",
            "parameters", "labels", "differences", "difference_summary"]
check(book.sheetnames == expected, f"sheets {book.sheetnames}")


def rows(sheet):
    it = book[sheet].iter_rows(values_only=True)
    header = next(it)
    return header, [dict(zip(header, r)) for r in it]


header, series = rows("series")
check(header[:6] == ("date", "origin", "region", "sector", "driver", "variable"),
      f"series columns {header}")
check({"value", "unit"} <= set(header), "series has value and unit")
origins = [str(x) for x in run["origin_code"].values]
regions = [str(x) for x in run["region_code"].values]
dates = [datetime.datetime.fromisoformat(str(t)[:19]) for t in run["time"].values]
mean = run["migrant_stock"].mean("replicate") if "replicate" in run.dims else run["migrant_stock"]
index = {(r["variable"], r["date"], r["origin"], r["region"], r["sector"], r["driver"]): r
         for r in series}
for t, o, g in ((0, 0, 0), (10, 2, 5), (len(dates) - 1, 0, 1), (77, 5, 19)):
    row = index.get(("migrant_stock", dates[t], origins[o], regions[g], None, None))
    check(row is not None and np.isclose(row["value"], float(mean[t, o, g])),
          f"migrant_stock {dates[t]} {origins[o]} {regions[g]}: {row and row['value']} vs "
          f"{float(mean[t, o, g])}")
    check(row is None or row["unit"] == "persons", "unit of migrant_stock")
remit = run["remittances_usd"].mean("replicate") if "replicate" in run.dims else run["remittances_usd"]
row = index.get(("remittances_usd", dates[50], origins[1], None, None, None))
check(row is not None and np.isclose(row["value"], float(remit[50, 1])), "remittances row")
drivers = [str(x) for x in run["driver_name"].values]
byd = run["internal_moves_by_driver"]
byd = byd.mean("replicate") if "replicate" in byd.dims else byd
row = index.get(("internal_moves_by_driver", dates[20], None, None, None, drivers[1]))
check(row is not None and np.isclose(row["value"], float(byd[20, 1])), "moves by driver row")
variables = {r["variable"] for r in series}
check({"migrant_stock", "arrivals", "returns", "remittances_usd", "resident_population",
       "migrant_stock_by_sector", "visits_home"} <= variables, f"variables {variables}")
total = sum(r["value"] for r in series if r["variable"] == "arrivals")
check(np.isclose(total, float((run["arrivals"].mean("replicate") if "replicate" in run.dims
                               else run["arrivals"]).sum())), "arrivals sum")

_, figures = rows("figures")
check(len(figures) == run.sizes["figure"], "one row per figure")
check([f["id"] for f in figures] == [str(x) for x in run["figure_id"].values], "figure ids")
check(all(np.isclose(f["observed"], o) for f, o in zip(figures, run["figure_observed"].values)
          if f["observed"] is not None), "observed values")
if "figure_role" in run:
    check([f["role"] for f in figures] == [str(x) for x in run["figure_role"].values], "roles")
check("role" in figures[0], "a role column")
if "figure_sampling_sd" in run:
    check(all(np.isclose(f["sampling_sd"], v) for f, v in zip(figures, run["figure_sampling_sd"].values)),
          "sampling sds")
check(all(f["to"] >= f["from"] for f in figures if f["from"] is not None), "inclusive windows")
check(any(f["to"] == f["from"] for f in figures if f["from"] is not None), "a one-day figure ends on its day")

_, provenance = rows("provenance")
prov = {p["attribute"]: p["value"] for p in provenance}
for key in ("seed", "scale", "migsim_version", "git_revision", "command_line", "created_utc"):
    check(key in prov, f"provenance has {key}")
check(str(prov.get("seed")) == str(run.attrs["seed"]), "provenance seed")
_, scenario = rows("scenario")
check("\n".join(r["text"] or "" for r in scenario).strip() == run.attrs["scenario_text"].strip(),
      "scenario text line by line")
_, parameters = rows("parameters")
check(any(p["parameter"] == "migrants.entry_rate" for p in parameters), "parameters")

_, summary = rows("difference_summary")
stock = next(r for r in summary if r["variable"] == "migrant_stock" and r["key"] == "all")
a = float(run["migrant_stock"].isel(time=-1).sum(["origin", "region"]).mean())
b = float(base["migrant_stock"].isel(time=-1).sum(["origin", "region"]).mean())
check(np.isclose(stock["value"], a) and np.isclose(stock["base"], b)
      and np.isclose(stock["difference"], a - b), f"summary stock {stock} vs {a} {b}")
check(stock["ci90_low"] <= stock["difference"] <= stock["ci90_high"]
      and stock["prediction90_low"] <= stock["ci90_low"], f"summary intervals {stock}")
# The same numbers as `migsim compare` prints (totals at the end).
printed = open(compare_path, encoding="utf-8").read()
check(f"[{stock['ci90_low']:.6g}, {stock['ci90_high']:.6g}]" in printed,
      f"summary interval [{stock['ci90_low']:.6g}, {stock['ci90_high']:.6g}] not in compare's table")
_, differences = rows("differences")
d = next(r for r in differences if r["variable"] == "arrivals" and r["date"] == dates[-1]
         and r["origin"] == origins[0] and r["region"] == regions[2])
x = run["arrivals"].isel(time=-1, origin=0, region=2) - base["arrivals"].isel(time=-1, origin=0,
                                                                                 region=2)
check(np.isclose(d["difference"], float(x.mean())), "a difference")

# The CSV folder holds the same tables (here without --compare).
names = sorted(f for f in os.listdir(folder))
check(names == sorted(n + ".csv" for n in expected[:8]), f"csv files {names}")
with open(os.path.join(folder, "series.csv"), newline="", encoding="utf-8") as f:
    csv_rows = list(csv.DictReader(f))
check(len(csv_rows) == len(series), f"{len(csv_rows)} csv rows, {len(series)} in the workbook")
for c, x in zip(csv_rows[::997], series[::997]):
    check(c["date"] == x["date"].date().isoformat() and c["variable"] == x["variable"]
          and np.isclose(float(c["value"]), x["value"]), f"csv row {c} vs {x}")

for f in failures:
    print("FAIL: " + f)
print(f"check_export: {0 if failures else 1} passed, {1 if failures else 0} failed "
      f"({len(series)} series rows, {len(figures)} figures)")
sys.exit(1 if failures else 0)
