"""The rig's private channel between its own processes (its cameras to the conductor): an AF_UNIX datagram socket
in a folder only this user may enter (mode 0700, such as the supervisor's run folder). No other sender can reach
it, so none can starve it, whatever floods the OSC port; and it needs no network port at all."""

from __future__ import annotations

import os
import socket
import stat
from typing import Callable

from sensors.errors import InputUnavailable
from sensors.udp import DatagramReceiver

LocalHandler = Callable[[bytes, str | None], None]


def private_problem(folder: str) -> str | None:
    """Why ``folder`` is not private to this user (missing, not a folder, someone else's, open to others), or
    None."""
    try:
        status = os.lstat(folder)
    except OSError as err:
        return f"{folder}: {err.strerror}"
    if not stat.S_ISDIR(status.st_mode):
        return f"{folder}: not a folder"
    if status.st_uid != os.getuid():
        return f"{folder}: owned by another user"
    if status.st_mode & 0o077:
        return f"{folder}: others may enter it (mode {stat.S_IMODE(status.st_mode):o}; expected 700)"
    return None


def _clear(path: str) -> None:
    """Remove a socket a previous run left at ``path`` (a conductor restarted); anything else there is an error."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(status.st_mode):
        raise InputUnavailable(f"{path}: exists and is not a socket")
    os.unlink(path)


class LocalReceiver(DatagramReceiver[str | None]):
    """Binds an AF_UNIX datagram socket at ``path``, whose folder must be private (else InputUnavailable), and
    calls ``handler(datagram, sender)`` from its own thread; senders need not bind, so ``sender`` may be None."""

    def __init__(self, path: str, handler: LocalHandler, name: str = "local") -> None:
        problem = private_problem(os.path.dirname(path) or ".")
        if problem is not None:
            raise InputUnavailable(f"{name}: {problem}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            _clear(path)
            sock.bind(path)
            os.chmod(path, 0o600)
        except OSError as err:
            sock.close()
            raise InputUnavailable(f"{name}: cannot listen on {path}: {err.strerror or err}") from err
        super().__init__(sock, handler, name)
        self.path = path
        self._inode = os.lstat(path).st_ino

    def start(self) -> LocalReceiver:
        super().start()
        return self

    def close(self) -> None:
        super().close()
        try:
            if os.lstat(self.path).st_ino == self._inode:  # ours, not a newer conductor's
                os.unlink(self.path)
        except OSError:
            pass
