"""The terminal `performer run` is started in, as a keypad for the show: its keys go to the conductor (space GO,
b BACK, ...: sensors/keys.py) one at a time, without waiting for Enter; Ctrl-C still stops the rig."""

from __future__ import annotations

import contextlib
import os
import stat
from typing import Callable, Iterator, Optional

from sensors.keyboard import KeyReader
from sensors.keys import HELP


def has_keys(fd: int = 0) -> bool:
    """Whether ``fd`` can bring keys: a terminal or a pipe (not /dev/null, as under systemd)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return os.isatty(fd) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def keys_forwarded(target: Callable[[], Optional[object]], fd: int = 0) -> Iterator[None]:
    """While inside, each key typed on ``fd`` is written to the stdin of ``target()`` (the conductor process of
    the moment: it may be restarted). A terminal is put in cbreak mode and restored afterwards."""
    saved = None
    if os.isatty(fd):
        import termios
        import tty

        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        print(f"performer: {HELP}", flush=True)
    KeyReader(fd, lambda char: _forward(char, target())).start()
    try:
        yield
    finally:
        if saved is not None:
            import termios

            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _forward(char: str, proc: Optional[object]) -> None:
    """One key to the conductor's stdin (nothing while it restarts)."""
    stdin = getattr(proc, "stdin", None)
    if stdin is None:
        return
    try:
        stdin.write(char)
        stdin.flush()
    except (OSError, ValueError):  # the conductor is restarting
        pass
