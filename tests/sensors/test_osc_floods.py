"""OSC that cannot be turned against the show (issue 16): rate limits that count messages, per sender and in
total, over real UDP on 127.0.0.1; only wanted signals and cues go on, the rest counted per pattern in bounded
tallies; long names refused; warnings rate-limited; memory bounded after a flood of distinct junk."""

from __future__ import annotations

import gc
import logging
import queue
import socket
import time
import tracemalloc

from sensors.events import ControlEvent, CueEvent, Event, ReleaseEvent
from sensors.osc import OscDispatcher
from sensors.oscgate import OscGate
from sensors.tally import OTHER
from sensors.udp import UdpReceiver
from sensors.wanted import MAX_NAME, Wanted
from tests.conftest import wait_until
from tests.sensors.test_oscshape import bundle, message


class Port:
    """A real OSC port on 127.0.0.1: gate, dispatcher and an inbox, as the conductor's inputs wire them."""

    def __init__(self, gate: OscGate, dispatcher: OscDispatcher) -> None:
        self.gate, self.dispatcher, self.datagrams = gate, dispatcher, 0
        self.inbox: queue.Queue[Event] = queue.Queue()
        self.receiver = UdpReceiver("127.0.0.1", 0, self._on, name="osc", rcvbuf=64 * 1024).start()

    def _on(self, dgram: bytes, sender: tuple[str, int]) -> None:
        self.datagrams += 1
        if self.gate.admit(sender, dgram, time.monotonic()):
            for event in self.dispatcher.dispatch(dgram, time.monotonic()):
                self.inbox.put(event)

    def __enter__(self) -> Port:
        return self

    def __exit__(self, *_: object) -> None:
        self.receiver.close()


def paced(sock: socket.socket, port: int, dgrams: list[bytes], seconds: float) -> None:
    """Send ``dgrams`` evenly over ``seconds`` (so the kernel drops none of them)."""
    start = time.monotonic()
    for i, dgram in enumerate(dgrams):
        time.sleep(max(0.0, start + i * seconds / len(dgrams) - time.monotonic()))
        sock.sendto(dgram, ("127.0.0.1", port))


def test_bundles_are_paid_by_the_message():
    """60,000 messages a second in 300 bundles a second used to pass as 300 datagrams; now they cost 60,000."""
    frame = bundle(*[message(f"/touch/x{i}", 0.5) for i in range(200)])
    with Port(OscGate(rate=1000.0, total=100000.0), OscDispatcher()) as port, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        paced(sock, port.receiver.port, [frame] * 300, 1.0)
        wait_until(lambda: port.datagrams == 300, 3.0, "the 300 bundles to arrive")
    delivered = port.inbox.qsize()
    assert delivered % 200 == 0 and 1000 <= delivered <= 2000, delivered  # the burst and a second's rate
    assert sum(port.gate.limited.values()) >= 290  # dropped whole, never parsed


def test_the_total_limit_holds_across_senders():
    with Port(OscGate(rate=1000.0, total=1000.0), OscDispatcher()) as port:
        senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(8)]
        try:
            dgrams = [message("/touch/x", 0.5)] * 400
            start = time.monotonic()
            for i, dgram in enumerate(dgrams):  # 8 senders at 400 a second each: 3,200 a second in all
                time.sleep(max(0.0, start + i / 400 - time.monotonic()))
                for sock in senders:
                    sock.sendto(dgram, ("127.0.0.1", port.receiver.port))
            wait_until(lambda: port.datagrams == 3200, 3.0, "the 3,200 messages to arrive")
        finally:
            for sock in senders:
                sock.close()
    assert not port.gate.limited  # each sender stayed within its own rate ...
    assert 1000 <= port.inbox.qsize() <= 1600 and port.gate.over_total >= 1600  # ... but not all of them together


def test_the_gate_keeps_a_bucket_per_local_app_and_its_tables_bounded():
    gate = OscGate(rate=10.0, total=1e9, burst=10.0)
    one = message("/a/b", 0.5)
    assert sum(gate.admit(("127.0.0.1", 5000), one, 0.0) for _ in range(50)) == 10  # one local app flooding ...
    assert sum(gate.admit(("127.0.0.1", 5001), one, 0.0) for _ in range(5)) == 5  # ... does not silence another
    for i in range(20000):  # spoofed senders and rotating ports
        gate.admit((f"127.0.{i // 250}.{i % 250}", 6000 + i), one, 1.0 + i * 1e-3)
        gate.admit((f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", 7000), one, 1.0 + i * 1e-3)
    assert len(gate._buckets) <= gate.max_senders + 1 and len(gate._verdicts) <= 1024
    assert len(gate.limited) <= 65 and len(gate.refused) <= 65 and gate.refused[OTHER] > 19000


def test_only_wanted_signals_and_cues_go_on():
    dispatcher = OscDispatcher(wanted=Wanted.of({"touch/x", "hand/left/x"}, ["Dawn", "Bloom"]))

    def events(*dgrams: bytes) -> list[Event]:
        return [e for d in dgrams for e in dispatcher.dispatch(d, 1.0)]

    assert events(message("/touch/x", 0.5), message("/touch/y", 0.5)) == [ControlEvent(1.0, "touch/x", 0.5)]
    assert events(*[message("/scene", name) for name in ("Bloom", "Nope", "#1", "#2", "#²", "next", "B" * 65)]) == [
        CueEvent(1.0, "Bloom"), CueEvent(1.0, "#1"), CueEvent(1.0, "next")]
    assert events(message("/cue/go"), message("/panic")) == [CueEvent(1.0, "next"), CueEvent(1.0, "panic")]
    assert events(*[message("/release", p) for p in ("hand", "/hand/left/", "touch/x", "midi", "h" * 200, 3)]) == [
        ReleaseEvent(1.0, "hand"), ReleaseEvent(1.0, "hand/left"), ReleaseEvent(1.0, "touch/x")]
    assert dispatcher.rejected["/scene"] == 4 and dispatcher.rejected["/release"] == 2 and dispatcher.malformed == 1
    assert dispatcher.unwanted == {"/touch/*": 1}
    dispatcher.want(Wanted.of({"touch/y"}, ["Dawn", "Bloom", "A" * MAX_NAME]))  # a scene reloaded
    assert events(message("/touch/y", 0.25), message("/touch/x", 0.5), message("/scene", "A" * MAX_NAME)) == [
        ControlEvent(1.0, "touch/y", 0.25), CueEvent(1.0, "A" * MAX_NAME)]


def test_a_flood_of_new_names_leaves_nothing_behind(caplog):
    """100,000 distinct addresses (in bundles of 100): nothing goes on, the tally of patterns stays within its
    cap, one warning line is logged, and the dispatcher holds on to no memory for them (traced over the last
    20,000: were each name kept, that would be 2 MB or more)."""
    dispatcher = OscDispatcher(wanted=Wanted.of({"touch/x"}, ["Dawn"]))
    floods = [bundle(*[message(f"/n{b % 300}/name{b}_{i}", 0.5) for i in range(100)]) for b in range(1000)]
    with caplog.at_level(logging.WARNING):
        assert not any(dispatcher.dispatch(dgram, 0.0) for dgram in floods[:800])
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            assert not any(dispatcher.dispatch(dgram, 0.0) for dgram in floods[800:])
            gc.collect()
            grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
        finally:
            tracemalloc.stop()
    assert sum(dispatcher.unwanted.values()) == 100000 and len(dispatcher.unwanted) <= 65
    assert dispatcher.unwanted[OTHER] > 0 and dispatcher.unwanted["/n7/*"] > 0
    assert len(caplog.records) == 1 and "osc /n0/*: no scene maps it" in caplog.text  # the next one in 10 s
    assert grown < 16 * 1024, grown


def test_warnings_under_a_junk_flood_are_few_and_short(caplog):
    """Malformed packets, unwanted names and bad arguments, 6,000 in a second over real UDP: a handful of lines,
    none quoting a whole datagram."""
    junk = [b"\x00" * 4000, bundle(b"\xff" * 4000), message("/touch/x", "x" * 100), message("/" + "q" * 100, 1.0),
            message("/scene", "z" * 120), b"/touch/x\x00\x00\x00\x00," + b"x" * 30 + b"\x00"]
    with caplog.at_level(logging.WARNING), \
            Port(OscGate(rate=1e5, total=1e5), OscDispatcher(wanted=Wanted.of({"touch/x"}, []))) as port, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        paced(sock, port.receiver.port, junk * 1000, 1.0)
        wait_until(lambda: port.datagrams == 6000, 3.0, "the junk to arrive")
    assert port.inbox.empty() and port.dispatcher.malformed >= 1000
    assert len(caplog.records) <= 8, caplog.text
    assert all(len(record.getMessage()) < 300 for record in caplog.records), caplog.text
