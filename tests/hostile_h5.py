#!/usr/bin/env python3
"""Makes hostile HDF5 files from a valid run file, for hostile.sh.

usage: hostile_h5.py RUN.h5 OUT_DIR [FLIPS]
Writes OUT_DIR/hand-NAME.h5 (hand-made contract violations, each refused
with exit 2) and OUT_DIR/flip-N.h5 (bytes of the original overwritten at
random places: each must be read or refused, never crash)."""
import os
import random
import shutil
import sys

import h5py
import numpy as np

run, out = sys.argv[1], sys.argv[2]
flips = int(sys.argv[3]) if len(sys.argv) > 3 else 40
os.makedirs(out, exist_ok=True)


def variant(name, change):
    path = os.path.join(out, f"hand-{name}.h5")
    shutil.copy(run, path)
    with h5py.File(path, "r+") as f:
        change(f)


def replace(f, name, data, **kw):
    attrs = dict(f[name].attrs) if name in f else {}
    if name in f:
        del f[name]
    f.create_dataset(name, data=data, **kw)
    for k, v in attrs.items():
        if k not in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            try:
                f[name].attrs[k] = v
            except Exception:
                pass


def set_attr(f, name, value):
    if name in f.attrs:
        del f.attrs[name]
    f.attrs[name] = value


n_fig = f_len = None
variant("replicate-0", lambda f: replace(f, "replicate", np.zeros(0, dtype="i4")))
variant("title-array", lambda f: set_attr(f, "title", np.array([b"x" * 20] * 4000)))
variant("scale-array", lambda f: set_attr(f, "scale", np.arange(1000.0)))
variant("scenario-text-array", lambda f: set_attr(f, "scenario_text", np.array([b"y" * 50] * 4000)))
variant("figure-observed-long",
        lambda f: replace(f, "figure_observed", np.zeros(f["figure"].shape[0] + 500)))
variant("figure-within-long",
        lambda f: replace(f, "figure_within", np.zeros(f["figure"].shape[0] + 500, dtype="i1")))
variant("region-code-numbers", lambda f: replace(f, "region_code", np.arange(f["region"].shape[0])))
variant("region-code-long", lambda f: replace(f, "region_code", np.array([b"AB"] * 5000)))
variant("region-name-latin1",
        lambda f: replace(f, "region_name", np.array([b"Qaraghand\xfd"] * f["region"].shape[0])))
variant("stock-rank", lambda f: replace(f, "migrant_stock", np.zeros((2, 2, 2, 2, 2))))
variant("stock-short", lambda f: replace(f, "migrant_stock", np.zeros((3, 6, 20))))
variant("stock-strings", lambda f: replace(f, "migrant_stock", np.array([b"x"] * 10)))
variant("time-bnds-backwards",
        lambda f: replace(f, "time_bnds", f["time_bnds"][()][::-1].copy()))
variant("time-bnds-huge", lambda f: replace(f, "time_bnds", np.zeros((10**6 + 1, 2))))
variant("origin-0", lambda f: replace(f, "origin", np.zeros(0, dtype="i4")))
variant("lat-long", lambda f: replace(f, "region_lat", np.zeros(5000)))
variant("units-missing", lambda f: f["time"].attrs.__delitem__("units"))
variant("units-array", lambda f: f["time"].attrs.__setitem__("units", np.array([b"days since 2024-01-01"] * 100)))
variant("no-stock", lambda f: f.__delitem__("migrant_stock"))

# Random overwrites: a byte, or a run of bytes, anywhere in the file.
data = open(run, "rb").read()
rng = random.Random(20251126)
for i in range(flips):
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 8])):
        at = rng.randrange(len(b))
        for k in range(rng.choice([1, 1, 4, 16])):
            if at + k < len(b):
                b[at + k] = rng.randrange(256)
    open(os.path.join(out, f"flip-{i}.h5"), "wb").write(bytes(b))
