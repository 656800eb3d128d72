"""Asserts that every dataset of several HDF5 files is byte-identical (root
attributes such as the thread count and creation time may differ).

usage: compare_datasets.py A.h5 B.h5 [C.h5 ...]
"""
import sys

import h5py


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()].tobytes() if obj.dtype.kind != "O" else repr(obj[()]).encode()
        f.visititems(visit)
    return out


reference = datasets(sys.argv[1])
failed = 0
for other in sys.argv[2:]:
    data = datasets(other)
    if set(data) != set(reference):
        print(f"FAIL: {other} holds other datasets than {sys.argv[1]}")
        failed += 1
        continue
    for name in sorted(reference):
        if data[name] != reference[name]:
            print(f"FAIL: {name} differs between {sys.argv[1]} and {other}")
            failed += 1
print(f"compare_datasets: {len(sys.argv) - 2 - min(failed, len(sys.argv) - 2)} passed, {failed} failed")
sys.exit(1 if failed else 0)
