"""The session folders of a rig's runs, from the supervisor's side: old ones pruned, a new dated one for each run,
and, after the run, its notes.mid and summary.png, made in a process of their own (the supervisor loads no
matplotlib). None of it can stop the show: each failure is one line."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from performer.config.loading import LoadedRig
from performer.config.sessionfolder import SESSION, folder_name, started

log = logging.getLogger(__name__)

PRUNE_EVERY = 600.0  # seconds between prunings while a run plays (a gallery's run may last for weeks)
BUSY = 120.0  # seconds: a folder written to this recently is another run's, still playing, and is never removed
FINISH_TIMEOUT = 60.0  # seconds the after-show (notes.mid, summary.png) may take before it is given up
ATTEMPTS = 100  # folder names tried for runs that start within the same second


@dataclass(frozen=True)
class Found:
    """A folder that is a run's: named by its start and holding a session.jsonl."""

    path: Path
    started: datetime
    size: int  # bytes of its files
    written: float  # the latest modification of its files, seconds since the epoch


def runs_in(base: Path) -> list[Found]:
    """The run folders directly in ``base``, oldest first; anything else (other names, symbolic links, a folder
    without its session.jsonl) is not ours and is left alone."""
    found = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    for entry in entries:
        when = started(entry.name)
        if when is None or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if not stat.S_ISREG(os.lstat(Path(entry.path) / SESSION).st_mode):
                continue
        except OSError:
            continue
        size, written = usage(Path(entry.path))
        found.append(Found(Path(entry.path), when, size, written))
    return sorted(found, key=lambda f: (f.started, f.path.name))


def usage(folder: Path) -> tuple[int, float]:
    """The bytes a folder's files take and when one was last written (links not followed)."""
    size, written = 0, 0.0
    for parent, _, names in os.walk(folder):
        for name in names:
            try:
                info = os.lstat(os.path.join(parent, name))
            except OSError:
                continue
            size, written = size + info.st_size, max(written, info.st_mtime)
    return size, written


def prune(base: Path, keep_days: float, max_mb: float, current: Path | None, now: datetime) -> list[Path]:
    """Remove the run folders older than ``keep_days``, then the oldest until all together take less than
    ``max_mb``; never ``current``, nor one another run is writing to. Returns what was removed."""
    runs = runs_in(base)
    total = sum(f.size for f in runs)
    spared = {current.resolve()} if current is not None else set()
    removable = [f for f in runs if f.path.resolve() not in spared and now.timestamp() - f.written > BUSY]
    removed = []
    for found in removable:
        if found.started >= now - timedelta(days=keep_days) and total <= max_mb * (1 << 20):
            continue
        try:
            shutil.rmtree(found.path)
        except OSError as err:
            log.warning("%s: cannot remove an old session (%s)", found.path, err.strerror or err)
            continue
        total -= found.size
        removed.append(found.path)
    return removed


def new_folder(base: Path, rig: str, now: datetime) -> Path:
    """A new, empty folder for this run, named by its start (``-2``, ``-3`` if another run took the name)."""
    base.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, ATTEMPTS + 1):
        path = base / folder_name(rig, now, attempt)
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{base}: {ATTEMPTS} runs named {folder_name(rig, now)} already")


class SessionFolders:
    """A run's folder: chosen at the start (``--session-dir`` over ``[sessions] folder``; none with
    ``--no-session`` or ``enabled = false``), pruned around now and then, finished after the run."""

    def __init__(self, loaded: LoadedRig, args: argparse.Namespace, clock: Callable[[], datetime] = datetime.now):
        config = loaded.rig.sessions
        self.config, self.rig, self.clock = config, loaded.rig.name, clock
        wanted = config.enabled and not getattr(args, "no_session", False)
        override = getattr(args, "session_dir", None)
        self.base: Path | None = (Path(override) if override else loaded.sessions_dir) if wanted else None
        self.current: Path | None = None
        self._pruned: float | None = None  # when the last pruning was (monotonic)

    def begin(self) -> Path | None:
        """Prune, then make this run's folder; a folder that cannot be made is one line, and a run without one."""
        if self.base is None:
            return None
        self.look()
        try:
            self.current = new_folder(self.base, self.rig, self.clock())
        except OSError as err:
            print(f"performer: {self.base}: cannot make the session folder ({err.strerror or err}); playing "
                  f"without one", file=sys.stderr, flush=True)
        return self.current

    def look(self) -> None:
        """Prune, at most every PRUNE_EVERY seconds."""
        if self.base is None or (self._pruned is not None and time.monotonic() - self._pruned < PRUNE_EVERY):
            return
        self._pruned = time.monotonic()
        for path in prune(self.base, self.config.keep_days, self.config.max_mb, self.current, self.clock()):
            log.info("removed the old session %s", path)

    def finish(self, child_setup: Callable[[], None] | None = None) -> None:
        """Write the run's notes.mid and summary.png (performer/offline/aftershow.py), in a process of its own,
        within FINISH_TIMEOUT; Ctrl-C skips it. Whatever goes wrong is one line."""
        if self.current is None:
            return
        if not (self.current / SESSION).exists():  # the show never began (the conductor did not start)
            shutil.rmtree(self.current, ignore_errors=True)
            return
        command = [sys.executable, "-m", "performer.offline.aftershow", str(self.current)]
        proc = subprocess.Popen(command, preexec_fn=child_setup, stdin=subprocess.DEVNULL)
        try:
            code = proc.wait(FINISH_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"performer: {self.current}: the summary took over {FINISH_TIMEOUT:.0f} s; given up",
                  file=sys.stderr, flush=True)
            code = None
        except KeyboardInterrupt:
            print(f"performer: {self.current}: summary skipped", file=sys.stderr, flush=True)
            code = None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code is not None and code < 0:  # killed; any other failure the after-show said itself, in one line
            print(f"performer: {self.current}: no summary (signal {-code})", file=sys.stderr, flush=True)
