"""A UDP receiver thread: datagrams go to a handler with the sender's address. The socket stays here, the
meaning of the bytes stays in the dispatcher."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Callable

from sensors.errors import InputUnavailable

log = logging.getLogger(__name__)

Handler = Callable[[bytes, tuple[str, int]], None]


class UdpReceiver:
    """Binds ``host:port`` and calls ``handler`` for every datagram from its own thread, until closed. A datagram
    the handler fails on is logged and counted (``failed``); the thread reads on."""

    def __init__(self, host: str, port: int, handler: Handler, name: str = "udp") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self.sock.bind((host, port))
        except OSError as err:
            self.sock.close()
            raise InputUnavailable(f"{name}: cannot listen on {host}:{port}: {err.strerror}") from err
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.name = name
        self.failed = 0  # datagrams the handler raised on
        self._handler = handler
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> UdpReceiver:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                dgram, sender = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError as err:
                if not self._stop.is_set():
                    log.error("%s: the socket failed (%s); no more datagrams are read", self.name, err)
                return
            self._deliver(dgram, sender)

    def _deliver(self, dgram: bytes, sender: tuple[str, int]) -> None:
        try:
            self._handler(dgram, sender)
        except Exception:  # one bad datagram must not end the receive thread
            self.failed += 1
            if self.failed == 1 or self.failed % 1000 == 0:
                log.exception("%s: %d datagram(s) could not be handled; latest from %s:%d", self.name,
                              self.failed, *sender[:2])

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
        self.sock.close()
