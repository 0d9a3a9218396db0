"""Datagram receiver threads: each datagram goes to a handler with its sender's address. The socket stays here,
the meaning of the bytes stays in the dispatcher. ``UdpReceiver`` listens on a UDP port; the rig's private
channel (sensors/localchannel.py) reuses the same loop on a local socket."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Callable, Generic, TypeVar

from sensors.errors import InputUnavailable
from sensors.ratelog import RateLimitedLog

log = logging.getLogger(__name__)

A = TypeVar("A")
Handler = Callable[[bytes, tuple[str, int]], None]
MAX_DATAGRAM = 65536


class Pacer:
    """Keeps the calling thread to ``share`` of a core: within each ``window`` of wall time, once the thread's
    own CPU time passes ``share * window``, ``pace`` sleeps out the window (``paused`` counts the seconds)."""

    def __init__(self, share: float, window: float = 0.02) -> None:
        self.share, self.window, self.paused = share, window, 0.0
        self._start, self._cpu = time.monotonic(), time.thread_time()

    def pace(self) -> None:
        now = time.monotonic()
        if now - self._start >= self.window:
            self._start, self._cpu = now, time.thread_time()
        elif time.thread_time() - self._cpu > self.share * self.window:
            rest = self.window - (now - self._start)
            self.paused += rest
            time.sleep(rest)


class DatagramReceiver(Generic[A]):
    """Calls ``handler(datagram, sender)`` for every datagram ``sock`` receives, from its own thread, until
    closed. A datagram the handler fails on is logged (a line every ten seconds at most) and counted
    (``failed``); the thread reads on. With ``cpu_share``, the thread uses at most that share of a core: past
    it, it sleeps and the kernel drops what does not fit in the socket's buffer (a flood costs the rest of the
    process that share at most)."""

    def __init__(self, sock: socket.socket, handler: Callable[[bytes, A], None], name: str,
                 cpu_share: float | None = None) -> None:
        self.sock, self.name = sock, name
        self.sock.settimeout(0.2)
        self.failed = 0  # datagrams the handler raised on
        self.pacer = Pacer(cpu_share) if cpu_share else None
        self._handler = handler
        self._log = RateLimitedLog(log)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> DatagramReceiver[A]:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                dgram, sender = self.sock.recvfrom(MAX_DATAGRAM)
            except socket.timeout:
                continue
            except OSError as err:
                if not self._stop.is_set():
                    log.error("%s: the socket failed (%s); no more datagrams are read", self.name, err)
                return
            self._deliver(dgram, sender)
            if self.pacer is not None:
                self.pacer.pace()

    def _deliver(self, dgram: bytes, sender: A) -> None:
        try:
            self._handler(dgram, sender)
        except Exception:  # one bad datagram must not end the receive thread
            self.failed += 1
            self._log.log(logging.ERROR, "failed", "%s: %d datagram(s) could not be handled", self.name,
                          self.failed, exc_info=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
        self.sock.close()


class UdpReceiver(DatagramReceiver[tuple[str, int]]):
    """Binds ``host:port`` (port 0: any free one, see ``port``). ``rcvbuf``: the kernel's receive buffer in
    bytes, kept modest on a port anyone may flood, so a flood is dropped by the kernel instead of queued
    ahead of the datagrams that matter."""

    def __init__(self, host: str, port: int, handler: Handler, name: str = "udp", rcvbuf: int = 0,
                 cpu_share: float | None = None) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            if rcvbuf:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.bind((host, port))
        except OSError as err:
            sock.close()
            raise InputUnavailable(f"{name}: cannot listen on {host}:{port}: {err.strerror}") from err
        super().__init__(sock, handler, name, cpu_share)
        self.port: int = sock.getsockname()[1]

    def start(self) -> UdpReceiver:
        super().start()
        return self
