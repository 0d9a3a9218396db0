"""Sensor nodes: other machines that run a rig's cameras and send their signals to the conductor's OSC port, as pure
logic. A node is one address; from it only the signals of its own cameras (and their ``/release``) go on, never a
cue nor any other signal, within a budget of its own, so neither the allowlist's senders nor the node can take the
other's place. Its datagrams bypass the allowlist and its rates (sensors/oscgate.py): the rig names the node."""

from __future__ import annotations

import ipaddress
import logging
from typing import Iterable, Mapping

from sensors import oscshape
from sensors.events import Event
from sensors.osc import OscDispatcher
from sensors.oscgate import MAX_ADDRESS, MAX_VERDICTS, TokenBucket
from sensors.ratelog import RateLimitedLog
from sensors.wanted import Wanted

log = logging.getLogger(__name__)


def host_address(address: str) -> str | None:
    """``address`` as one spelling ("::ffff:10.0.0.2" and "10.0.0.2" are one host; an IPv6 zone is dropped),
    or None if it is no IP address."""
    try:
        ip = ipaddress.ip_address(address[:MAX_ADDRESS].split("%", 1)[0])
    except ValueError:
        return None
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return str(mapped or ip)


class SensorNode:
    """One machine's cameras: the ``signals`` they send, at most ``rate`` messages a second (each message of a
    bundle counts, as on the OSC port). What does not fit is dropped and counted (``limited``)."""

    def __init__(self, address: str, signals: Iterable[str], rate: float, t: float) -> None:
        self.address = address
        self.osc = OscDispatcher((), Wanted(frozenset(signals), cues=False))
        self.budget = TokenBucket.full(rate, None, t)
        self.received = self.limited = 0
        self._log = RateLimitedLog(log)

    def dispatch(self, dgram: bytes, t: float) -> list[Event]:
        """The events of one datagram from this node received at ``t``: its own signals and releases only."""
        self.received += 1
        if not self.budget.take(oscshape.cost(dgram), t):
            self.limited += 1
            self._log.warning("limited", "osc: sensor node %s sends more than %g messages a second; %d datagrams "
                              "dropped", self.address, self.budget.rate, self.limited)
            return []
        return self.osc.dispatch(dgram, t)


class SensorNodes:
    """The nodes a rig names: each address with the signals its cameras send and its budget (messages a second).
    ``find`` tells a node's datagrams from any other sender's."""

    def __init__(self, nodes: Mapping[str, tuple[Iterable[str], float]], t: float) -> None:
        self.nodes = {host_address(a) or a: SensorNode(host_address(a) or a, signals, rate, t)
                      for a, (signals, rate) in nodes.items()}
        self._found: dict[str, SensorNode | None] = {}  # a sender's address as received -> its node (bounded)

    def find(self, address: str) -> SensorNode | None:
        """The node sending from ``address``, or None for any other sender."""
        if not self.nodes:
            return None
        if address not in self._found:
            if len(self._found) >= MAX_VERDICTS:
                self._found.clear()
            self._found[address] = self.nodes.get(host_address(address) or "")
        return self._found[address]

    def summary(self) -> str:
        """Per node, what came in and what was over its budget or not its own, each after "; " (none: "")."""
        return "".join(f"; sensor node {n.address} {n.received} datagrams, {n.limited} over its budget, "
                         f"{n.osc.unwanted_total + sum(n.osc.rejected.values())} messages not its own"
                         for n in self.nodes.values())
