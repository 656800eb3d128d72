"""Client checks of a run's output: h5py and xarray (netCDF-4) read it with
named dimensions, decoded dates, units and descriptions, and provenance.

usage: check_output.py RUN.h5
"""
import sys

import h5py
import numpy as np
import xarray as xr

path = sys.argv[1]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


required = {
    "migrant_stock": ("time", "origin", "region"),
    "migrant_stock_by_sector": ("time", "region", "sector"),
    "arrivals": ("time", "origin", "region"),
    "returns": ("time", "origin", "region"),
    "visits_home": ("time", "origin"),
    "remittances_usd": ("time", "origin"),
    "resident_population": ("time", "region"),
    "internal_moves": ("time", "region_from", "region_to"),
    "internal_moves_by_driver": ("time", "driver"),
}

with xr.open_dataset(path, engine="netcdf4") as ds:
    for name, dims in required.items():
        check(name in ds.variables, f"{name} missing")
        if name in ds.variables:
            check(ds[name].dims == dims, f"{name} has dims {ds[name].dims}, expected {dims}")
    for name, var in ds.variables.items():
        check("description" in var.attrs, f"{name} has no description")
        check(name == "time" or name == "time_bnds" or "units" in var.attrs or
              "units" in var.encoding, f"{name} has no units")
    check(np.issubdtype(ds.time.dtype, np.datetime64), "time is not decoded to dates")
    start = str(ds.attrs["scenario_text"])
    check(str(ds.time.values[0])[:10] == "2024-01-08", f"first step ends {ds.time.values[0]}")
    check(str(ds.time.values[-1])[:10] == "2027-01-01", f"last step ends {ds.time.values[-1]}")
    codes = [str(c) for c in ds.origin_code.values]
    check(codes == ["UZB", "RUS", "TJK", "KGZ", "CHN", "OTH"], f"origin codes {codes}")
    check(len(ds.region_code) == 20, "20 regions")
    check("origin_code" in ds.migrant_stock.coords, "origin_code is not a coordinate of the stock")
    # Nobody is lost: arrivals - returns = change in workers (present + visiting).
    workers = ds.migrant_stock.sum(("origin", "region")) + ds.visiting_home.sum("origin")
    flow = (ds.arrivals - ds.returns).sum(("origin", "region"))
    check(np.allclose(workers.diff("time").values, flow.values[1:]), "stock and flows disagree")
    check(float(ds.figure_within.sum()) >= 1, "no figure within tolerance")

with h5py.File(path, "r") as f:
    for key in ("scenario_text", "seed", "migsim_version", "git_revision", "compiler",
                "compiler_flags", "threads", "ranks", "command_line", "created_utc"):
        check(key in f.attrs, f"root attribute {key} missing")
    check(f["migrant_stock"].dims[0][0].name == "/time", "time scale not attached")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
print(f"check_output: {0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
