"""Session folders on a real disk (a test's tmp folder): dated names that stay unique, pruning by age and then by
size that removes only folders of ours and never the current or a busy one, the rig's [sessions] and the run's
flags, a folder's budget, and the end line that lets a replay run as long as the run did."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.config.session import read_session
from performer.config.sessionfolder import folder_name, replay_files, started
from performer.errors import ConfigError
from performer.runtime.recording import Appender, Budget, SessionWriter
from performer.runtime.sessions import SessionFolders, new_folder, prune, runs_in
from sensors.events import ControlEvent
from tests.conftest import SCENES, write_rig

NOW = datetime(2026, 11, 26, 15, 4, 5)
MB = 1 << 20


def _run(base: Path, when: datetime, mb: float = 0.1, name: str = "rig", written: float | None = None) -> Path:
    """A run's folder started at ``when``, holding ``mb`` of session, last written ``written`` (default: then)."""
    folder = base / folder_name(name, when)
    folder.mkdir(parents=True)
    (folder / "session.jsonl").write_bytes(b"x" * int(mb * MB))
    stamp = written if written is not None else when.timestamp()
    os.utime(folder / "session.jsonl", (stamp, stamp))
    return folder


def test_folder_names_are_dated_and_unique_within_a_second(tmp_path):
    first, second = new_folder(tmp_path, "laptop", NOW), new_folder(tmp_path, "laptop", NOW)
    assert (first.name, second.name) == ("2026-11-26T15-04-05-laptop", "2026-11-26T15-04-05-laptop-2")
    assert folder_name("Main stage / left!", NOW) == "2026-11-26T15-04-05-Main-stage-left"
    assert started(second.name) == NOW and started("notes") is None and started("2026-13-40T99-00-00-x") is None


def test_old_folders_go_first_then_the_oldest_until_under_max_mb(tmp_path):
    old = _run(tmp_path, NOW - timedelta(days=20))
    a, b, c = (_run(tmp_path, NOW - timedelta(days=d), mb=1.0) for d in (3, 2, 1))
    removed = prune(tmp_path, keep_days=14, max_mb=2.5, current=None, now=NOW)
    assert removed == [old, a]  # 20 days old; then 3.0 MB is over 2.5, so the oldest goes
    assert [f.path for f in runs_in(tmp_path)] == [b, c]


def test_the_current_and_a_busy_folder_are_never_removed(tmp_path):
    current = _run(tmp_path, NOW - timedelta(days=30), mb=2.0)
    busy = _run(tmp_path, NOW - timedelta(days=30), mb=2.0, name="other", written=NOW.timestamp() - 5)
    assert prune(tmp_path, keep_days=1, max_mb=1, current=current, now=NOW) == []
    assert current.exists() and busy.exists()


def test_only_folders_of_ours_are_ever_removed(tmp_path):
    theirs = tmp_path / "2020-01-01T00-00-00-rig"  # named like ours, but no session.jsonl in it
    (theirs / "photos").mkdir(parents=True)
    (tmp_path / "2020-01-02T00-00-00-rig").write_text("a file, not a folder")
    elsewhere = _run(tmp_path / "elsewhere", NOW - timedelta(days=400))
    (tmp_path / "2020-01-03T00-00-00-rig").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "notes").mkdir()
    ours = _run(tmp_path, NOW - timedelta(days=400))
    assert prune(tmp_path, keep_days=1, max_mb=1, current=None, now=NOW) == [ours]
    assert theirs.exists() and elsewhere.exists() and (tmp_path / "2020-01-03T00-00-00-rig").is_symlink()


def _args(**flags) -> argparse.Namespace:
    return argparse.Namespace(**{"session_dir": None, "no_session": False, **flags})


def test_the_rig_says_where_and_the_flags_override_it(tmp_path):
    rig = load_rig(write_rig(tmp_path, sessions={"folder": "runs", "keep_days": 2, "max_mb": 10}))
    clock = lambda: NOW  # noqa: E731
    folder = SessionFolders(rig, _args(), clock).begin()
    assert folder == tmp_path / "runs" / "2026-11-26T15-04-05-t"
    assert SessionFolders(rig, _args(session_dir=str(tmp_path / "x")), clock).begin() == \
        tmp_path / "x" / "2026-11-26T15-04-05-t"
    assert SessionFolders(rig, _args(no_session=True), clock).begin() is None
    off = load_rig(write_rig(tmp_path, sessions={"enabled": False}))
    assert SessionFolders(off, _args(), clock).begin() is None


def test_a_sessions_folder_outside_the_rigs_root_is_refused(tmp_path):
    shutil.copy(SCENES / "dawn.toml", tmp_path / "dawn.toml")
    with pytest.raises(ConfigError) as err:
        load_rig(write_rig(tmp_path, scenes=["dawn.toml"], sessions={"folder": "../elsewhere"}))
    assert "sessions.folder" in str(err.value) and "inside the rig's root" in str(err.value)


def test_a_folder_over_its_budget_stops_recording_in_one_line(tmp_path, caplog):
    budget = Budget(tmp_path, limit=1000)
    notes, health = Appender(tmp_path / "notes.jsonl", "notes log", budget), Appender(tmp_path / "h.jsonl", "h",
                                                                                         budget)
    with caplog.at_level(logging.ERROR):
        for k in range(100):
            notes.line({"k": k, "pad": "x" * 20})
            health.line({"k": k})
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "max_mb" in errors[0] and "the show goes on" in errors[0], errors
    assert not notes.open and not health.open
    assert (tmp_path / "notes.jsonl").stat().st_size + (tmp_path / "h.jsonl").stat().st_size <= 1000


def test_the_end_line_makes_a_replay_last_as_long_as_the_run(tmp_path):
    writer = SessionWriter(tmp_path / "session.jsonl", origin=100.0, clock=100.0)
    writer.write(ControlEvent(101.5, "osc/x", 0.5))
    writer.close(at=130.25)
    session = read_session(tmp_path / "session.jsonl")
    assert session.duration == 30.25 and session.end == 30.25 and len(session.events) == 1
    (tmp_path / "bad.jsonl").write_text('{"performer_session": 1}\n{"t": 3, "end": "yes"}\n')
    with pytest.raises(ConfigError, match="bad.jsonl:2"):
        read_session(tmp_path / "bad.jsonl")


def test_a_replay_reads_a_folder_or_its_session_and_the_link_log_beside_it(tmp_path):
    folder = _run(tmp_path, NOW)
    assert replay_files(folder) == (folder / "session.jsonl", None)
    (folder / "link.jsonl").write_text("")
    assert replay_files(folder / "session.jsonl") == (folder / "session.jsonl", folder / "link.jsonl")
    (tmp_path / "take.jsonl").write_text("")
    assert replay_files(tmp_path / "take.jsonl") == (tmp_path / "take.jsonl", None)


def test_pruning_waits_ten_minutes_between_looks(tmp_path, monkeypatch):
    rig = load_rig(write_rig(tmp_path, sessions={"keep_days": 1}))
    folders = SessionFolders(rig, _args(), lambda: NOW)
    folders.begin()
    old = _run(tmp_path / "sessions", NOW - timedelta(days=5))
    folders.look()
    assert old.exists()  # just pruned at the start
    later = time.monotonic() + 601
    monkeypatch.setattr("performer.runtime.sessions.time.monotonic", lambda: later)
    folders.look()
    assert not old.exists()


def test_a_run_that_never_began_leaves_no_folder(tmp_path):
    rig = load_rig(write_rig(tmp_path))
    folders = SessionFolders(rig, _args(), lambda: NOW)
    folder = folders.begin()
    assert folder is not None and folder.is_dir()
    (folder / "health.jsonl").write_text("{}\n")  # the conductor died loading: no session.jsonl
    folders.finish()
    assert not folder.exists() and (tmp_path / "sessions").is_dir()
