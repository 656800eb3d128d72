"""Finding and describing libmigsim for ctypes."""
import ctypes
import ctypes.util
import glob
import os
import subprocess

_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    if os.environ.get("MIGSIM_LIBRARY"):
        yield os.environ["MIGSIM_LIBRARY"]
    yield from sorted(glob.glob(os.path.join(_here, "libmigsim.so*")), key=len)
    yield "libmigsim.so.0"  # the dynamic loader's path (LD_LIBRARY_PATH, ldconfig)
    try:  # an installed prefix that pkg-config knows
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "migsim"],
                                capture_output=True, text=True, check=False).stdout.strip()
        if libdir:
            yield os.path.join(libdir, "libmigsim.so.0")
    except OSError:
        pass
    name = ctypes.util.find_library("migsim")
    if name:
        yield name


def load():
    tried = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        _declare(lib)
        return lib
    raise ImportError("migsim: cannot find libmigsim; build it (bash .ci/setup build) and "
                      "reinstall the package, or set MIGSIM_LIBRARY. Tried: " + "; ".join(tried))


def _declare(lib):
    c_char_p, c_int, c_double = ctypes.c_char_p, ctypes.c_int, ctypes.c_double
    lib.mig_version.restype = c_char_p
    lib.mig_version.argtypes = []
    lib.mig_strerror.restype = c_char_p
    lib.mig_strerror.argtypes = []
    lib.mig_exit_code.restype = c_int
    lib.mig_exit_code.argtypes = [c_int]
    lib.mig_run.restype = c_int
    lib.mig_run.argtypes = [c_char_p, ctypes.POINTER(c_char_p), c_int, c_double, c_double, c_int,
                            c_int, c_char_p, c_char_p, ctypes.POINTER(ctypes.c_void_p),
                            ctypes.POINTER(ctypes.c_size_t)]
    lib.mig_free.restype = None
    lib.mig_free.argtypes = [ctypes.c_void_p]
    lib.mig_report.restype = c_int
    lib.mig_report.argtypes = [c_char_p, ctypes.POINTER(c_char_p), c_int, c_char_p, c_char_p]
    lib.mig_compare_interval.restype = None
    lib.mig_compare_interval.argtypes = [ctypes.POINTER(c_double), c_int, ctypes.POINTER(c_double),
                                         ctypes.POINTER(c_double), ctypes.POINTER(c_double)]
    if hasattr(lib, "mig_export"):
        lib.mig_export.restype = c_int
        lib.mig_export.argtypes = [c_char_p, c_char_p, c_char_p, c_char_p]
