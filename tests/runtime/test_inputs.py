"""The conductor's inputs under a flood (issue 16): the cameras' private channel (a real AF_UNIX socket) and a
second local OSC app (real UDP on 127.0.0.1) get every message while another local app floods the OSC port with
20,000 messages a second; what the rig does not want never reaches the inbox (so it is never recorded); the inbox
is bounded, controls first; and what is wanted follows a scene reload."""

from __future__ import annotations

import dataclasses
import queue
import socket
import subprocess
import sys
import time
from pathlib import Path

from performer.config.loading import load_rig
from performer.runtime.inputs import INBOX_CONTROLS, Inputs, SceneFollower, wanted
from performer.show.clock import WallClock
from sensors.dgramsend import DatagramSender
from sensors.events import ControlEvent, CueEvent, Event
from sensors.oscout import osc_bundles, release
from tests.conftest import SCENES, wait_until, write_rig
from tests.sensors.test_oscshape import bundle, message

CAMERA = {"device": "0", "motion": True, "zones": [{"name": "door", "rect": [0, 0, 0.3, 1]}]}
FLOODER = """
import socket, sys, time
port, rate, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
dgrams = [bytes.fromhex(h) for h in sys.argv[4:]]
sock, start, sent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), time.monotonic(), 0
while (now := time.monotonic()) < start + seconds:
    for _ in range(int((now - start) * rate) - sent):
        sock.sendto(dgrams[sent % len(dgrams)], ("127.0.0.1", port))
        sent += 1
    time.sleep(0.001)
print(sent)
"""


def _inputs(tmp_path: Path, osc: str = "", **tables: object) -> tuple[Inputs, "queue.Queue[Event]"]:
    """The inputs of a rig with a motion camera and OSC on a free port, the camera channel in a private folder."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    rig = write_rig(tmp_path, f"[osc]\nport = 0\n{osc}\n", name="flood", scenes=[SCENES / "room.toml"],
                    model={"generator": "rules"}, cameras=[CAMERA], **tables)
    inbox: queue.Queue[Event] = queue.Queue()
    return Inputs(load_rig(rig), WallClock(), inbox, camera_channel=str(run / "camera.sock")), inbox


def _drain(inbox: "queue.Queue[Event]", seconds: float) -> list[Event]:
    """What the inbox gets for ``seconds``, taken as the conductor's loop takes it."""
    out, end = [], time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            out.append(inbox.get(timeout=min(left, 0.05)))
        except queue.Empty:
            pass
    return out


def test_the_camera_and_a_second_app_get_every_message_during_a_flood(tmp_path):
    inputs, inbox = _inputs(tmp_path, 'signals = ["touch/x", "phone/y"]')
    assert inputs.udp is not None and inputs.cameras is not None
    port = inputs.udp.port
    flood = [message("/touch/x", i / 10) for i in range(10)]  # wanted: each admitted one is an event
    flooder = subprocess.Popen([sys.executable, "-c", FLOODER, str(port), "20000", "3.0", *[d.hex() for d in flood]],
                               stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)  # the flood under way
        frame = {"audience/energy": 0.5, "audience/x": 0.25, "audience/zone/door": 1.0}
        with DatagramSender(inputs.cameras.path, name="camera") as camera, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as phone:
            got: list[Event] = []
            for i in range(60):  # 2 s: a camera at 30 frames a second, a phone at 30 messages a second
                for dgram in osc_bundles({**frame, "audience/y": i / 60}):
                    assert camera.send(dgram)
                phone.sendto(message("/phone/y", i / 60), ("127.0.0.1", port))
                got += _drain(inbox, 1 / 30)
            camera.send(release(["audience"]))
            got += _drain(inbox, 0.3)
        sent = int(flooder.communicate(timeout=10)[0])
    finally:
        flooder.kill()
        inputs.close()
    names = [e.name for e in got if isinstance(e, ControlEvent)]
    camera_y = [e.value for e in got if isinstance(e, ControlEvent) and e.name == "audience/y"]
    assert [round(y * 60) for y in camera_y] == list(range(60))  # every frame, in order (floats sent as float32)
    assert names.count("audience/zone/door") == 60
    assert names.count("phone/y") == 60  # every message of the second local app
    assert sent > 50000 and names.count("touch/x") <= 1000 * 3.5 + 256  # the flooder: its own rate, no more
    assert inputs.camera_limited == 0 and not inputs.dropped


def test_what_the_rig_does_not_want_never_reaches_the_inbox(tmp_path):
    inputs, inbox = _inputs(tmp_path, "rate_limit = 100000\ntotal_rate_limit = 100000")
    assert inputs.udp is not None
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for b in range(40):  # 4,000 names nothing maps, 100 to a bundle
                junk = bundle(*[message(f"/junk{b}/n{i}", 0.5) for i in range(100)])
                sock.sendto(junk, ("127.0.0.1", inputs.udp.port))
                time.sleep(0.002)
            sock.sendto(message("/audience/energy", 0.5), ("127.0.0.1", inputs.udp.port))  # Room maps it
            wait_until(lambda: inbox.qsize() == 1, 3.0, "the one wanted signal")
    finally:
        inputs.close()
    event = inbox.get_nowait()
    assert isinstance(event, ControlEvent) and (event.name, event.value) == ("audience/energy", 0.5)
    assert sum(inputs.osc.unwanted.values()) == 4000 and len(inputs.osc.unwanted) <= 65


def test_the_inbox_is_bounded_and_controls_give_way_first(tmp_path):
    inputs, inbox = _inputs(tmp_path)
    assert inputs.udp is not None and inputs.cameras is not None
    try:
        for _ in range(INBOX_CONTROLS):  # the conductor far behind
            inbox.put(CueEvent(0.0, "stand-in"))
        with DatagramSender(inputs.cameras.path) as camera, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(message("/audience/energy", 0.5), ("127.0.0.1", inputs.udp.port))  # dropped
            sock.sendto(message("/cue/next"), ("127.0.0.1", inputs.udp.port))  # a cue: taken
            camera.send(osc_bundles({"audience/x": 0.5})[0])  # the camera's: taken
            wait_until(lambda: inbox.qsize() == INBOX_CONTROLS + 2, 3.0, "the cue and the camera's signal")
            time.sleep(0.1)
    finally:
        inputs.close()
    assert inputs.dropped == {"ControlEvent": 1} and inbox.qsize() == INBOX_CONTROLS + 2


def test_what_is_wanted_follows_the_rig_and_a_reload(tmp_path):
    osc = ('signals = ["touch/x"]\n[[osc.routes]]\naddress = "/fader/1"\nsignal = "osc/fader/one"\n'
           '[[osc.routes]]\naddress = "/f/*"\nsignal = "osc/f/*"\n')
    inputs, inbox = _inputs(tmp_path, osc, midi={"learned": {"stage/filter": "cc/7"}})
    try:
        listened = wanted(inputs._loaded)
        room = {m.signal for m in inputs._loaded.scenes[0].mappings}
        assert room <= listened.signals and {"touch/x", "osc/fader/one", "stage/filter"} <= listened.signals
        assert {"audience/zone/door", "audience/presence", "audience/spread"} <= listened.signals  # the camera's
        assert not any(name.startswith(("osc/f/", "hand/")) for name in listened.signals)  # no pattern, no hands
        assert listened.scenes == ("Room",) and listened.release("audience")
        spec = inputs._loaded.scenes[0]
        mapping = spec.mappings[0].model_copy(update={"signal": "touch/new"})
        reloaded = dataclasses.replace(inputs._loaded, scenes=(spec.model_copy(update={
            "name": "Room 2", "mappings": [*spec.mappings, mapping]}),))

        class Conductor:
            loaded = reloaded

        assert not inputs.osc.dispatch(message("/touch/new", 0.5), 1.0)
        SceneFollower(Conductor(), inputs).look(1.0)
        assert inputs.osc.dispatch(message("/touch/new", 0.5), 1.0) == [ControlEvent(1.0, "touch/new", 0.5)]
        assert inputs.osc.dispatch(message("/scene", "Room 2"), 1.0) == [CueEvent(1.0, "Room 2")]
        assert inputs.camera_osc.wanted is inputs.osc.wanted
    finally:
        inputs.close()
