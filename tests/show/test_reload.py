"""Rehearsal's hot reload: a scene file saved with an invalid edit is reported in one line and the last good
version plays on; a valid edit takes over at the next bar line. Offline on the conductor, then live on a real
jackd, where the music must not stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink
from performer.show.conductor import Conductor, Trace
from performer.show.reload import SceneReloader
from tests.conftest import SCENES, wait_until, write_rig, written

HIGH = ('register = [60, 86]', 'register = [84, 100]'), ('register = 69,', 'register = 92,')


def _rig(tmp: Path, jack: str | None = None, **tables: object) -> tuple[Path, Path]:
    """A rehearsal rig (reload on) playing a copy of Dawn, and the copy."""
    scene = tmp / "dawn.toml"
    scene.write_text((SCENES / "dawn.toml").read_text())
    rig = write_rig(tmp, "reload = true\n", name="rehearsal-test", scenes=["dawn.toml"], jack=jack,
                    model={"generator": "rules"}, **tables)
    return rig, scene


def _edit(path: Path, *swaps: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    stamp = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))  # a later save, whatever the filesystem's resolution


def test_an_invalid_edit_keeps_the_last_good_version_and_a_valid_one_takes_over_on_a_bar_line(tmp_path, caplog):
    rig, scene = _rig(tmp_path)
    loaded = load_rig(rig)
    trace, sink = Trace(), CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, trace=trace)
    reloader = SceneReloader(conductor)
    t = 0.0

    def run_to(end: float) -> None:
        nonlocal t
        while t < end:
            t += 0.05
            conductor.advance_to(t)
            reloader.look(t)

    run_to(6.0)
    _edit(scene, ('tempo = 84', 'tempo = "fast"'))
    with caplog.at_level("WARNING"):
        run_to(12.0)
    lines = [r.getMessage() for r in caplog.records if "dawn.toml" in r.getMessage()]
    assert len(lines) == 1 and "tempo" in lines[0] and "last good version plays on" in lines[0], lines
    assert reloader.rejected == 1 and len(trace.scenes) == 1
    assert [n for n in sink.notes if 7.0 < n.start < 12.0]  # the music went on
    _edit(scene, ('tempo = "fast"', 'tempo = 84'), *HIGH)
    edited = t
    run_to(24.0)
    assert reloader.reloads == 1 and len(trace.scenes) == 2
    bar = loaded.scenes[0].bar_seconds
    switch = trace.scenes[1][0]
    assert edited < switch <= edited + LOOK + 0.12 + bar and abs(switch / bar - round(switch / bar)) < 1e-6
    melody = [n for n in sink.notes if n.voice == "melody"]
    assert all(n.pitch <= 86 for n in melody if n.start < switch)
    assert [n.pitch for n in melody if n.start >= switch + bar] and all(
        n.pitch >= 84 for n in melody if n.start >= switch + bar)


LOOK = 0.5


def test_a_save_with_a_byte_that_is_not_utf8_is_one_line_and_the_music_plays_on(tmp_path, caplog):
    """A stray Latin-1 byte saved during rehearsal used to crash the conductor (and the restarted one)."""
    rig, scene = _rig(tmp_path)
    loaded = load_rig(rig)
    sink = CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, trace=Trace())
    reloader = SceneReloader(conductor)
    t = 0.0
    while t < 4.0:
        t += 0.05
        conductor.advance_to(t)
        reloader.look(t)
    stamp = scene.stat().st_mtime_ns
    scene.write_bytes(scene.read_bytes().replace(b"# Dawn", b"# Dawn \xe9", 1))
    os.utime(scene, ns=(stamp + 10**9, stamp + 10**9))
    with caplog.at_level("WARNING"):
        while t < 10.0:
            t += 0.05
            conductor.advance_to(t)
            reloader.look(t)
    lines = [r.getMessage() for r in caplog.records if "dawn.toml" in r.getMessage()]
    assert len(lines) == 1 and "expected UTF-8 text, found byte 0xe9" in lines[0], lines
    assert reloader.rejected == 1 and [n for n in sink.notes if 5.0 < n.start < 10.0]  # the music went on


@pytest.mark.slow
def test_a_live_rehearsal_rig_reloads_without_stopping(tmp_path, jack_server, performer_cmd):
    tag = uuid.uuid4().hex[:6]
    rig, scene = _rig(tmp_path, jack=f"reh-{tag}", osc={"enabled": False})
    notes_log, log = tmp_path / "notes.jsonl", tmp_path / "run.log"
    with log.open("w") as out:  # a file, not a pipe: the test reads it while the rig runs
        run = subprocess.Popen(performer_cmd + ["run", str(rig), "--notes-log", str(notes_log)], env=jack_server.env,
                               stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: written(notes_log), 30, "the first note", process=run)
        time.sleep(3.0)  # the music plays a while before the edits
        _edit(scene, ('tempo = 84', 'tempo = "fast"'))
        wait_until(lambda: "dawn.toml: tempo" in log.read_text(), 10, "the invalid edit reported", process=run)
        _edit(scene, ('tempo = "fast"', 'tempo = 84'), *HIGH)
        edited = time.monotonic()
        time.sleep(6.0)  # the new version takes over at a bar line, and plays
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=20)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    output = log.read_text()
    assert run.returncode == 0, output
    assert output.count("dawn.toml: tempo") == 1 and "last good version plays on" in output, output
    assert "reloaded" in output and "restarting" not in output, output
    notes = [json.loads(line) for line in notes_log.read_text().splitlines()]
    starts = sorted(n["clock"] for n in notes)
    assert max(b - a for a, b in zip(starts, starts[1:])) < 2.0  # the music never stopped
    late = [n["pitch"] for n in notes if n["voice"] == "melody" and n["clock"] > edited + 4.0]
    assert late and min(late) >= 84, late
