"""The process-wide side effects, in one place: `start()` for every entry point, `settle()` once
the long-lived models are loaded.

Importing a package of ours changes nothing about the process; an entry point (a CLI, the app, a
bench script, the tests) calls `start()` first, before anything loads torch or faiss.
"""

from __future__ import annotations

import gc
import os


def start() -> None:
    """Environment defaults for the libraries loaded later; a value already set is kept."""
    # torch and faiss each bundle an OpenMP runtime, which reads this once, when it loads. Waiting
    # threads that sleep instead of spinning keep a busy 2-core machine usable: spinning made one
    # 12 ms query embedding take 300 ms there, and a FAISS search 4× slower.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def settle() -> None:
    """Moves every object alive now out of the garbage collector's sight: call it once a model that
    lives as long as the process is loaded, so later collections stop re-scanning its objects."""
    gc.freeze()
