"""OSC input over real UDP on 127.0.0.1: routing, clamping, cues, and malformed packets that are counted and
never stop the receiver."""

from __future__ import annotations

import queue
import socket
import time

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.udp_client import SimpleUDPClient

from performer.config.rig import OscRoute
from sensors.events import ControlEvent, CueEvent, Event
from sensors.osc import OscDispatcher
from sensors.udp import UdpReceiver
from tests.conftest import wait_until


def drained(inbox: "queue.Queue[Event]") -> list[Event]:
    """Every event in ``inbox`` now, oldest first."""
    out: list[Event] = []
    while not inbox.empty():
        out.append(inbox.get_nowait())
    return out


def test_osc_over_udp() -> None:
    dispatcher = OscDispatcher([OscRoute(address="/fader/1", signal="touch/fader", range=(0.0, 127.0))])
    inbox: queue.Queue[Event] = queue.Queue()

    def handle(dgram: bytes, sender: tuple[str, int]) -> None:
        for event in dispatcher.dispatch(dgram, time.monotonic()):
            inbox.put(event)

    receiver = UdpReceiver("127.0.0.1", 0, handle).start()
    try:
        client = SimpleUDPClient("127.0.0.1", receiver.port)
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        raw.sendto(b"\x00\x01garbage", ("127.0.0.1", receiver.port))  # malformed: dropped and counted
        raw.sendto(b"/audience/energy\x00\x00\x00\x00,f\x00", ("127.0.0.1", receiver.port))  # truncated float
        client.send_message("/audience/energy", 0.25)
        client.send_message("/fader/1", 127)
        client.send_message("/hand/right/pinch", 3.5)  # out of range: clamped and counted
        client.send_message("/hand/right/pinch", "loud")  # not a number: rejected and counted
        client.send_message("/cue/next", [])
        client.send_message("/scene", "Bloom")
        bundle = OscBundleBuilder(IMMEDIATELY)
        for value in (0.1, 0.2):
            msg = OscMessageBuilder("/midi_box/knob")
            msg.add_arg(value)
            bundle.add_content(msg.build())
        raw.sendto(bundle.build().dgram, ("127.0.0.1", receiver.port))
        wait_until(lambda: inbox.qsize() >= 7, 3.0, "7 events from the OSC receiver")
        events = drained(inbox)
        raw.close()
    finally:
        receiver.close()
    controls = [(e.name, round(e.value, 6)) for e in events if isinstance(e, ControlEvent)]
    cues = [e.target for e in events if isinstance(e, CueEvent)]
    assert controls == [("audience/energy", 0.25), ("touch/fader", 1.0), ("hand/right/pinch", 1.0),
                        ("midi_box/knob", 0.1), ("midi_box/knob", 0.2)]
    assert cues == ["next", "Bloom"]
    assert dispatcher.malformed == 2
    assert dispatcher.clamped["hand/right/pinch"] == 1
    assert dispatcher.rejected["/hand/right/pinch"] == 1


def test_port_in_use_is_one_clear_line() -> None:
    first = UdpReceiver("127.0.0.1", 0, lambda d, s: None)
    try:
        try:
            UdpReceiver("127.0.0.1", first.port, lambda d, s: None, name="osc")
        except OSError as err:
            assert str(err).startswith(f"osc: cannot listen on 127.0.0.1:{first.port}")
        else:
            raise AssertionError("binding a busy port must fail")
    finally:
        first.close()


def test_senders_outside_the_allowlist_are_ignored_and_floods_are_limited(caplog):
    """Real UDP on 127.0.0.1 and ::1: the gate admits only listed senders, and at most its rate from each."""
    import logging

    from sensors.oscgate import OscGate

    gate, inbox = OscGate(allow=("::1",), rate=50.0, burst=10.0), queue.Queue()
    dispatcher = OscDispatcher()

    def on_packet(dgram: bytes, sender: tuple[str, int]) -> None:
        if gate.admit(sender, dgram, time.monotonic()):
            for event in dispatcher.dispatch(dgram, time.monotonic()):
                inbox.put(event)

    for host in ("127.0.0.1", "::1"):
        receiver = UdpReceiver(host, 0, on_packet, name="osc").start()
        try:
            with caplog.at_level(logging.WARNING):
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                client = SimpleUDPClient(host, receiver.port, family=family)
                for i in range(200):  # a flood: far more than 10 at once
                    client.send_message("/fader/1", i / 200)
                wait_until(lambda h=host: gate.refused[h] + sum(gate.limited.values()) + inbox.qsize() == 200, 3.0,
                           f"the gate to have judged all 200 packets from {host}")
        finally:
            receiver.close()
        got = [e for e in drained(inbox) if isinstance(e, ControlEvent)]
        if host == "127.0.0.1":
            assert got == [] and gate.refused["127.0.0.1"] == 200  # not on the list
        else:
            assert 10 <= len(got) <= 30 and sum(gate.limited.values()) >= 150  # the burst, and what the rate refills
    assert caplog.text.count("not in the rig's osc.allow") == 1 and caplog.text.count("more than 50") == 1


def test_address_patterns_route_banks_of_controls():
    from sensors.oscpattern import compile_pattern

    routes = [OscRoute(address="/1/fader*", signal="osc/fader/*", range=(0.0, 127.0)),
              OscRoute(address="/{left,right}/xy/?", signal="pad/*/*"),
              OscRoute(address="/bank/[!0-9]", signal="osc/letter")]
    dispatcher = OscDispatcher(routes)

    def event(address: str, value: float) -> list[Event]:
        builder = OscMessageBuilder(address=address)
        builder.add_arg(value)
        return dispatcher.dispatch(builder.build().dgram, 1.0)

    assert event("/1/fader3", 127.0) == [ControlEvent(1.0, "osc/fader/3", 1.0)]
    assert event("/right/xy/y", 0.25) == [ControlEvent(1.0, "pad/right/y", 0.25)]
    assert event("/bank/a", 0.5) == [ControlEvent(1.0, "osc/letter", 0.5)]
    assert event("/bank/7", 0.5) == [ControlEvent(1.0, "bank/7", 0.5)]  # not the pattern: its own name
    assert event("/1/fader Main", 1.0) == [] and dispatcher.unwanted["/1/*"] == 1  # no such signal
    assert compile_pattern("/a/*").match("/a/b/c") is None  # a wildcard never crosses a /
