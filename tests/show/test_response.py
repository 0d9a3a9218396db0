"""How soon a control is heard: a voice fixes only its next onset early and chooses the note itself one lookahead
before it sounds, from the steering of that moment; a rest planned under a sparse setting is planned again when
the setting turns dense. Offline, through the conductor as it runs (live and offline give the same notes)."""

from __future__ import annotations

import pytest

from performer.config.loading import load_rig
from performer.config.rig import EngineConfig
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.offline.render import CollectSink, conduct
from sensors.events import ControlEvent
from synthesis.protocol import Note

SIGNAL = "test/control"
TEMPO = 120.0
BEAT = 60.0 / TEMPO
LOOKAHEAD = EngineConfig().lookahead_ms / 1000  # the rig's default, seconds
CONTROL_TICK = 0.01  # the conductor reads controls at 100 Hz


def _rig(tmp_path, generator: str, param: str, before: float, after: float, density: float):
    steering = {"density": density, "register": 52, "spread": 4, "velocity": 80, param: before}
    fields = ", ".join(f"{k} = {v:g}" for k, v in steering.items())
    (tmp_path / "scene.toml").write_text(
        f'name = "Jump"\ntempo = {TEMPO:g}\nkey = "C"\nscale = "chromatic"\n'
        f'[[voices]]\nname = "v"\ninstrument = "epiano"\nregister = [36, 96]\nsteering = {{ {fields} }}\n'
        f'[[mappings]]\nsignal = "{SIGNAL}"\nvoice = "v"\nparam = "{param}"\nrange = [{before:g}, {after:g}]\n'
        'default = 0.0\nsmoothing = { min_cutoff = 1000.0 }\n')
    rig = tmp_path / "rig.toml"
    rig.write_text(f'name = "t"\nscenes = ["scene.toml"]\n[model]\ngenerator = "{generator}"\n'
                   '[audio]\nbackend = "offline"\n')
    return load_rig(rig)


def _notes(loaded, jump_at: float, length: float) -> tuple[list[Note], float]:
    session = Session(events=[ControlEvent(jump_at, SIGNAL, 1.0)], header={"duration": length})
    notes, _, start = conduct(loaded, session, audio_settings(loaded.rig))
    return notes, start + jump_at


@pytest.mark.parametrize("generator", ["model", "rules"])
@pytest.mark.parametrize(("param", "before", "after", "obeys", "stays"), [
    ("register", 52, 76, lambda n: abs(n.pitch - 76) <= 8, lambda n: abs(n.pitch - 76) <= 12),
    ("velocity", 40, 110, lambda n: n.velocity >= 86, lambda n: n.velocity >= 86),
])
def test_a_jump_is_obeyed_by_the_first_note_whose_onset_allows_it(tmp_path, generator, param, before, after, obeys,
                                                                  stays):
    """The first note chosen after the jump is in the new register (or loudness); the next ones stay there, within
    the walk's own wander (its pitches spread 3.4 semitones around the register, measured over 60 notes)."""
    loaded = _rig(tmp_path, generator, param, before, after, density=0.5)  # a note every two beats: long gaps
    for k in range(6):  # jumps at several places between notes
        notes, t = _notes(loaded, 8.0 + 0.37 * k, 8.0 + 0.37 * k + 10.0)
        could = [n for n in notes if n.start >= t + LOOKAHEAD]  # the first note chosen after the jump
        assert could and obeys(could[0]), (k, t, could[:2])
        assert all(stays(n) for n in could[1:4]), (k, [(n.start, n.pitch, n.velocity) for n in could[:4]])


@pytest.mark.parametrize("generator", ["model", "rules"])
def test_a_register_leap_is_answered_on_the_next_sixteenth(tmp_path, generator):
    """A hand thrown to a new register during a long rest: the voice's next onset comes forward to the first
    sixteenth it can still take, and that note is in the new register."""
    loaded = _rig(tmp_path, generator, "register", 52, 76, density=0.25)  # a note every four beats (2 s)
    for k in range(5):
        notes, t = _notes(loaded, 8.0 + 0.41 * k, 8.0 + 0.41 * k + 4.0)
        first = next(n for n in notes if n.start >= t + LOOKAHEAD)  # the first note chosen after the leap
        assert first.start - t <= LOOKAHEAD + CONTROL_TICK + BEAT / 4 + 1e-6, (k, first.start - t)
        assert abs(first.pitch - 76) <= 8, (k, first.pitch)


@pytest.mark.parametrize("generator", ["model", "rules"])
def test_a_rest_planned_under_a_sparse_setting_ends_when_it_turns_dense(tmp_path, generator):
    loaded = _rig(tmp_path, generator, "density", 0.25, 4.0, density=0.25)  # a note every four beats, then 16ths
    for k in range(5):
        jump_at = 8.0 + 0.29 * k
        notes, t = _notes(loaded, jump_at, jump_at + 6.0)
        first = next(n for n in notes if n.start >= t)
        # Planned under the old setting, the next note would have waited up to four beats (2 s); re-planned, it
        # comes a lookahead after the jump, on the next sixteenths. A long note chosen under the sparse setting
        # does not hold it back: the voice's held note is cut there (a voice's polyphony stays a hard constraint).
        assert first.start - (t + LOOKAHEAD) <= 2 * BEAT / 4 + 1e-6, (k, first.start - t)
        dense = [n for n in notes if n.start >= t + 1.0]
        gaps = [b.start - a.start for a, b in zip(dense, dense[1:])]
        assert gaps and max(gaps) <= 3 * BEAT / 4 * 3 + 1e-6  # the new density holds


def test_replanning_is_bounded_when_steering_flickers_every_frame(tmp_path):
    # A noisy camera: the density flips between its extremes at 60 Hz for ten seconds.
    from performer.generate.factory import rig_factory
    from performer.show.conductor import Conductor
    from performer.show.scenerun import REPLAN_EVERY

    loaded = _rig(tmp_path, "rules", "density", 0.25, 4.0, density=0.25)
    sink = CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0)
    for i in range(600):
        conductor.ingest(ControlEvent(4.0 + i / 60.0, SIGNAL, float(i % 2)))
    conductor.advance_to(16.0)
    assert sink.notes  # it plays on
    # At most one re-plan per voice per REPLAN_EVERY: bounded by the time, not by the frames.
    assert 0 < conductor.replans <= 10.0 / REPLAN_EVERY + 1
