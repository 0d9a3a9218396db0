"""The conductor's status port over real UDP on 127.0.0.1, with a real (offline) conductor: a monitor's hello
brings frames of the show; cues and signal moves reach the bus only when the rig allows control; a flood of
requests is held to a budget without holding up the loop, and a monitor that goes away is simply dropped."""

from __future__ import annotations

import json
import socket

from performer.config.loading import load_rig
from performer.generate.factory import rule_factory
from performer.offline.render import CollectSink
from performer.runtime.statusport import HELLO_LAPSE, READS_PER_LOOK, REQUEST_RATE, StatusPort
from performer.show.conductor import Conductor
from performer.show.status import Frames, request_events
from sensors.events import ControlEvent, CueEvent, Event
from tests.conftest import SCENES, write_rig


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


def _port(tmp_path, control: bool) -> tuple[StatusPort, Conductor, list[Event], Clock]:
    rig = write_rig(tmp_path, scenes=[SCENES / "dawn.toml", SCENES / "drift.toml"])
    conductor = Conductor(load_rig(rig), CollectSink(), rule_factory, start=0.0)
    put: list[Event] = []
    clock = Clock()
    return StatusPort(Frames(conductor, control=control), 0, 15.0, put.append, clock.now), conductor, put, clock


def _run(port: StatusPort, conductor: Conductor, clock: Clock, until: float, put: list[Event]) -> None:
    while clock.t < until:
        clock.t += 0.01
        for event in put:
            conductor.ingest(event)
        put.clear()
        conductor.advance_to(clock.t)
        port.look(clock.t)


def _frames(sock: socket.socket) -> list[dict]:
    out = []
    sock.settimeout(0.05)
    try:
        while True:
            out.append(json.loads(sock.recv(65536)))
    except socket.timeout:
        return out


def _monitor(port: StatusPort) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", port.port))
    return sock


def test_a_hello_brings_frames_of_the_show(tmp_path):
    port, conductor, put, clock = _port(tmp_path, control=False)
    with _monitor(port) as sock:
        sock.send(b'{"hello": 1}')
        _run(port, conductor, clock, 2.0, put)
        frames = _frames(sock)
    assert 28 <= len(frames) <= 31  # 15 a second
    last = frames[-1]
    assert last["scenes"] == ["Dawn", "Drift"] and last["scene"] == 0 and last["next"] == 1
    assert last["tempo"] == 84.0 and last["bar"] >= 1 and not last["control"]
    signals = {s[0]: s for s in last["signals"]}
    assert signals["midi/cc/1"][3] == ["melody.register"]
    assert last["voices"] and all(len(n) == 4 for notes in last["voices"].values() for n in notes)
    assert last["model_ms"] is not None and last["model_ms"] > 0
    port.close()


def test_watch_only_refuses_cues(tmp_path):
    port, conductor, put, clock = _port(tmp_path, control=False)
    with _monitor(port) as sock:
        sock.send(b'{"cue": "go"}')
        _run(port, conductor, clock, 0.5, put)
    assert port.refused == 1 and conductor.scene_index == 0
    port.close()


def test_control_cues_and_moves_signals(tmp_path):
    port, conductor, put, clock = _port(tmp_path, control=True)
    with _monitor(port) as sock:
        sock.send(b'{"cue": "go"}')
        sock.send(b'{"set": "midi/cc/1", "value": 0.9}')
        _run(port, conductor, clock, 8.0, put)
    assert conductor.scene_index == 1
    assert conductor.bus.value("midi/cc/1", 0.0) == 0.9
    port.close()


def test_requests_mean_only_what_they_say():
    signals = ["midi/cc/1"]
    assert request_events({"cue": "back"}, 1.0, signals, 4) == [CueEvent(1.0, "prev")]
    assert request_events({"cue": 4}, 1.0, signals, 4) == [CueEvent(1.0, "#3")]
    assert request_events({"set": "midi/cc/1", "value": 1}, 1.0, signals, 4) == [ControlEvent(1.0, "midi/cc/1", 1.0)]
    for bad in ({"cue": 5}, {"cue": True}, {"cue": "dawn"}, {"set": "other/x", "value": 0.5},
                {"set": "midi/cc/1", "value": 1.5}, {"set": "midi/cc/1", "value": float("nan")}, [1], "go", None):
        assert request_events(bad, 1.0, signals, 4) == [], bad


def test_a_flood_is_held_to_its_budget_and_never_holds_the_loop(tmp_path):
    port, conductor, put, clock = _port(tmp_path, control=True)
    with _monitor(port) as sock:
        for _ in range(5000):  # more than the socket holds: the kernel drops the rest, not the conductor
            sock.send(b'{"set": "midi/cc/1", "value": 0.5}')
        clock.t += 0.01
        port.look(clock.t)
        assert port.requests == READS_PER_LOOK  # a look reads its share and leaves the rest waiting
        for _ in range(99):  # the rest of a second of looks, 10 ms apart in show time
            clock.t += 0.01
            port.look(clock.t)
    assert READS_PER_LOOK < port.requests < 5000
    assert len(put) <= REQUEST_RATE * 2  # the budget: a burst, then its rate
    assert port.refused == port.requests - len(put)
    port.close()


def test_a_monitor_that_goes_away_is_dropped(tmp_path):
    port, conductor, put, clock = _port(tmp_path, control=True)
    sock = _monitor(port)
    sock.send(b'{"hello": 1}')
    _run(port, conductor, clock, 0.5, put)
    sock.close()  # gone without a word: its frames now meet a closed port
    _run(port, conductor, clock, 0.5 + HELLO_LAPSE + 0.5, put)
    assert port.monitors == {}
    port.close()
