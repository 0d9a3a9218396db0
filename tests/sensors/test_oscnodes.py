"""Sensor nodes as pure logic: from a node's address only its own signals and their releases go on (never a cue
nor another signal), whichever spelling of the address the socket reports, within a budget of its own."""

from __future__ import annotations

from sensors.events import ControlEvent, ReleaseEvent
from sensors.oscnodes import SensorNodes, host_address
from sensors.oscout import osc_bundle, release
from tests.sensors.test_oscshape import message

AUDIENCE = ["audience/energy", "audience/x", "audience/zone/door"]


def _nodes(rate: float = 5000.0) -> SensorNodes:
    return SensorNodes({"10.77.0.2": (AUDIENCE, rate)}, 0.0)


def test_a_node_sends_its_own_signals_and_releases_only():
    node = _nodes().find("10.77.0.2")
    assert node is not None
    events = node.dispatch(osc_bundle({"audience/energy": 0.25, "audience/zone/door": 1.0, "touch/x": 0.5}), 1.0)
    assert [(e.name, e.value) for e in events if isinstance(e, ControlEvent)] == [("audience/energy", 0.25),
                                                                                 ("audience/zone/door", 1.0)]
    assert [e.prefix for e in node.dispatch(release(["audience", "hand"]), 1.0)
            if isinstance(e, ReleaseEvent)] == ["audience"]
    for command in (message("/cue/next"), message("/panic"), message("/scene", "next"), message("/scene", "#0")):
        assert node.dispatch(command, 1.0) == []
    assert node.osc.unwanted_total == 1 and sum(node.osc.rejected.values()) == 5  # touch/x; hand, four cues


def test_the_node_is_its_address_however_spelt():
    nodes = _nodes()
    assert nodes.find("::ffff:10.77.0.2") is nodes.find("10.77.0.2") is not None
    assert host_address("fe80::1%veth0") == "fe80::1" and host_address("not an address") is None
    assert nodes.find("10.77.0.3") is None and nodes.find("127.0.0.1") is None and nodes.find("x" * 300) is None
    assert SensorNodes({}, 0.0).find("10.77.0.2") is None


def test_a_node_over_its_budget_is_dropped_and_counted():
    nodes = _nodes(rate=100.0)
    node = nodes.find("10.77.0.2")
    assert node is not None
    frame = osc_bundle({name: 0.5 for name in AUDIENCE})  # 3 messages
    got = sum(len(node.dispatch(frame, 0.0)) for _ in range(200))  # 600 messages at once: a burst of 256 fits
    assert got == 3 * (256 // 3) and node.limited == 200 - 256 // 3
    assert len(node.dispatch(frame, 1.0)) == 3  # a second later there is room again
    assert nodes.summary() == "; sensor node 10.77.0.2 201 datagrams, 115 over its budget, 0 messages not its own"
