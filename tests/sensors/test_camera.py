"""The camera process on real footage: vtest.avi (opencv-doc), cut to a short 320x240 file that the process reads
as its camera through cv2.VideoCapture, sending OSC bundles over real UDP on 127.0.0.1. The file's end is a lost
camera: its signals are released (the conductor glides them to the scenes' defaults), the loss is logged once,
and the camera is reopened (the clip plays again)."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import time

import cv2
import pytest

from performer.bench.testvideo import PEOPLE, read_video, write_video
from performer.config.loading import load_rig
from performer.config.session import read_session
from performer.config.settings import audio_settings
from performer.offline.render import conduct
from performer.runtime.commands import camera_argv
from performer.runtime.handshake import Ready, ReadyPipe
from sensors.camerasettings import CameraSettings, Zone
from sensors.events import ControlEvent, ReleaseEvent
from sensors.localchannel import LocalReceiver
from sensors.osc import OscDispatcher
from tests.conftest import SCENES, require, wait_until, write_rig


def _listen(seconds: float, sock: socket.socket) -> list[tuple[float, dict[str, float]]]:
    """(arrival time, signals) per bundle received; a release of PREFIX shows as {"release:PREFIX": 1}."""
    dispatcher, out, end = OscDispatcher(), [], time.monotonic() + seconds
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            dgram = sock.recv(65536)
        except socket.timeout:
            break
        events = dispatcher.dispatch(dgram, time.monotonic())
        signals = {e.name: e.value for e in events if isinstance(e, ControlEvent)}
        signals.update({f"release:{e.prefix}": 1.0 for e in events if isinstance(e, ReleaseEvent)})
        out.append((time.monotonic(), signals))
    return out


def _camera(settings: CameraSettings) -> subprocess.Popen:
    """A camera process as the supervisor starts one: its settings as one JSON argument, and the handshake."""
    pipe = ReadyPipe()
    proc = subprocess.Popen(camera_argv(settings), env=pipe.env(), pass_fds=pipe.pass_fds,
                            stderr=subprocess.PIPE, text=True)
    assert isinstance(pipe.wait(proc, 20.0), Ready)
    return proc


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    return err


def test_motion_signals_flow_and_a_lost_camera_is_released_and_comes_back(tmp_path):
    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    clip = [cv2.resize(f, (320, 240)) for f in read_video(PEOPLE, limit=60)]
    video = write_video(clip, tmp_path / "room.avi", 60.0)  # a second long: a file plays at its own rate
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        proc = _camera(CameraSettings(str(video), motion=True, zones=(Zone("left", 0, 0, 0.5, 1),),
                                     send=sock.getsockname()[1]))
        try:
            bundles = _listen(2.6, sock)
        finally:
            err = _stop(proc)
    energy = [s.get("audience/energy") for _, s in bundles]
    assert max(e for e in energy if e is not None) > 0.1 and "audience/zone/left" in bundles[5][1]
    releases = [i for i, (_, s) in enumerate(bundles) if "release:audience" in s]
    assert releases and releases[0] > 10  # released once the clip ended, not before
    assert any("audience/energy" in s for _, s in bundles[releases[0] + 1:])  # reopened: the clip plays again
    losses, opens = err.count("lost"), err.count(": open")
    assert losses == len(releases) and opens >= 1 and losses <= opens + 1, err  # each loss logged once


def test_the_camera_sends_over_the_private_channel(tmp_path):
    """As the supervisor starts it: its bundles go to the conductor's AF_UNIX socket in the run's 0700 folder, out
    of reach of any OSC sender."""
    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    video = write_video([cv2.resize(f, (320, 240)) for f in read_video(PEOPLE, limit=30)], tmp_path / "room.avi", 30.0)
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    received: list[bytes] = []
    channel = LocalReceiver(str(run / "camera.sock"), lambda dgram, sender: received.append(dgram)).start()
    try:
        proc = _camera(CameraSettings(str(video), motion=True, channel=channel.path, send=1))  # port 1: unused
        try:
            wait_until(lambda: len(received) > 20, 10.0, "20 frames over the channel", proc)
        finally:
            _stop(proc)
    finally:
        channel.close()
    dispatcher = OscDispatcher()
    names = {e.name for dgram in received for e in dispatcher.dispatch(dgram, 0.0) if isinstance(e, ControlEvent)}
    assert {"audience/energy", "audience/presence"} <= names and dispatcher.malformed == 0


def test_a_missing_camera_is_one_line_and_nothing_is_sent(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        proc = _camera(CameraSettings("no-such-camera", motion=True, send=sock.getsockname()[1]))
        try:
            bundles = _listen(2.5, sock)  # two reopen attempts
        finally:
            err = _stop(proc)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "no-such-camera" in lines[0] and "going on without it" in lines[0], err
    assert bundles == []


@pytest.mark.slow
def test_a_rig_with_a_camera_records_its_signals(tmp_path, jack_server, performer_cmd):
    """`performer run` starts the camera process beside the engine and conductor; its signals reach the bus and
    the session log over the conductor's private camera channel (a real AF_UNIX socket), with the rig's OSC port
    closed (real jackd)."""
    import json

    from performer.runtime.supervisor import free_port

    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    video = write_video([cv2.resize(f, (320, 240)) for f in read_video(PEOPLE, limit=60)], tmp_path / "room.avi", 10.0)
    door = {"name": "door", "rect": [0, 0, 0.3, 1]}
    rig = write_rig(tmp_path, name="room", scenes=[SCENES / "room.toml"], jack=f"room-{free_port()}",
                    model={"generator": "rules"}, osc={"enabled": False},
                    cameras=[{"device": str(video), "motion": True, "zones": [door]}])
    session = tmp_path / "take.jsonl"
    result = subprocess.run(performer_cmd + ["run", str(rig), "--duration", "8", "--record", str(session)],
                            env=jack_server.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in session.read_text().splitlines()[1:]]
    energy = [r["value"] for r in records if r.get("signal") == "audience/energy"]
    assert len(energy) > 20 and max(energy) > 0.1
    assert any(r.get("signal") == "audience/zone/door" for r in records)
    times = [r["t"] for r in records if r.get("signal") == "audience/energy"]
    assert times[-1] - times[0] > 4.0  # the 6 s clip plays in real time, as a camera delivers frames
    # replay: the same log and seed give the same notes, and the camera's signals are what shape them
    loaded = load_rig(rig)
    take = read_session(session)
    notes = conduct(loaded, take, audio_settings(loaded.rig))[0]
    assert len(notes) > 5 and notes == conduct(load_rig(rig), read_session(session), audio_settings(loaded.rig))[0]
    crowd = dataclasses.replace(take, events=[dataclasses.replace(e, value=1.0) if getattr(e, "name", "") ==
                                              "audience/energy" else e for e in take.events])
    assert conduct(loaded, crowd, audio_settings(loaded.rig))[0] != notes
