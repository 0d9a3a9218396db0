"""The readiness handshake between the supervisor and each child process (engine, conductor, camera).

The child writes one JSON line on a pipe of its own, whose descriptor the parent names in ``PERFORMER_READY_FD``:
that it is ready (with what the parent needs to know, such as the UDP port it picked) or why it could not start
(a kind and one line). The parent waits for that line with a deadline that holds even if the child never writes
or prints anything, and gives up at once when asked to stop or when the child exits."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar, Union

ENV = "PERFORMER_READY_FD"
POLL = 0.1  # seconds between looks at the stop request and the child's exit while waiting


@dataclass(frozen=True)
class Ready:
    """The child is up; ``info`` is what it reported (its port, its backend, ...)."""

    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    """The child could not start and said why: ``kind`` is config, device or internal."""

    kind: str
    message: str


@dataclass(frozen=True)
class Silent:
    """The child gave no answer: it exited first, missed its deadline, or the parent was asked to stop."""

    why: str
    stopped: bool = False


Outcome = Union[Ready, Failed, Silent]
T = TypeVar("T")


class Announcer:
    """The child's side: say once that it is ready, or why it failed. Without the variable (a child started by
    hand) it says nothing."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        if fd is not None:
            os.set_inheritable(fd, False)  # not for the child's own children

    @classmethod
    def from_env(cls) -> Announcer:
        value = os.environ.pop(ENV, "")
        return cls(int(value) if value.isdigit() else None)

    def ready(self, **info: Any) -> None:
        """Ready, with what the parent should know."""
        self._say({"ready": True, **info})

    def failed(self, kind: str, message: str) -> None:
        """Not started: ``kind`` is config, device or internal; ``message`` one line, which the parent reports
        (or, with no parent, it goes to stderr here)."""
        if self.fd is None:
            print(message, file=sys.stderr)
        self._say({"ready": False, "kind": kind, "message": message})

    def _say(self, answer: dict[str, Any]) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, (json.dumps(answer) + "\n").encode())
        except OSError:
            pass  # the parent is gone; the child will be told by SIGTERM
        finally:
            os.close(self.fd)
            self.fd = None


def child_start(who: str, parse: Callable[[str], T], args: Sequence[str]) -> tuple[Announcer, T | None]:
    """A child's first steps: its announcer, and its one settings argument parsed (None, announced as an internal
    failure, when it is missing or bad)."""
    announcer = Announcer.from_env()
    try:
        return announcer, parse(args[0])
    except (IndexError, ValueError, TypeError, KeyError) as err:
        announcer.failed("internal", f"{who}: bad settings argument: {err}")
        return announcer, None


class ReadyPipe:
    """The parent's side of one child's handshake: ``env`` and ``pass_fds`` for Popen, then ``wait``."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return dict(os.environ if base is None else base, **{ENV: str(self._write)})

    @property
    def pass_fds(self) -> tuple[int, ...]:
        return (self._write,)

    def wait(self, proc: subprocess.Popen[Any], timeout: float, stop: threading.Event | None = None) -> Outcome:
        """The child's answer, or why there is none, within ``timeout`` seconds whatever the child does."""
        os.close(self._write)
        try:
            return self._wait(proc, time.monotonic() + timeout, timeout, stop)
        finally:
            os.close(self._read)

    def _wait(self, proc: subprocess.Popen[Any], deadline: float, timeout: float,
              stop: threading.Event | None) -> Outcome:
        received = b""
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if stop is not None and stop.is_set():
                return Silent("asked to stop before it was ready", stopped=True)
            if remaining <= 0:
                return Silent(f"did not say it was ready within {timeout:g} s")
            readable, _, _ = select.select([self._read], [], [], min(POLL, remaining))
            if not readable:
                continue
            chunk = os.read(self._read, 4096)
            if not chunk:  # the child closed its end without a word: it exited
                return Silent(f"exited (code {_exit_code(proc)}) before it was ready")
            received += chunk
        return _outcome(received.split(b"\n", 1)[0])


def _exit_code(proc: subprocess.Popen[Any]) -> int | None:
    try:
        return proc.wait(1.0)
    except subprocess.TimeoutExpired:
        return None


def _outcome(line: bytes) -> Outcome:
    try:
        answer = json.loads(line)
        if answer.pop("ready"):
            return Ready(answer)
        return Failed(str(answer["kind"]), str(answer["message"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Silent(f"answered something that is not a handshake: {line[:80]!r}")
