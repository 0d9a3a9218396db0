"""`performer soak`: the gallery's show for hours of its own time, offline and fast, checked for what ends long
unattended runs. The checks are shown to catch a conductor that ignores a closing and a note that never ends."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from performer.cli import main
from performer.config.loading import load_rig
from performer.offline.soak import SoundingSink, soak
from performer.show.conductor import Conductor
from synthesis.protocol import Cut, Note
from tests.conftest import RIGS, SCENES, write_rig

CLOSING = datetime(2026, 11, 24, 16, 30)  # a Tuesday: the gallery rig closes at 18:00


def _gallery(tmp_path):
    text = (RIGS / "gallery.toml").read_text().replace('"../scenes/', f'"{SCENES}/').replace('root = ".."',
                                                                                             'root = "/"')
    (tmp_path / "gallery.toml").write_text(text + '\n[model]\ngenerator = "rules"\n')
    return load_rig(tmp_path / "gallery.toml")


@pytest.mark.slow
def test_a_soak_over_a_closing_is_clean(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    rig = _gallery(tmp_path).path
    assert main(["soak", str(rig), "--hours", "2.5", "--start", CLOSING.isoformat(), "--json",
                 str(tmp_path / "soak.json")]) == 0
    report = json.loads((tmp_path / "soak.json").read_text())
    assert report["notes"] > 1000 and report["closings_checked"] == 1 and report["open_minutes"] >= 80, report
    assert (report["stuck_notes"], report["exceptions"], report["schedule_errors"]) == (0, 0, 0), report
    assert report["rss_growth_mb"] < 20 and report["wall_seconds"] > 0
    assert any("gallery: closed at Tue 18:00" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_a_conductor_that_ignores_the_closing_is_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(Conductor, "stop", lambda self, t: None)  # the fault: closing does not stop the show
    report = soak(_gallery(tmp_path), 2.5, CLOSING)
    assert report.schedule_errors > 0 and report.stuck_notes > 0


def test_a_held_note_no_cut_ends_is_stuck_at_the_closing():
    sink = SoundingSink()
    sink.send(Note(10.0, 60.0, 60, 90, "pad", voice="pad"))
    sink.send(Note(10.0, 60.0, 64, 90, "pad", voice="pad"))
    sink.send(Note(11.0, 1.0, 72, 90, "epiano", voice="melody"))
    assert sink.sounding_at(30.0) == 2
    sink.cut(Cut("pad", 40.0))
    assert sink.sounding_at(39.0) == 2 and sink.sounding_at(41.0) == 0
    sink.send(Note(50.0, float("inf"), 60, 90, "pad", voice="pad"))
    assert sink.too_long == 1


def test_a_rig_without_hours_soaks_its_show(tmp_path):
    rig = write_rig(tmp_path, model={"generator": "rules"})
    report = soak(load_rig(rig), 0.25, CLOSING)
    assert report.notes > 100 and report.exceptions == 0 and report.schedule_errors == 0


def test_a_recorded_session_is_looped_through_the_soak(tmp_path):
    from performer.config.session import read_session

    rig = write_rig(tmp_path, model={"generator": "rules"}, scenes=[SCENES / "dawn.toml", SCENES / "drift.toml"])
    session = read_session(RIGS / "sessions" / "laptop-demo.jsonl")
    report = soak(load_rig(rig), 2 * session.duration / 3600, CLOSING, session=session)  # twice through
    assert len(session.events) < report.inputs <= 2 * len(session.events)  # through once, and again
    assert report.notes > 100 and report.exceptions == 0 and report.stuck_notes == 0
