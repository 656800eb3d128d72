#!/usr/bin/env python3
"""Makes hostile HDF5 files from a valid run file or checkpoint, for
hostile.sh.

usage: hostile_h5.py RUN.h5|CHECKPOINT OUT_DIR [FLIPS]
Writes OUT_DIR/hand-NAME.h5 (hand-made contract violations, each refused
with exit 2 by every reader of run files, or by --resume for a checkpoint),
OUT_DIR/export-NAME.h5 (root attributes only `export` reads, refused by it)
and OUT_DIR/flip-N.h5 (bytes of the original overwritten at random places:
each must be read or refused, never crash). OUT_DIR/expect.tsv gives, for
some files, a piece of the message that names what is wrong."""
import os
import random
import shutil
import sys

import h5py
import numpy as np

run, out = sys.argv[1], sys.argv[2]
flips = int(sys.argv[3]) if len(sys.argv) > 3 else 40
os.makedirs(out, exist_ok=True)


expect = open(os.path.join(out, "expect.tsv"), "w")


def variant(name, change, message=None, prefix="hand"):
    path = os.path.join(out, f"{prefix}-{name}.h5")
    shutil.copy(run, path)
    with h5py.File(path, "r+") as f:
        change(f)
    if message:
        expect.write(f"{prefix}-{name}.h5\t{message}\n")


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


with h5py.File(run, "r") as f:
    checkpoint = "signature" in f.attrs
    f_routes = set(f.keys())
if checkpoint:
    # A dataset of as many bytes in smaller elements (it used to be
    # converted past the end of the state's buffer) and damaged attributes.
    def smaller(f, name):
        data = f[name][()]
        replace(f, name, np.zeros(data.size * data.itemsize, dtype="u1"))
    variant("skill-bytes", lambda f: smaller(f, "skill"), "'skill' has another length")
    variant("arrived-bytes", lambda f: smaller(f, "arrived"), "'arrived' has another length")
    variant("origin-matrix", lambda f: replace(f, "origin", f["origin"][()].reshape(1, -1)),
            "'origin' has another length")
    variant("skill-strings", lambda f: replace(f, "skill", np.array([b"abcd"] * f["skill"].shape[0])),
            "'skill' has another length")
    variant("step-array", lambda f: set_attr(f, "step", np.arange(100, dtype="i4")),
            "its attributes are damaged")
else:
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

    # A rank above the expected one (its dimensions used to be written past
    # the end of the caller's array).
    variant("lat-rank3", lambda f: replace(f, "region_lat", f["region_lat"][()].reshape(-1, 1, 1)),
            "'region_lat' has 3 dimensions, expected 1")
    variant("region-code-rank8", lambda f: replace(f, "region_code", np.array([b"AB"] * f["region"].shape[0]).reshape(-1, 1, 1, 1, 1, 1, 1, 1)),
            "'region_code' has 8 dimensions, expected 1")
    # Variables only some commands read: every reader checks them.
    variant("figure-id-long", lambda f: replace(f, "figure_id", np.array([b"x"] * (f["figure"].shape[0] + 500))),
            "'figure_id' has")
    variant("figure-id-numbers", lambda f: replace(f, "figure_id", np.arange(f["figure"].shape[0])),
            "'figure_id' does not hold text labels")
    variant("figure-role-latin1", lambda f: replace(f, "figure_role", np.array([b"fit\xe9"] * f["figure"].shape[0])),
            "a label in 'figure_role' is not UTF-8 text")
    if "route_kz_lat" in f_routes:
        variant("route-lon-long", lambda f: replace(f, "route_kz_lon", np.zeros(f["route_kz_lat"].shape[0] + 3000)),
                "'route_kz_lon' does not have")
        variant("route-origin-missing", lambda f: f.__delitem__("route_origin"),
                "no variable 'route_origin'")
        variant("route-lat-huge", lambda f: (replace(f, "route_kz_lat", np.zeros(5000)),
                                             replace(f, "route_kz_lon", np.zeros(5000)),
                                             replace(f, "route_origin", np.zeros(5000, dtype="i4"))),
                "'route_kz_lat' is longer than any routes table")
        variant("route-origin-strings", lambda f: replace(f, "route_origin", np.array([b"x"] * f["route_kz_lat"].shape[0])),
                "'route_origin' does not hold numbers")
    # Root attributes only the export reads (it exports every one).
    variant("attribute-array", lambda f: set_attr(f, "notes", np.array([b"x" * 10] * 1000)),
            "the attribute 'notes' is not one text of at most 16 MiB or one number", "export")
    variant("attribute-numbers", lambda f: set_attr(f, "weights", np.arange(1000.0)),
            "the attribute 'weights' is not one text of at most 16 MiB or one number", "export")
    variant("attribute-latin1", lambda f: set_attr(f, "comment", np.bytes_(b"caf\xe9")),
            "the attribute 'comment' is not UTF-8 text", "export")
    variant("attribute-compound", lambda f: set_attr(f, "pair", np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])),
            "the attribute 'pair' is not one text of at most 16 MiB or one number", "export")
    variant("attribute-long-name", lambda f: set_attr(f, "x" * 300, 1.0),
            "the name of an attribute is not UTF-8 text of at most 255 bytes", "export")
expect.close()

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
