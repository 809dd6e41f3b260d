"""One builder per index folder: an advisory `flock` on `<index>.lock`, released by the OS if the
holder dies.

The file also records the holder's pid, so a lock left by a dead process is reported and reused.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from core.errors import IndexLockedError


class BuildLock:
    def __init__(self, index_dir: Path, wait_seconds: float = 600.0):
        self.path = index_dir.with_name(index_dir.name + ".lock")
        self.wait_seconds = wait_seconds
        self.stale_pid: int | None = None  # set when a dead holder's lock was cleared
        self._fd: int | None = None

    def __enter__(self) -> "BuildLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexLockedError(
                        f"another build (pid {_read_pid(self.path)}) holds {self.path}; "
                        "wait for it to finish"
                    ) from None
                time.sleep(0.1)
        previous = _read_pid_fd(fd)
        if previous and previous != os.getpid() and not process_alive(previous):
            self.stale_pid = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # an empty file means "free"
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_pid_fd(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def _read_pid(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
