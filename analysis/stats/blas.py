"""Run NumPy's OpenBLAS on one thread for a block of small matrix products.

The bootstrap engine's products are small and come between ``bincount`` calls; waking two
BLAS threads for each costs more than it saves (see :func:`single_blas_thread`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
from collections.abc import Iterator

import numpy as np


@functools.cache
def openblas_thread_controls() -> tuple[ctypes._CFuncPtr, ctypes._CFuncPtr] | None:
    """``(get, set)`` for the thread count of the OpenBLAS that NumPy uses, or ``None``.

    Looks the library up among the loaded shared objects (NumPy's wheels bundle
    ``libscipy_openblas64_``; a system build exports ``openblas_*``). Linux only; anywhere
    else, or for another BLAS, the engine simply runs with the BLAS defaults.
    """
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line}
    except OSError:
        return None
    numpy_first = sorted(paths, key=lambda path: os.path.dirname(np.__file__) not in path)
    for path in numpy_first:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
            if getter is not None and setter is not None:
                return getter, setter
    return None


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run NumPy's OpenBLAS on one thread inside the block (restored afterwards).

    The engine's products are small (a chunk of resamples x tasks x systems) and come between
    ``bincount`` calls, so two BLAS threads must be woken for each: measured on a shared
    2-core machine, 10,000 resamples of the 25 x 500 matrix took 70-490 ms with threads and
    about 20 ms on one thread. Not thread-safe across Python threads running BLAS meanwhile
    (they also get one thread for the duration), which only costs them speed.
    """
    controls = openblas_thread_controls()
    if controls is None:
        yield
        return
    get_threads, set_threads = controls
    previous = int(get_threads())
    if previous == 1:
        yield
        return
    set_threads(1)
    try:
        yield
    finally:
        set_threads(previous)
