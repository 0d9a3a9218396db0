"""An OSC flood from another local app, for the flood bench: ``python -m performer.bench.flooder PORT RATE SECONDS``
sends RATE messages a second to 127.0.0.1:PORT for SECONDS, in bundles of BUNDLE messages, most of them under
names never seen before (the kind of junk that once grew the conductor without bound), some a scene's real
control and some malformed. It prints how many it sent. Loopback only, and it stops by itself."""

from __future__ import annotations

import random
import socket
import struct
import sys
import time

BUNDLE = 50  # messages per bundle: 20,000 a second is 400 bundles a second
POOL = 2000  # distinct bundles, cycled: 100,000 distinct names


def _message(address: str, value: float) -> bytes:
    """One OSC message ``address ,f value``, encoded by hand (python-osc's builder is too slow for a flood)."""
    def padded(text: bytes) -> bytes:
        return text + b"\0" * (4 - len(text) % 4)

    return padded(address.encode()) + padded(b",f") + struct.pack(">f", value)


def _bundle(messages: list[bytes]) -> bytes:
    return b"#bundle\0" + struct.pack(">Q", 1) + b"".join(struct.pack(">i", len(m)) + m for m in messages)


def bundles(seed: int = 0) -> list[bytes]:
    """The pool: each bundle 48 junk names and 2 of the demo show's own control; every tenth is malformed (a
    message with a type tag OSC does not have), so it is refused whole."""
    rng = random.Random(seed)
    pool = []
    for i in range(POOL):
        junk = [_message(f"/flood/{i}/{k}/{rng.randrange(10**9)}", rng.random()) for k in range(BUNDLE - 2)]
        real = [_message("/touch/dynamics", rng.random()) for _ in range(2)]
        bad = [b"/bad\0\0\0\0,x\0\0"] if i % 10 == 9 else []
        pool.append(_bundle(junk[:len(junk) - len(bad)] + real + bad))
    return pool


def flood(port: int, rate: float, seconds: float) -> int:
    """Send for ``seconds``; the number of messages sent."""
    pool, sent = bundles(), 0
    period = BUNDLE / rate
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        start = next_at = time.monotonic()
        while (now := time.monotonic()) < start + seconds:
            if now < next_at:
                time.sleep(next_at - now)
            sock.sendto(pool[(sent // BUNDLE) % POOL], ("127.0.0.1", port))
            sent += BUNDLE
            next_at += period
    return sent


if __name__ == "__main__":
    port, rate, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    print(flood(port, rate, seconds), flush=True)
