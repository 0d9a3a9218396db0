"""Keys in the monitor: what each does (pure), and a live rig on a real jackd cued from its terminal's keys
(a pipe here: a test has no terminal)."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from sensors.events import ControlEvent, CueEvent
from sensors.keys import PULSE, key_events
from tests.conftest import SCENES, wait_until, write_rig, written


def test_keys_cue_the_show_and_pulse_their_signal():
    assert key_events(" ", 1.0) == [CueEvent(1.0, "next"), ControlEvent(1.0, "key/space", 1.0),
                                    ControlEvent(1.0 + PULSE, "key/space", 0.0)]
    assert key_events("B", 2.0)[0] == CueEvent(2.0, "prev")
    assert key_events("3", 2.0)[0] == CueEvent(2.0, "#2")
    assert key_events("p", 2.0)[0] == CueEvent(2.0, "panic")
    assert key_events("x", 3.0) == [ControlEvent(3.0, "key/x", 1.0), ControlEvent(3.0 + PULSE, "key/x", 0.0)]
    assert key_events("\x1b", 3.0) == []  # escape sequences and the like do nothing


@pytest.mark.slow
def test_a_key_typed_in_the_monitor_moves_the_live_show_on(tmp_path, jack_server, performer_cmd):
    tag = uuid.uuid4().hex[:6]
    rig = write_rig(tmp_path, name="keys", scenes=[SCENES / "dawn.toml", SCENES / "drift.toml"], jack=f"keys-{tag}",
                    model={"generator": "rules"}, osc={"enabled": False})
    session, notes_log = tmp_path / "take.jsonl", tmp_path / "notes.jsonl"
    run = subprocess.Popen(performer_cmd + ["run", str(rig), "--record", str(session), "--notes-log", str(notes_log),
                                            "--duration", "9"],
                           env=jack_server.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    assert run.stdin is not None
    wait_until(lambda: written(notes_log), 30, "the first note: the conductor plays and reads its keys", process=run)
    run.stdin.write("g")
    run.stdin.flush()
    output, _ = run.communicate(timeout=30)
    assert run.returncode == 0, output
    records = [json.loads(line) for line in session.read_text().splitlines()[1:]]
    assert [r["cue"] for r in records if "cue" in r] == ["next"]
    assert any(r.get("signal") == "key/g" for r in records)
    assert "scene 'Drift'" in output, output
    drift_only = {"bass", "kick", "snare", "hats"}  # Drift's voices that Dawn has not
    assert drift_only & {json.loads(line)["voice"] for line in notes_log.read_text().splitlines()}, output
