"""A UDP receiver thread: datagrams go to a handler with the sender's address. The socket stays here, the
meaning of the bytes stays in the dispatcher."""

from __future__ import annotations

import socket
import threading
from typing import Callable

from performer.errors import DeviceError

Handler = Callable[[bytes, tuple[str, int]], None]


class UdpReceiver:
    """Binds ``host:port`` and calls ``handler`` for every datagram from its own thread, until closed."""

    def __init__(self, host: str, port: int, handler: Handler, name: str = "udp") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self.sock.bind((host, port))
        except OSError as err:
            self.sock.close()
            raise DeviceError(f"{name}: cannot listen on {host}:{port}: {err.strerror}") from err
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._handler = handler
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> "UdpReceiver":
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                dgram, sender = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self._handler(dgram, sender)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
        self.sock.close()
