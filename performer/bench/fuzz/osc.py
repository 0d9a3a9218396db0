"""The OSC fuzzers: datagrams (any bytes; messages with any address, type tags and arguments; bundles nested deep,
with sizes that lie) through the dispatcher, and any sender string through the gate, as the conductor runs them.

Neither may raise; every event must name a valid signal with a finite 0..1 value. The OSC API is changing, so
the fuzzers reach it through ``osc_receiver`` alone: re-point that one function when it does."""

from __future__ import annotations

import struct
from typing import Any, Callable, Sequence

from hypothesis import strategies as st

from performer.bench.fuzz.checks import check_events
from performer.bench.fuzz.runner import Crash, Target
from performer.config.rig import OscRoute
from sensors.events import Event
from sensors.osc import OscDispatcher
from sensors.oscgate import OscGate
from sensors.wanted import EVERYTHING, Wanted

Receive = Callable[[bytes, tuple[str, int], float], list[Event]]  # (datagram, (address, port), clock time) -> events
ADDRESSES = ["/cue/next", "/cue/go", "/cue/prev", "/panic", "/release", "/scene", "/fader/1", "/fader/A b", "/knob/7",
             "/xy/left/3", "/flat", "/inv", "/big", "/touch/dynamics", "/hand/left/x", "/a", "/", "", "//", "/A/B",
             "/fader/1\n", "/a/b\n", "/x/y/", "/midi/cc/999", "/fader/*", "/{a,b}/c", "/\u00e9/x"]
ROUTES = [("/fader/*", "osc/fader/*", (0.0, 1.0)), ("/knob/[0-9]", "osc/knob/*", (0.0, 127.0)),
          ("/xy/{left,right}/?", "osc/xy/*/*", (-1.0, 1.0)), ("/flat", "osc/flat", (5.0, 5.0)),
          ("/inv", "osc/inv", (1.0, 0.0)), ("/big", "osc/big", (-1e308, 1e308)), ("/exact/1", "osc/exact", (0.0, 10.0))]
WANTED = ["osc/fader/1", "osc/knob/7", "osc/xy/left/3", "osc/flat", "osc/big", "touch/dynamics", "a/b", "hand/left/x",
          "fader/1", "midi/cc/999"]  # signals a show may listen for
SCENES = ("Dawn", "Drift", "next")
ALLOW = ["127.0.0.1", "::1", "192.168.1.0/24", "10.0.0.0/8", "fe80::/10", "0.0.0.0/0", "::/0", "::ffff:127.0.0.1"]
SENDERS = ["127.0.0.1", "::1", "::1%lo", "fe80::1%eth0", "192.168.1.20", "10.1.2.3", "[::1]", "localhost", "", "%",
           "%%", "256.1.1.1", "1.2.3.4/24", "::ffff:127.0.0.1", "0177.0.0.1", " 127.0.0.1", "127.0.0.1\x00", "::",
           "1" * 100_000, "\ud800", "\u0661.\u0662.\u0663.\u0664"]


def osc_receiver(routes: Sequence[OscRoute], allow: Sequence[str], rate: float,
                 names: Sequence[str] | None = None, scenes: Sequence[str] = ()) -> Receive:
    """The conductor's OSC path (performer/runtime/inputs.py, ``Inputs._on_osc``): ``OscGate(allow, rate=rate)
    .admit(sender, dgram, t)``, then ``OscDispatcher(routes, wanted).dispatch(dgram, t)``, where ``wanted`` is
    ``Wanted.of(names, scenes)`` (or EVERYTHING when ``names`` is None). The only place the fuzzers touch the
    OSC API, which is still changing: re-point it here."""
    wanted = EVERYTHING if names is None else Wanted.of(names, scenes)
    dispatcher, gate = OscDispatcher(routes, wanted), OscGate(tuple(allow), rate=rate)

    def receive(dgram: bytes, sender: tuple[str, int], t: float) -> list[Event]:
        return dispatcher.dispatch(dgram, t) if gate.admit(sender, dgram, t) else []

    return receive


def osc_string(data: bytes) -> bytes:
    """An OSC string: the bytes, a NUL, padded to four."""
    data += b"\0"
    return data + b"\0" * (-len(data) % 4)


def arguments() -> st.SearchStrategy[tuple[str, bytes]]:
    """One argument: its type tag and its bytes (mostly as the tag says; sometimes cut short or too long)."""
    formed = st.one_of(
        st.tuples(st.just("i"), st.integers(-(1 << 31), (1 << 31) - 1).map(lambda v: struct.pack(">i", v))),
        st.tuples(st.just("f"), st.floats(width=32).map(lambda v: struct.pack(">f", v))),
        st.tuples(st.just("d"), st.floats().map(lambda v: struct.pack(">d", v))),
        st.tuples(st.just("h"), st.integers(-(1 << 63), (1 << 63) - 1).map(lambda v: struct.pack(">q", v))),
        st.tuples(st.just("t"), st.integers(0, (1 << 64) - 1).map(lambda v: struct.pack(">Q", v))),
        st.tuples(st.just("s"), st.text(max_size=12).map(lambda v: osc_string(v.encode("utf-8", "surrogatepass")))),
        st.tuples(st.just("b"), st.binary(max_size=12).map(lambda v: struct.pack(">i", len(v)) + osc_string(v)[:-1])),
        st.tuples(st.sampled_from("TFNI[]"), st.just(b"")),
        st.tuples(st.sampled_from("cmr"), st.binary(min_size=4, max_size=4)))
    odd = st.tuples(st.sampled_from("ifdhtsbcmrSTFNI[]xyz,\0"), st.binary(max_size=12))
    return st.one_of(formed, formed, formed, odd)


def messages() -> st.SearchStrategy[bytes]:
    """An OSC message: an address (the rig's, odd ones, any text or bytes), type tags, arguments."""
    address = st.one_of(st.sampled_from(ADDRESSES).map(str.encode), st.text(max_size=16).map(
        lambda v: ("/" + v).encode("utf-8", "surrogatepass")), st.binary(max_size=16))
    return st.tuples(address, st.lists(arguments(), max_size=4), st.booleans()).map(
        lambda m: osc_string(m[0]) + (osc_string(("," + "".join(t for t, _ in m[1])).encode()) if m[2] or m[1] else b"")
        + b"".join(data for _, data in m[1]))


def bundle(elements: list[tuple[bytes, int | None]], timetag: int) -> bytes:
    """A bundle of ``elements``, each with its true size or the size given."""
    body = b"".join(struct.pack(">i", len(e) if size is None else size) + e for e, size in elements)
    return b"#bundle\0" + struct.pack(">Q", timetag) + body


def datagrams() -> st.SearchStrategy[bytes]:
    """A datagram: a message; a bundle, nested (some hundreds deep), with sizes that lie; any bytes; cut short."""
    size = st.none() | st.none() | st.integers(-(1 << 31), (1 << 31) - 1)
    timetag = st.sampled_from([1, 0, (1 << 64) - 1]) | st.integers(0, (1 << 64) - 1)
    nested = st.recursive(messages(), lambda inner: st.tuples(st.lists(st.tuples(inner, size), max_size=3),
                                                              timetag).map(lambda b: bundle(*b)), max_leaves=6)
    deep = st.tuples(messages(), st.integers(1, 400)).map(lambda m: _deep(*m))
    cut = st.tuples(nested, st.integers(0, 64)).map(lambda c: c[0][:-c[1]] if c[1] else c[0])
    return st.one_of(messages(), messages(), nested, cut, deep, st.binary(max_size=64))


def _deep(message: bytes, depth: int) -> bytes:
    for _ in range(depth):
        message = bundle([(message, None)], 1)
    return message


def routes() -> st.SearchStrategy[list[OscRoute]]:
    """Some of the routes a rig may hold: patterns, wide and empty ranges, a range upside down."""
    route = st.sampled_from(ROUTES).map(lambda r: OscRoute(address=r[0], signal=r[1], range=r[2]))
    return st.lists(route, max_size=4, unique_by=lambda r: r.address)


def dispatch_check(case: tuple[list[OscRoute], list[str] | None, list[bytes]]) -> str:
    """Datagrams from an allowed sender, spaced so the gate lets them all through."""
    routes, names, dgrams = case
    receive, outcome = osc_receiver(routes, ["127.0.0.1"], 1000.0, names, SCENES), "none"
    for i, dgram in enumerate(dgrams):
        if check_events(receive(dgram, ("127.0.0.1", 9001), float(i))) == "events":
            outcome = "events"
    return outcome


def gate_check(case: tuple[list[str], float, int, list[tuple[tuple[str, int], float]]]) -> str:
    """Any sender at any time, against an allow list, after ``crowd`` others (to fill the gate's tables); the
    datagram is a fader's message."""
    allow, rate, crowd, sends = case
    receive, outcome = osc_receiver([], allow, rate), "refused"
    fader = osc_string(b"/fader/1") + osc_string(b",f") + struct.pack(">f", 0.5)
    others = [((f"10.0.{i // 256}.{i % 256}", 9000), i / 1000.0) for i in range(crowd)]
    for sender, t in others + sends:
        events = receive(fader, sender, t)
        if not isinstance(events, list):
            raise Crash(f"{events!r} is not a list of events")
        if check_events(events) == "events":
            outcome = "admitted"
    return outcome


def osc_targets() -> list[Target]:
    """The dispatcher's and the gate's targets."""
    address = st.one_of(st.sampled_from(SENDERS), st.text(max_size=40), st.ip_addresses().map(str))
    senders = st.tuples(address, st.sampled_from([9000, 0, 65535]) | st.integers(-1, 1 << 17))
    times = st.floats(allow_nan=False, allow_infinity=False) | st.floats(0, 10)
    gate: st.SearchStrategy[Any] = st.tuples(
        st.lists(st.sampled_from(ALLOW), max_size=3), st.floats(0.001, 100000),
        st.sampled_from([0, 0, 0, 255, 256, 300]), st.lists(st.tuples(senders, times), min_size=1, max_size=8))
    names = st.none() | st.lists(st.sampled_from(WANTED), max_size=4)
    dispatch = st.tuples(routes(), names, st.lists(datagrams(), min_size=1, max_size=4))
    return [Target("osc", dispatch, dispatch_check), Target("gate", gate, gate_check)]
