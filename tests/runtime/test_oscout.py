"""OSC out for visuals, received over real UDP on 127.0.0.1 with the documented addresses: the bus's signals each
frame, the scene when placed, each note in the frame it starts; a destination that cannot be sent to is one line
and the others still get every frame."""

from __future__ import annotations

import logging
import socket

from pythonosc.osc_packet import OscPacket

from performer.config.loading import load_rig
from performer.generate.factory import rule_factory
from performer.offline.render import CollectSink
from performer.runtime.oscout import OscOut
from performer.show.conductor import Conductor
from sensors.events import ControlEvent
from tests.conftest import SCENES, write_rig


def _receive(sock: socket.socket) -> list[tuple[str, list]]:
    out = []
    sock.settimeout(0.2)
    try:
        while True:
            out += [(m.message.address, list(m.message.params)) for m in OscPacket(sock.recv(65536)).messages]
    except socket.timeout:
        return out


def _play(tmp_path, to: list[str], seconds: float = 4.0) -> tuple[OscOut, CollectSink]:
    rig = write_rig(tmp_path, scenes=[SCENES / "dawn.toml"], osc={"out": {"to": to, "rate": 30}})
    loaded, sink = load_rig(rig), CollectSink()
    conductor = Conductor(loaded, sink, rule_factory, start=0.0)
    out = OscOut(loaded.rig.osc.out, conductor)
    conductor.ingest(ControlEvent(0.5, "midi/cc/1", 0.7))
    for step in range(int(seconds * 100)):
        conductor.advance_to(step / 100)
        out.look(step / 100)
    return out, sink


def test_visuals_get_signals_scenes_and_notes(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        out, sink = _play(tmp_path, [f"127.0.0.1:{sock.getsockname()[1]}"])
        messages = _receive(sock)
        out.close()
    assert ("/performer/scene", ["Dawn", 0]) in messages
    knob = [params[0] for address, params in messages if address == "/performer/signal/midi/cc/1"]
    assert len(knob) >= 90 and abs(knob[-1] - 0.7) < 1e-6  # 30 frames a second, from 0.5 s on
    notes = [tuple(params) for address, params in messages if address == "/performer/note"]
    started = [(n.voice, n.pitch, n.velocity) for n in sink.notes if n.start <= 3.99]
    assert notes and [n[:3] for n in notes] == started[:len(notes)] and len(notes) >= len(started) - 3


def test_a_destination_that_cannot_be_sent_to_is_one_line(tmp_path, caplog):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, caplog.at_level(logging.WARNING):
        sock.bind(("127.0.0.1", 0))
        # broadcast without SO_BROADCAST: the kernel refuses at once (EACCES), and nothing leaves the machine
        out, _ = _play(tmp_path, ["255.255.255.255:9000", f"127.0.0.1:{sock.getsockname()[1]}"], seconds=2.0)
        frames = sum(1 for address, _ in _receive(sock) if address == "/performer/scene")
        out.close()
    lines = [r.getMessage() for r in caplog.records if "OSC out" in r.getMessage()]
    assert len(lines) == 1 and "255.255.255.255:9000" in lines[0] and "the show goes on" in lines[0], lines
    assert frames == 1 and out.sent == out.failed >= 40  # every frame with something to say reached the other
