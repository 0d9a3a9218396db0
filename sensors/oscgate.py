"""Who may send OSC, and how much, as pure logic: a sender allowlist (addresses or networks), and token buckets
that count messages, read before any parsing (a bundle costs each message in it, see sensors/oscshape.py): one
per sender and one for all senders together, so neither a runaway app nor many of them can flood the conductor.

A sender is its address; on loopback, where every local app is 127.0.0.1, it is the address and port, so one
local app's flood does not silence the others. Every table is bounded: at most ``max_senders`` buckets (a full
bucket is forgotten first, which loses nothing), and senders beyond that share one."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from sensors import oscshape
from sensors.ratelog import RateLimitedLog, excerpt
from sensors.tally import Tally

log = logging.getLogger(__name__)

BURST_SECONDS = 0.25  # a bucket holds this many seconds of its rate ...
MIN_BURST = 256.0  # ... and at least the most messages one datagram may carry (oscshape.MAX_MESSAGES)
MAX_SENDERS = 256
MAX_VERDICTS = 1024  # addresses whose allowlist verdict is remembered
MAX_ADDRESS = 64  # characters of a sender's address (an IPv6 one with its zone fits)
SHARED = "(senders beyond the table)"


@dataclass
class TokenBucket:
    """``rate`` tokens a second, up to ``burst``; ``take`` spends them only if all of ``cost`` is there."""

    rate: float
    burst: float
    tokens: float
    last: float

    @classmethod
    def full(cls, rate: float, burst: float | None, t: float) -> TokenBucket:
        burst = max(MIN_BURST, rate * BURST_SECONDS) if burst is None else burst
        return cls(rate, burst, burst, t)

    def refill(self, t: float) -> float:
        """The tokens at ``t``."""
        self.tokens = min(self.burst, self.tokens + max(0.0, t - self.last) * self.rate)
        self.last = max(self.last, t)
        return self.tokens

    def take(self, cost: float, t: float) -> bool:
        if self.refill(t) < cost:
            return False
        self.tokens -= cost
        return True


class OscGate:
    """``allow`` holds addresses or networks ("127.0.0.1", "192.168.1.0/24"); each sender may send ``rate``
    messages a second and all of them together ``total``, in bursts of ``burst`` (default: a quarter second's
    worth, at least one full datagram). Refusals and drops are counted (bounded) and logged (rate-limited)."""

    def __init__(self, allow: tuple[str, ...] = ("127.0.0.1", "::1"), rate: float = 1000.0,
                 total: float = 3000.0, burst: float | None = None, max_senders: int = MAX_SENDERS) -> None:
        self._networks = [ipaddress.ip_network(entry, strict=False) for entry in allow]
        self.rate, self.burst, self.max_senders = rate, burst, max_senders
        self.total = TokenBucket.full(total, None, 0.0)
        self.refused = Tally()  # datagrams per sender address outside the allowlist
        self.limited = Tally()  # datagrams per sender over its own rate
        self.over_total = 0  # datagrams within their sender's rate but over the total
        self._buckets: dict[str, TokenBucket] = {}
        self._next_sweep = -1e300
        self._verdicts: dict[str, tuple[bool, bool]] = {}  # address -> (allowed, loopback)
        self._log = RateLimitedLog(log)

    def admit(self, sender: tuple[str, int], dgram: bytes, t: float) -> bool:
        """Whether ``dgram`` from ``sender`` (address, port) at time ``t`` goes on to be parsed. It costs its
        messages (``oscshape.cost``, read before any parsing); one that does not fit is dropped whole."""
        allowed, loopback = self._verdict(sender[0])
        if not allowed:
            self.refused.add(excerpt(sender[0], MAX_ADDRESS))
            self._log.warning("refused", "osc: %s is not in the rig's osc.allow list; its packets are ignored",
                              excerpt(sender[0], MAX_ADDRESS))
            return False
        key = f"{sender[0]}:{sender[1]}" if loopback else sender[0]
        bucket = self._bucket(key, t)
        if bucket.refill(t) < 1.0 or bucket.tokens < (cost := oscshape.cost(dgram)):  # an empty bucket: no walk
            self.limited.add(key)
            self._log.warning("limited", "osc: %s sends more than %g messages a second; its datagrams beyond "
                              "are dropped", key, self.rate)
            return False
        if not self.total.take(cost, t):
            self.over_total += 1
            self._log.warning("total", "osc: all senders together send more than %g messages a second; dropped "
                              "%d datagrams so far", self.total.rate, self.over_total)
            return False
        bucket.take(cost, t)
        return True

    def _bucket(self, key: str, t: float) -> TokenBucket:
        """The sender's bucket. A new sender gets one while the table has room; when it is full, the full buckets
        (idle senders: forgetting them loses nothing) are swept out, at most every BURST_SECONDS, and until
        there is room new senders share one bucket."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            return bucket
        if len(self._buckets) >= self.max_senders and t >= self._next_sweep:
            self._next_sweep = t + BURST_SECONDS
            for idle in [k for k, b in self._buckets.items() if k != SHARED and b.refill(t) >= b.burst]:
                del self._buckets[idle]
        if len(self._buckets) >= self.max_senders:
            key = SHARED
        return self._buckets.setdefault(key, TokenBucket.full(self.rate, self.burst, t))

    def _verdict(self, address: str) -> tuple[bool, bool]:
        """Whether ``address`` is allowed, and whether it is loopback (remembered, for at most MAX_VERDICTS)."""
        if len(address) > MAX_ADDRESS:  # no IP address is this long
            return False, False
        verdict = self._verdicts.get(address)
        if verdict is None:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
                verdict = (any(ip in network for network in self._networks), ip.is_loopback)
            except ValueError:
                verdict = (False, False)
            if len(self._verdicts) >= MAX_VERDICTS:
                self._verdicts.clear()
            self._verdicts[address] = verdict
        return verdict
