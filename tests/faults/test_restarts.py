"""Faults with real processes (performer/bench/faults.py drives them; `performer bench faults` reports the
recovery times): the conductor killed mid-show, and a recording on a full disk."""

from __future__ import annotations

import json

import pytest

from performer.bench.faults import conductor_killed, disk_full, engine_killed, midi_replugged
from performer.config.session import read_session


@pytest.mark.slow
def test_a_killed_conductor_resumes_the_show_and_appends_its_records(jack_server, tmp_path):
    result = conductor_killed(jack_server, tmp_path)
    output = result["output"]
    assert result["exit_code"] == 0, output
    assert "conductor exited unexpectedly (exit -9); restarting it" in output
    assert "resuming the show at scene 'Drift'" in output
    headers = [json.loads(line) for line in result["session"].read_text().splitlines() if "performer_session" in line]
    assert len(headers) == 2 and "segment" not in headers[0] and headers[1]["segment"] > 0, headers
    session = read_session(result["session"])
    cues = [e for e in session.events if getattr(e, "target", None) == "Drift"]
    assert len(cues) == 1 and cues[0].t < headers[1]["segment"]  # the first segment's cue is kept, before the second
    notes = [json.loads(line) for line in result["notes"].read_text().splitlines()]
    assert len(notes) == result["notes_after"] > result["notes_before"] > 0  # nothing of the first part lost
    after = notes[result["notes_before"]:]
    voices = {n["voice"] for n in after}  # Drift's kit and keys, not Dawn's pad: the show did not start over
    assert voices & {"kick", "snare", "hats", "keys"} and "pad" not in voices, voices
    print(f"conductor killed: music back after {result['recovery_s']} s")


@pytest.mark.slow
def test_a_full_disk_stops_the_recording_in_one_line_and_the_show_goes_on(jack_server, tmp_path):
    result = disk_full(jack_server, tmp_path)
    assert result["exit_code"] == 0, result["output"]
    assert len(result["lines_about_it"]) == 1, result["output"]
    assert "No space left on device" in result["lines_about_it"][0]
    assert result["notes_in_4_s_after"] > 4


@pytest.mark.slow
def test_a_killed_engine_is_replaced_and_the_conductor_carries_on(jack_server, tmp_path):
    result = engine_killed(jack_server, tmp_path)
    assert result["exit_code"] == 0, result["output"]
    assert "engine exited unexpectedly (exit -9); restarting it" in result["output"]
    assert result["same_conductor"], result["output"]
    print(f"engine killed: a new engine ready after {result['recovery_s']} s")


@pytest.mark.slow
def test_a_knob_box_pulled_out_is_heard_again_when_plugged_back(jack_server, tmp_path, monkeypatch):
    for key, value in jack_server.env.items():
        monkeypatch.setenv(key, value)
    result = midi_replugged(jack_server, tmp_path)
    assert result["exit_code"] == 0 and result["heard"], result["output"]
    assert "faults-knobs" in result["output"] and "went away" in result["output"]
    print(f"MIDI port back: heard again after {result['reconnect_s']} s")


@pytest.mark.slow
def test_a_killed_camera_releases_its_signals_and_comes_back(jack_server, tmp_path):
    from performer.bench.faults import PEOPLE, camera_killed
    from tests.conftest import require

    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    result = camera_killed(jack_server, tmp_path)
    assert result["exit_code"] == 0, result["output"]
    assert result["notes_meanwhile"] > 0  # the music went on
    assert result["released_s"] < result["recovery_s"], result  # released before it was back
    print(f"camera killed: released after {result['released_s']} s, back after {result['recovery_s']} s")
