"""After a run: a session folder's notes.mid and summary.png from its files, written here as a run with a
restarted conductor and a restarted engine would have written them (real files, the real after-show command)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import matplotlib.image
import mido
import pytest

from performer.bench.analysis import read_midi_markers, read_midi_notes
from performer.offline.aftershow import CURVE_POINTS, Curve, read_show

ORIGIN = 1000.0  # the first conductor's start on the shared clock; the second started 30 s later


def _lines(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _note(clock: float, t: float, pitch: int, voice: str, channel: int = 1) -> dict:
    return {"t": t, "clock": clock, "duration": 0.5, "pitch": pitch, "velocity": 90, "voice": voice,
            "instrument": "epiano", "channel": channel}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two segments: the conductor died after 20 s and its successor started 30 s into the show."""
    _lines(tmp_path / "session.jsonl", [
        {"performer_session": 1, "started": 5e8, "rig": "stage", "clock": ORIGIN},
        {"t": 1.0, "signal": "osc/x", "value": 0.2}, {"t": 2.0, "midi": [144, 60, 100]},
        {"performer_session": 1, "segment": 30.0, "started": 5e8 + 30, "rig": "stage", "clock": ORIGIN + 30},
        {"t": 1.0, "signal": "osc/x", "value": 0.9}, {"t": 10.0, "end": True}])
    (tmp_path / "notes.jsonl").write_text(
        "".join(json.dumps(n) + "\n" for n in [
            _note(ORIGIN + 1, 1.0, 60, "lead"), _note(ORIGIN + 2, 2.0, 62, "player", channel=3),
            _note(ORIGIN + 31, 1.0, 64, "lead"), _note(ORIGIN + 32, 2.0, 40, "bass", channel=2)])
        + '{"t": 3.0, "clock": 1033.0, "pit')  # the second conductor killed mid-line
    _lines(tmp_path / "scenes.jsonl", [{"t": 0.0, "clock": ORIGIN, "scene": "Dawn", "tempo": 100.0, "link": False},
                                       {"t": 4.0, "clock": ORIGIN + 34, "scene": "Drift", "tempo": 90.0,
                                        "link": False}])
    health = [(None, ORIGIN - 2, 0, 5), (1.0, ORIGIN + 1, 0, 5), (2.0, ORIGIN + 2, 1, 7), (3.0, ORIGIN + 33, 1, 1)]
    _lines(tmp_path / "health.jsonl", [{"t": t, "clock": c, "late": late, "xruns": x, "cpu": 20, "voices": 2,
                                        "dropped": 0, "conductor_late": 0} for t, c, late, x in health])
    return tmp_path


def test_a_folder_reads_on_the_clock_every_process_shares(folder: Path):
    show = read_show(folder)
    assert [(n.start, n.pitch, n.voice) for n in show.notes] == [(1.0, 60, "lead"), (2.0, 62, "player"),
                                                                  (31.0, 64, "lead"), (32.0, 40, "bass")]
    assert show.curves == {"osc/x": [(1.0, 0.2), (31.0, 0.9)]} and show.end == 40.0
    assert show.scenes == [(0.0, "Dawn"), (34.0, "Drift")] and show.tempi == [(0.0, 100.0), (34.0, 90.0)]
    # xruns from 5 (before the show: not the show's) to 7, then a new engine counting from 0 to 1
    assert show.health.xruns == [(2.0, 2), (33.0, 1)] and show.health.late == [(2.0, 1)]


def test_the_after_show_writes_notes_mid_and_the_summary(folder: Path, performer_cmd: list[str]):
    result = subprocess.run(performer_cmd[:1] + ["-m", "performer.offline.aftershow", str(folder)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"performer: {folder}: 4 notes, 1 late, 3 xruns; notes.mid, summary.png"
    midi = mido.MidiFile(folder / "notes.mid")
    assert [t.name for t in midi.tracks] == ["performer", "bass", "lead", "player"]
    notes = sorted(read_midi_notes(folder / "notes.mid"), key=lambda n: n.start)
    assert [(round(n.start, 3), n.pitch, n.channel, n.track) for n in notes] == [
        (1.0, 60, 0, "lead"), (2.0, 62, 2, "player"), (31.0, 64, 0, "lead"), (32.0, 40, 1, "bass")]
    assert [(round(t, 3), name) for t, name in read_midi_markers(folder / "notes.mid")] == [(0.0, "Dawn"),
                                                                                         (34.0, "Drift")]
    image = matplotlib.image.imread(folder / "summary.png")
    assert image.shape[0] > 600 and image[..., :3].std() > 0.05


def test_a_folder_it_cannot_finish_is_one_line(tmp_path: Path, performer_cmd: list[str]):
    (tmp_path / "notes.mid").mkdir()  # where the MIDI file would go
    result = subprocess.run(performer_cmd[:1] + ["-m", "performer.offline.aftershow", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no summary" in result.stderr, result.stderr


def test_a_long_curve_is_thinned_as_it_is_read():
    curve = Curve()
    for k in range(200_000):  # a camera signal at 30 frames a second for nearly two hours
        curve.add(k / 30, (k % 90) / 90)
    assert CURVE_POINTS <= len(curve.points) <= 2 * CURVE_POINTS
    assert curve.points[0] == (0.0, 0.0) and curve.points[-1][0] > 6600
