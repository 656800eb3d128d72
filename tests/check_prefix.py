"""Two runs sharing a seed, whose scenarios first differ on DATE, must be
byte-identical in every series for the steps that end before DATE, and
differ afterwards.

usage: check_prefix.py BASE.h5 ALT.h5 YYYY-MM-DD
"""
import sys

import h5py
import numpy as np

base_path, alt_path, date = sys.argv[1:4]
failures = []
with h5py.File(base_path, "r") as base, h5py.File(alt_path, "r") as alt:
    start = base["time"].attrs["units"].decode().split("since ")[1]
    first = (np.datetime64(date) - np.datetime64(start)).astype(int)
    ends = base["time_bnds"][:, 1]
    before = int(np.sum(ends <= first))  # steps that end on or before the first event day
    if before < 10:
        failures.append(f"only {before} steps before {date}")
    differs_after = False
    for name in ("migrant_stock", "arrivals", "returns", "visits_home", "remittances_usd",
                 "resident_population", "internal_moves", "migrant_stock_by_sector"):
        a, b = base[name][()], alt[name][()]
        if a[:before].tobytes() != b[:before].tobytes():
            failures.append(f"{name} differs before {date}")
        differs_after = differs_after or a[before:].tobytes() != b[before:].tobytes()
    if not differs_after:
        failures.append(f"no series differs after {date}")
for f in failures:
    print("FAIL: " + f)
print(f"check_prefix: {0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
