"""Recordings are appended to, never truncated: a restarted conductor adds a segment, a torn last line is cut,
and a full disk stops the recording in one line (real files and /dev/full, whose writes fail as a full disk's)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from performer.config.session import read_session
from performer.runtime.recording import Appender, SessionWriter
from sensors.events import ControlEvent, CueEvent


def test_a_second_writer_appends_a_segment_that_replays_after_the_first(tmp_path, monkeypatch):
    path = tmp_path / "take.jsonl"
    clock = iter([1000.0, 1030.0])  # wall-clock starts: the second conductor started 30 s after the first
    monkeypatch.setattr("performer.runtime.recording.time.time", lambda: next(clock))
    first = SessionWriter(path, origin=5.0, rig="r")
    first.write(ControlEvent(7.0, "midi/cc/1", 0.25))
    first.write(CueEvent(12.0, "Drift"))
    first.close()
    second = SessionWriter(path, origin=100.0, rig="r")  # a new process, its own clock
    second.write(ControlEvent(101.0, "midi/cc/1", 0.75))
    second.close()
    headers = [json.loads(line) for line in path.read_text().splitlines() if "performer_session" in line]
    assert headers == [{"performer_session": 1, "started": 1000.0, "rig": "r"},
                       {"performer_session": 1, "segment": 30.0, "started": 1030.0, "rig": "r"}]
    events = read_session(path).events
    assert [(e.t, getattr(e, "value", None)) for e in events] == [(2.0, 0.25), (7.0, None), (31.0, 0.75)]


def test_a_torn_last_line_is_cut_before_the_next_segment(tmp_path, caplog):
    path = tmp_path / "take.jsonl"
    path.write_text('{"performer_session": 1}\n{"t": 1.0, "cue": "next"}\n{"t": 2.0, "sig')  # killed mid-write
    with caplog.at_level(logging.WARNING):
        SessionWriter(path, origin=0.0).close()
    assert "cut a torn last line of 15 bytes" in caplog.text
    session = read_session(path)
    assert [e.t for e in session.events] == [1.0]


def test_a_full_disk_stops_the_recording_in_one_line(caplog):
    out = Appender(Path("/dev/full"), "notes log")
    with caplog.at_level(logging.ERROR):
        for k in range(100):
            out.line({"k": k})
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "No space left on device" in errors[0] and "the show goes on" in errors[0]
    assert not out.open
