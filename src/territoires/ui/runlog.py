"""Opt-in timing of script runs, for the benchmark: ``TERRITOIRES_RUN_LOG=file`` appends one line a run.

Each line is ``start_epoch_s duration_ms``.  Off unless the variable is set.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator


@contextlib.contextmanager
def timed() -> Iterator[None]:
    path = os.environ.get("TERRITOIRES_RUN_LOG")
    if not path:
        yield
        return
    start = time.time()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{start:.3f} {(time.perf_counter() - t0) * 1000:.1f}\n")
