"""Who may send OSC, and how much, as pure logic: a sender allowlist (addresses or networks) and a token bucket
per sender, so a runaway app on the network cannot flood the conductor."""

from __future__ import annotations

import ipaddress
import logging
from collections import Counter
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class OscGate:
    """``allow`` holds addresses or networks ("127.0.0.1", "192.168.1.0/24"); each sender may send ``rate``
    datagrams a second, in bursts of up to ``burst``. Refusals and drops are counted and logged once per sender."""

    allow: tuple[str, ...] = ("127.0.0.1", "::1")
    rate: float = 1000.0
    burst: float = 200.0
    refused: Counter[str] = field(default_factory=Counter)
    limited: Counter[str] = field(default_factory=Counter)
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # sender -> (tokens, time)

    def __post_init__(self) -> None:
        self._networks = [ipaddress.ip_network(entry, strict=False) for entry in self.allow]

    def admit(self, sender: str, t: float) -> bool:
        """Whether a datagram from ``sender`` (an IP address) at time ``t`` goes on to the dispatcher."""
        if not self._allowed(sender):
            self.refused[sender] += 1
            if self.refused[sender] == 1:
                log.warning("osc: %s is not in the rig's osc.allow list; its packets are ignored", sender)
            return False
        tokens, last = self._buckets.get(sender, (self.burst, t))
        tokens = min(self.burst, tokens + (t - last) * self.rate)
        if tokens < 1.0:
            self._buckets[sender] = (tokens, t)
            self.limited[sender] += 1
            if self.limited[sender] == 1 or self.limited[sender] % 10000 == 0:
                log.warning("osc: %s sends more than %g packets a second; dropped %d so far", sender, self.rate,
                            self.limited[sender])
            return False
        self._buckets[sender] = (tokens - 1.0, t)
        return True

    def _allowed(self, sender: str) -> bool:
        try:
            address = ipaddress.ip_address(sender.split("%", 1)[0])
        except ValueError:
            return False
        return any(address in network for network in self._networks)
