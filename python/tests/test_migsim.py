"""Tests of the Python package against the command line. The command line's
binary and the source tree come from MIGSIM_BINARY and MIGSIM_SOURCE_DIR
(tests/python.sh sets both)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import migsim

BINARY = os.environ.get("MIGSIM_BINARY", "build/migsim")
SOURCE = os.environ.get("MIGSIM_SOURCE_DIR", ".")
BASELINE = os.path.join(SOURCE, "scenarios", "baseline.yaml")
FEE = os.path.join(SOURCE, "scenarios", "doubled_permit_fee.yaml")
SCALE = 1000


def cli(*args):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)


def same_arrays(a, b):
    assert set(a.data_vars) == set(b.data_vars)
    assert set(a.coords) == set(b.coords)
    for name in list(a.data_vars) + list(a.coords):
        x, y = a[name], b[name]
        assert x.dims == y.dims, name
        if x.dtype.kind == "f":
            assert np.array_equal(x.values, y.values, equal_nan=True), name
        else:
            assert np.array_equal(x.values, y.values), name


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    base, fee = folder / "base.h5", folder / "fee.h5"
    for scenario, path in ((BASELINE, base), (FEE, fee)):
        done = cli("run", scenario, "--scale", SCALE, "--replicates", 2, "--threads", 1, "-o",
                   path, "--quiet")
        assert done.returncode == 0, done.stderr
    return base, fee


def test_python_and_cli_give_identical_arrays(cli_runs):
    # Two threads in Python, one on the command line: the same arrays.
    ds = migsim.run(BASELINE, scale=SCALE, replicates=2, threads=2)
    same_arrays(ds, migsim.load(cli_runs[0]))
    assert ds["migrant_stock"].dims == ("replicate", "time", "origin", "region")
    assert ds["time"].dtype.kind == "M"  # decoded to dates, as from the file
    assert ds.attrs["scenario_name"] == "baseline"
    assert ds.attrs["command_line"].startswith("python: migsim.run(")
    assert int(ds.attrs["threads"]) == 2


def test_output_file_matches_memory(tmp_path):
    path = tmp_path / "run.h5"
    a = migsim.run(BASELINE, scale=SCALE, seed=7, output=path)
    assert path.exists() and not list(tmp_path.glob("*.tmp-*"))
    same_arrays(a, migsim.run(BASELINE, scale=SCALE, seed=7))


def test_set_changes_the_parameter_and_is_recorded():
    low = migsim.run(BASELINE, scale=SCALE, set={"migrants.entry_rate": 0.15})
    high = migsim.run(BASELINE, scale=SCALE, set={"migrants.entry_rate": 0.35})
    assert "migrants.entry_rate: 0.35" in high.attrs["scenario_text"]
    resolved = dict(line.split(": ", 1) for line in high.attrs["scenario_parameters"].splitlines())
    assert float(resolved["migrants.entry_rate"]) == 0.35
    assert float(high["arrivals"].sum()) > float(low["arrivals"].sum())
    # Common random numbers: the same draws before the parameter matters.
    assert np.array_equal(low["resident_population"].values[0],
                          high["resident_population"].values[0])


def test_scenario_errors_carry_the_command_lines_message():
    bad = os.path.join(SOURCE, "tests", "bad", "out_of_range.yaml")
    with pytest.raises(migsim.InputError) as caught:
        migsim.run(bad)
    done = cli("check", bad)
    assert done.returncode == 2 and caught.value.exit_code == 2
    assert done.stderr.strip() == "migsim: " + str(caught.value)
    assert str(caught.value).startswith(bad + ":3:")
    assert isinstance(caught.value, ValueError)


def test_bad_set_is_an_input_error():
    with pytest.raises(migsim.InputError, match="did you mean 'migrants.entry_rate'"):
        migsim.run(BASELINE, scale=SCALE, set={"migrants.entry_rat": 0.3})
    with pytest.raises(migsim.InputError, match=r"outside \[0, 1\]"):
        migsim.run(BASELINE, scale=SCALE, set={"migrants.remitter_share": 1.5})
    with pytest.raises(migsim.InputError, match="only numeric"):
        migsim.run(BASELINE, scale=SCALE, set={"start": 3})
    with pytest.raises(migsim.InputError, match="no such file"):
        migsim.load("/nonexistent/run.h5")


def test_compare_matches_the_command_line(cli_runs):
    base, fee = cli_runs
    table = migsim.compare(base, fee, by="origin")
    done = cli("compare", base, fee, "--by", "origin")
    assert done.returncode == 0, done.stderr
    lines = [l for l in done.stdout.splitlines()[2:] if l.strip()]
    assert len(lines) == len(table)
    for line, (_, row) in zip(lines, table.iterrows()):
        words = line[33:].split()
        assert words[0] == row["key"]
        assert float(words[1]) == pytest.approx(row["base"], rel=1e-5)
        assert float(words[3]) == pytest.approx(row["difference"], rel=1e-5, abs=1e-6)
        ci, prediction = (part.split("]")[0].split(",") for part in line.split("[")[1:3])
        assert float(ci[0]) == pytest.approx(row["ci90_low"], rel=1e-5, abs=1e-6)
        assert float(ci[1]) == pytest.approx(row["ci90_high"], rel=1e-5, abs=1e-6)
        assert float(prediction[0]) == pytest.approx(row["prediction90_low"], rel=1e-5, abs=1e-6)
        assert float(prediction[1]) == pytest.approx(row["prediction90_high"], rel=1e-5, abs=1e-6)
    totals = migsim.compare(migsim.load(base), migsim.load(fee), by=None)
    assert list(totals["key"].unique()) == ["all"]
    stock = totals[totals["quantity"] == "migrant workers present"].iloc[0]
    assert stock["difference"] < 0  # a doubled fee deters workers


def test_figures_table(cli_runs):
    table = migsim.figures(cli_runs[0])
    ds = migsim.load(cli_runs[0])
    assert len(table) == ds.sizes["figure"] > 0
    assert {"id", "label", "observed", "simulated", "within"} <= set(table.columns)
    assert table["within"].dtype == bool


def test_report_with_options(cli_runs, tmp_path):
    out = migsim.report(cli_runs[0], tmp_path / "r.html", compare=[cli_runs[1]])
    text = open(out, encoding="utf-8").read()
    assert "Options against the baseline" in text
    with pytest.raises(migsim.InputError):
        migsim.report(tmp_path / "r.html", tmp_path / "x.html")


def test_sweep_example_writes_a_png(tmp_path):
    png = tmp_path / "sweep.png"
    done = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "sweep.py"), BASELINE,
                           "--values", "20", "--scale", "4000", "-o", png],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    image = Image.open(png)
    assert image.size[0] > 1000 and len(set(image.convert("RGB").getdata())) > 50


def test_posterior_effects_example(tmp_path):
    trace = tmp_path / "cal"
    done = cli("calibrate", BASELINE, "--targets",
               os.path.join(SOURCE, "scenarios", "targets", "bma_round5.yaml"),
               "--free", "migrants.entry_rate:0.1:0.4", "--free", "migrants.visit_rate:1:3",
               "--method", "abc-smc", "--particles", "4", "--budget", "12", "--scale", "2000",
               "-o", trace)
    assert done.returncode == 0, done.stderr
    table = tmp_path / "effects.csv"
    done = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "posterior_effects.py"),
                           f"{trace}.h5", BASELINE, FEE, "--draws", "3", "--scale", "2000",
                           "-o", table], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import csv

    rows = {r["quantity"]: r for r in csv.DictReader(open(table))}
    # Members of the EAEU pay no permit fee: in every draw their workers
    # are the same with and without it.
    for code in ("RUS", "KGZ"):
        row = rows[f"workers present at the end, {code}"]
        assert float(row["q05"]) == float(row["q95"]) == 0
    assert float(rows["arrivals over the run"]["q50"]) < 0  # a dearer permit deters
    done = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "posterior_effects.py"),
                           BASELINE, BASELINE, FEE, "-o", tmp_path / "x.csv"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "error" in done.stderr
    assert not (tmp_path / "x.csv").exists()
