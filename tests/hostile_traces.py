#!/usr/bin/env python3
"""Makes hostile calibration and sensitivity traces from valid ones, for
hostile.sh.

usage: hostile_traces.py KIND GOOD.h5 OUT_DIR
KIND is `prior` (an ABC-SMC trace, for calibrate --prior), `calibration`
(a trace, for report --calibration) or `sensitivity` (for report
--sensitivity). Writes OUT_DIR/hand-NAME.h5, each a violation that must be
refused with exit 2, and OUT_DIR/expect.tsv: one line per file, its name, a
tab, and a piece of the message that names what is wrong."""
import os
import shutil
import sys

import h5py
import numpy as np

kind, good, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
expect = open(os.path.join(out, "expect.tsv"), "w")


def variant(name, message, change):
    path = os.path.join(out, f"hand-{name}.h5")
    shutil.copy(good, path)
    with h5py.File(path, "r+") as f:
        change(f)
    expect.write(f"hand-{name}.h5\t{message}\n")


def replace(f, name, data):
    if name in f:
        del f[name]
    f.create_dataset(name, data=data)


def drop(f, name):
    del f[name]


def set_attr(f, name, value):
    if name in f.attrs:
        del f.attrs[name]
    f.attrs[name] = value


def column(f, name, change):
    data = f[name][()].astype(float)
    replace(f, name, change(data))


def poke(f, name, index, value):
    data = f[name][()].astype(float)
    data.flat[index] = value
    replace(f, name, data)


if kind == "prior":
    rows = None
    variant("parameters-rank", "'parameters' has 1 dimensions, expected 2",
            lambda f: replace(f, "parameters", f["parameters"][()].ravel()))
    variant("parameters-rank3", "'parameters' has 3 dimensions, expected 2",
            lambda f: replace(f, "parameters", f["parameters"][()][None, :, :]))
    variant("parameters-zero-rows", "'parameters' has a dimension of length 0",
            lambda f: replace(f, "parameters", np.zeros((0, f["parameters"].shape[1]))))
    variant("parameters-zero-columns", "'parameters' has a dimension of length 0",
            lambda f: replace(f, "parameters", np.zeros((f["parameters"].shape[0], 0))))
    variant("parameters-strings", "'parameters' does not hold numbers",
            lambda f: replace(f, "parameters",
                              np.array([[b"x"] * f["parameters"].shape[1]] * f["parameters"].shape[0])))
    variant("parameters-nan", "'parameters' holds nan",
            lambda f: poke(f, "parameters", 0, np.nan))
    variant("weight-short", "'weight' does not have",
            lambda f: replace(f, "weight", f["weight"][()][:-1]))
    variant("weight-long", "'weight' does not have",
            lambda f: replace(f, "weight", np.concatenate([f["weight"][()], np.ones(5000)])))
    variant("weight-matrix", "'weight' has 2 dimensions, expected 1",
            lambda f: replace(f, "weight", f["weight"][()][:, None]))
    variant("weight-nan", "'weight' holds nan",
            lambda f: poke(f, "weight", f["weight"].shape[0] - 1, np.nan))
    variant("weight-infinite", "'weight' holds inf",
            lambda f: poke(f, "weight", 0, np.inf))
    variant("weight-negative", "'weight' holds -1",
            lambda f: poke(f, "weight", f["weight"].shape[0] - 1, -1.0))
    variant("weight-strings", "'weight' does not hold numbers",
            lambda f: replace(f, "weight", np.array([b"1"] * f["weight"].shape[0])))
    variant("no-weight", "no variable 'weight'", lambda f: drop(f, "weight"))
    variant("no-generation", "no variable 'generation'", lambda f: drop(f, "generation"))
    variant("generation-long", "'generation' does not have",
            lambda f: replace(f, "generation", np.zeros(f["generation"].shape[0] * 3, dtype="i4")))
    variant("no-parameters", "no variable 'parameters'", lambda f: drop(f, "parameters"))
    variant("method-array", "the attribute 'method' is not one text",
            lambda f: set_attr(f, "method", np.array([b"abc-smc"] * 100)))
    variant("method-number", "the attribute 'method' is not one text",
            lambda f: set_attr(f, "method", 3.0))
    variant("names-extra", "names 3 parameters, 'parameters' has 2 columns",
            lambda f: set_attr(f, "parameter_names",
                               f.attrs["parameter_names"] + (b",x" if isinstance(
                                   f.attrs["parameter_names"], bytes) else ",x")))
    variant("names-latin1", "the attribute 'parameter_names' is not UTF-8 text",
            lambda f: set_attr(f, "parameter_names", np.bytes_(b"migrants.entry_rat\xe9")))
    variant("complete-array", "the attribute 'complete_generations' is not one number",
            lambda f: set_attr(f, "complete_generations", np.arange(4, dtype="i4")))
    variant("nelder-mead", "its method is 'nelder-mead'",
            lambda f: set_attr(f, "method", "nelder-mead"))
elif kind == "calibration":
    variant("simulated-rank", "'simulated' has 1 dimensions, expected 2",
            lambda f: replace(f, "simulated", f["simulated"][()].ravel()))
    variant("simulated-zero", "'simulated' has a dimension of length 0",
            lambda f: replace(f, "simulated", np.zeros((f["simulated"].shape[0], 0))))
    variant("simulated-strings", "'simulated' does not hold numbers",
            lambda f: replace(f, "simulated", np.array([[b"x"] * f["simulated"].shape[1]] * f["simulated"].shape[0])))
    variant("observed-3-rows", "'target_observed' has 3 x",
            lambda f: replace(f, "target_observed", f["target_observed"][()][:3]))
    variant("observed-wide", "'target_observed' has 4 x",
            lambda f: replace(f, "target_observed", np.zeros((4, 700))))
    variant("objective-short", "'objective' does not have",
            lambda f: replace(f, "objective", f["objective"][()][:-1]))
    variant("generation-long", "'generation' does not have",
            lambda f: replace(f, "generation", np.zeros(5000, dtype="i4")))
    variant("no-generation", "no variable 'generation'", lambda f: drop(f, "generation"))
    variant("error-without-inside", "no variable 'inside' beside 'error'",
            lambda f: drop(f, "inside"))
    variant("error-transposed", "'error' has",
            lambda f: replace(f, "error", np.zeros((f["error"].shape[1], f["error"].shape[0] + 1))))
    variant("role-long", "'target_role' does not have",
            lambda f: replace(f, "target_role", np.zeros(3000, dtype="i4")))
    variant("band-short", "'predictive_q05' does not have",
            lambda f: (replace(f, "predictive_q05", np.zeros(0)),
                       replace(f, "predictive_q95", np.zeros(f["simulated"].shape[1]))))
    variant("band-alone", "no variable 'predictive_q95' beside 'predictive_q05'",
            lambda f: replace(f, "predictive_q05", np.zeros(f["simulated"].shape[1])))
    variant("labels-array", "the attribute 'target_labels' is not one text",
            lambda f: set_attr(f, "target_labels", np.array([b"x" * 10] * 1000)))
    variant("method-array", "the attribute 'method' is not one text",
            lambda f: set_attr(f, "method", np.array([b"abc-smc"] * 100)))
    variant("method-other", "its method is 'simplex'",
            lambda f: set_attr(f, "method", "simplex"))
    variant("complete-array", "the attribute 'complete_generations' is not one number",
            lambda f: set_attr(f, "complete_generations", np.arange(4, dtype="i4")))
elif kind == "sensitivity":
    variant("first-transposed", "'first_order' has",
            lambda f: replace(f, "first_order", np.zeros((f["first_order"].shape[1] + 1, f["first_order"].shape[0]))))
    variant("total-short", "'total_order' has",
            lambda f: replace(f, "total_order", f["total_order"][()][:, :1]))
    variant("no-total", "no variable 'total_order'", lambda f: drop(f, "total_order"))
    variant("first-zero", "'first_order' has a dimension of length 0",
            lambda f: replace(f, "first_order", np.zeros((0, 2))))
    variant("first-rank", "'first_order' has 1 dimensions, expected 2",
            lambda f: replace(f, "first_order", f["first_order"][()].ravel()))
    variant("total-strings", "'total_order' does not hold numbers",
            lambda f: replace(f, "total_order", np.array([[b"x"] * f["total_order"].shape[1]] * f["total_order"].shape[0])))
    variant("sd-long", "'figure_sd' does not have",
            lambda f: replace(f, "figure_sd", np.zeros(4000)))
    variant("ids-missing-one", "the attributes name",
            lambda f: set_attr(f, "figure_ids", ""))
    variant("names-extra", "the attributes name",
            lambda f: set_attr(f, "parameter_names", "a,b,c,d,e,f,g"))
    variant("roles-array", "the attribute 'figure_roles' is not one text",
            lambda f: set_attr(f, "figure_roles", np.array([b"fit"] * 1000)))
    variant("ids-latin1", "the attribute 'figure_ids' is not UTF-8 text",
            lambda f: set_attr(f, "figure_ids", np.bytes_(b"caf\xe9")))
    variant("method-other", "its method is 'fast'", lambda f: set_attr(f, "method", "fast"))
    variant("no-roles", "no attribute 'figure_roles'",
            lambda f: f.attrs.__delitem__("figure_roles"))
else:
    sys.exit(f"unknown kind {kind}")
expect.close()
