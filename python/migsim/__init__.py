"""migsim for Python: runs the migsim engine in-process through its shared
library and returns xarray Datasets shaped like the HDF5 files of
`migsim run` (same variables, dimensions, dates and attributes).

    import migsim
    ds = migsim.run("scenarios/baseline.yaml", scale=100, set={"migrants.entry_rate": 0.3})
    ds.migrant_stock.sum(["origin", "region"]).plot()

Errors in the inputs raise migsim.InputError (a ValueError) carrying the
command line's message, such as `scenarios/x.yaml:3:16: error: ...`; other
failures raise migsim.MigsimError. The same scenario, seed and scale give the
same arrays as the command line, for any thread count.
"""
import ctypes
import os

import numpy as np
import pandas as pd
import xarray as xr

from . import _library

__all__ = ["run", "load", "compare", "figures", "report", "export", "version", "MigsimError",
           "InputError"]

_lib = _library.load()


class MigsimError(Exception):
    """A failure reported by libmigsim; `exit_code` is the command line's (1 or 2)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status
        self.exit_code = 2 if status == -2 else 1


class InputError(MigsimError, ValueError):
    """The input is wrong (a scenario, a parameter, a file that is not a run)."""


def _check(status):
    if status < 0:
        message = _lib.mig_strerror().decode("utf-8", "replace")
        raise (InputError if status == -2 else MigsimError)(message, status)


def version():
    """The version of the loaded libmigsim."""
    return _lib.mig_version().decode()


def _path(p):
    return os.fsencode(os.fspath(p))


def _format_value(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"set: error: expected a number, found {value!r}", -2)
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(int(value))


def run(scenario, *, seed=None, scale=None, threads=None, replicates=1, set=None, output=None):
    """Runs a scenario file as `migsim run` does and returns its dataset.

    seed, scale: override the scenario's (None keeps them); threads: OpenMP
    threads for this run (None: OpenMP's default, as on the command line);
    replicates: runs with seeds derived from the scenario's (a leading
    `replicate` dimension when more than one); set: {"group.param": number}
    or {"group.param.CODE": number} overrides; output: also write the HDF5
    file there (otherwise nothing is written to disk).
    """
    sets = [f"{name}={_format_value(value)}" for name, value in (set or {}).items()]
    array = (ctypes.c_char_p * max(len(sets), 1))(*[s.encode() for s in sets])
    words = ["python:", "migsim.run(" + repr(os.fspath(scenario))]
    for key, value in (("seed", seed), ("scale", scale), ("threads", threads),
                       ("replicates", replicates if replicates != 1 else None), ("set", set)):
        if value is not None:
            words.append(f"{key}={value!r}")
    command = " ".join(words[:1]) + " " + ", ".join(words[1:]) + ")"
    image = ctypes.c_void_p()
    size = ctypes.c_size_t()
    _check(_lib.mig_run(_path(scenario), array, len(sets), -1.0 if seed is None else float(seed),
                        0.0 if scale is None else float(scale), int(threads or 0),
                        int(replicates), _path(output) if output is not None else None,
                        command.encode(), ctypes.byref(image), ctypes.byref(size)))
    if output is not None:
        return load(output)
    try:
        data = ctypes.string_at(image, size.value)
    finally:
        _lib.mig_free(image)
    return _open_image(data)


def _open_image(data):
    import netCDF4

    nc = netCDF4.Dataset("migsim-run.nc", mode="r", memory=data)
    try:
        return xr.open_dataset(xr.backends.NetCDF4DataStore(nc)).load()
    finally:
        nc.close()


def load(path):
    """Reads a migsim output file (run, ensemble or comparison) into memory."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: error: no such file", -2)
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    except OSError as e:
        raise InputError(f"{path}: error: not an HDF5 file ({e})", -2) from None


def _dataset(x):
    return x if isinstance(x, xr.Dataset) else load(x)


# The quantities of `migsim compare`: a stock at the date, or a flow summed
# from the start up to it; `by` names the dimension that gives the key.
_QUANTITIES = [
    ("migrant workers present", "migrant_stock", False, "origin", "origin"),
    ("migrant workers present", "migrant_stock", False, "region", "region"),
    ("migrant workers present", "migrant_stock_by_sector", False, "sector", "sector"),
    ("arrivals since start", "arrivals", True, "origin", "origin"),
    ("arrivals since start", "arrivals", True, "region", "region"),
    ("returns since start", "returns", True, "origin", "origin"),
    ("returns since start", "returns", True, "region", "region"),
    ("visits home since start", "visits_home", True, "origin", "origin"),
    ("remittances since start (USD)", "remittances_usd", True, "origin", "origin"),
    ("residents", "resident_population", False, "region", "region"),
    ("internal moves out since start", "internal_moves", True, "region", "region_from"),
    ("internal moves in since start", "internal_moves", True, "region", "region_to"),
]

_LABELS = {"origin": "origin_code", "region": "region_code", "sector": "sector_code"}


def _step_at(ds, at):
    if at is None:
        return ds.sizes["time"] - 1
    day = np.datetime64(str(at), "ns")
    ends = ds["time"].values  # the end of each step
    later = np.nonzero(ends >= day)[0]
    if len(later) == 0:
        raise InputError(f"compare: error: {at} is after the runs' end", -2)
    return int(later[0])


def _intervals(diff):
    """The command line's intervals of paired differences: the 90% confidence
    interval of the mean (t, N-1) and the 90% prediction interval of one more
    pair, from the library itself."""
    values = (ctypes.c_double * len(diff))(*[float(x) for x in diff])
    mean, half, predict = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    _lib.mig_compare_interval(values, len(diff), ctypes.byref(mean), ctypes.byref(half),
                              ctypes.byref(predict))
    m, h, p = mean.value, half.value, predict.value
    return {"ci90_low": m - h, "ci90_high": m + h, "prediction90_low": m - p,
            "prediction90_high": m + p}


def compare(base, alt, by="origin", at=None):
    """Paired differences alt minus base, as `migsim compare` prints them:
    one row per quantity (and per key when `by` is "origin", "region" or
    "sector"; None for totals), with base, alternative, difference, change
    in percent, and with replicates the 90% confidence interval of the mean
    difference (ci90_low, ci90_high) and the 90% prediction interval of one
    more pair (prediction90_low, prediction90_high).
    base and alt are datasets or file names; `at` is a date (default: the
    end of the runs)."""
    if by not in (None, "origin", "region", "sector"):
        raise InputError(f"compare: error: by must be origin, region, sector or None, found {by!r}",
                         -2)
    a, b = _dataset(alt), _dataset(base)
    if a.sizes != b.sizes or not np.array_equal(a["time"].values, b["time"].values):
        raise InputError("compare: error: the runs differ in their dates, dimensions or "
                         "replicates; expected two runs of one scenario family", -2)
    step = _step_at(b, at)
    rows, seen = [], set()
    for label, series, cumulative, key, dim in _QUANTITIES:
        if by is not None and key != by:
            continue
        if by is None and label in seen:
            continue
        seen.add(label)
        x, y = b[series], a[series]
        window = slice(0, step + 1) if cumulative else slice(step, step + 1)
        x, y = x.isel(time=window).sum("time"), y.isel(time=window).sum("time")
        keep = [d for d in x.dims if d in ("replicate",) or (by is not None and d == dim)]
        x, y = x.sum([d for d in x.dims if d not in keep]), y.sum([d for d in y.dims if d not in keep])
        if "replicate" not in x.dims:
            x, y = x.expand_dims("replicate"), y.expand_dims("replicate")
        keys = b[_LABELS[by]].values if by is not None else ["all"]
        for k, name in enumerate(keys):
            xs = x.isel({dim: k}).values if by is not None else x.values
            ys = y.isel({dim: k}).values if by is not None else y.values
            d = ys - xs
            bm, am = float(xs.mean()), float(ys.mean())
            row = {"quantity": label, "key": str(name), "base": bm, "alternative": am,
                   "difference": am - bm, "change_pct": 100 * (am - bm) / bm if bm else 0.0}
            if len(d) > 1:
                row.update(_intervals(d))
            rows.append(row)
    return pd.DataFrame(rows)


def figures(ds):
    """The figures table of a run (each survey figure, its observed value
    and band, the simulated value and whether it is within), one row per
    figure; columns are the file's figure_* variables without the prefix,
    plus `role` when the file gives figures roles."""
    ds = _dataset(ds)
    if "figure" not in ds.dims:
        return pd.DataFrame()
    columns = {}
    for name, var in ds.data_vars.items():
        if var.dims == ("figure",) and name.startswith("figure_"):
            values = var.values
            if values.dtype.kind in "SO":
                values = [v.decode() if isinstance(v, bytes) else str(v) for v in values]
            columns[name[len("figure_"):]] = values
    table = pd.DataFrame(columns)
    if "within" in table:
        table["within"] = table["within"].astype(bool)
    return table


def report(run, output, *, compare=(), calibration=None):
    """Writes the HTML report of a run file; each of `compare` (up to six
    run files) is an option shown against it."""
    compare = list(compare) if not isinstance(compare, (str, os.PathLike)) else [compare]
    array = (ctypes.c_char_p * max(len(compare), 1))(*[_path(c) for c in compare])
    _check(_lib.mig_report(_path(run), array, len(compare),
                           _path(calibration) if calibration else None, _path(output)))
    return os.fspath(output)


def export(run, output, *, format=None, base=None):
    """Writes a run's tables as an .xlsx workbook or (format="csv") a folder
    of CSV files, as `migsim export` does; `base` adds the differences."""
    if not hasattr(_lib, "mig_export"):
        raise MigsimError("export: error: this libmigsim has no export", -1)
    if format is None:
        format = "csv" if not os.fspath(output).endswith(".xlsx") else "xlsx"
    _check(_lib.mig_export(_path(run), _path(output), format.encode(),
                           _path(base) if base else None))
    return os.fspath(output)


