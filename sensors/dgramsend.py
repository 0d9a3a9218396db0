"""Datagrams out to the conductor, the way a camera sends its signals: over the rig's private channel (an AF_UNIX
path, see sensors/localchannel.py) or over UDP to a host and port (a sensor on another machine). A sender never
waits long: a datagram that cannot go at once (the conductor restarting, its reader behind) is dropped and
counted, and said at most once every ten seconds, so a frame is never held up by the one before it."""

from __future__ import annotations

import logging
import socket

from sensors.ratelog import RateLimitedLog

log = logging.getLogger(__name__)

WAIT = 0.05  # seconds a send may wait for room in the reader's queue (a local socket's reader behind)


class DatagramSender:
    """Sends to ``channel`` (an AF_UNIX datagram socket's path) if given, else over UDP to ``host:port``."""

    def __init__(self, channel: str = "", host: str = "127.0.0.1", port: int = 0, name: str = "sender") -> None:
        self.name, self.sent, self.dropped = name, 0, 0
        if channel:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.to: str | tuple[str, int] = channel
        else:
            self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            self.to = (host, port)
        self.sock.settimeout(WAIT)
        self._log = RateLimitedLog(log)

    def send(self, dgram: bytes) -> bool:
        """Send ``dgram``; False (counted, logged now and then) if it could not go."""
        try:
            self.sock.sendto(dgram, self.to)
        except OSError as err:  # no reader (ECONNREFUSED, ENOENT), its queue full (a timeout), or too long
            self.dropped += 1
            self._log.warning(type(err).__name__, "%s: %d datagram(s) could not be sent to %s (%s); the signals "
                              "go on with the next", self.name, self.dropped, self.to, err.strerror or err)
            return False
        self.sent += 1
        return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> DatagramSender:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
