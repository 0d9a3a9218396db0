"""Offline renders checked by analysis: every note of notes.mid is found in audio.wav at its time, a pitched note
at its pitch and a drum hit in its kit piece's band."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from performer.bench.analysis import (
    MidiNote,
    band_peak,
    cents,
    hz,
    isolated_onsets,
    read_midi_markers,
    read_midi_notes,
    rms_dbfs,
    spectrum,
)
from performer.config.loading import load_rig
from performer.config.session import read_session
from performer.config.settings import audio_settings
from performer.offline.midifile import write_midi
from performer.offline.render import conduct, render_audio
from synthesis.catalog import INSTRUMENTS, PARAMS, default_release
from synthesis.instruments.drums import HAT, KICK, OPEN_HAT, SNARE, DrumVoice, sound_of
from synthesis.master import DELAY_FEEDBACK, DELAY_TIME
from synthesis.offline import render_notes
from synthesis.protocol import Note
from synthesis.settings import AudioSettings
from tests.conftest import RIGS, ROOT


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, performer_cmd: list[str]) -> Path:
    """The done-when command: render the laptop rig's demo session through the CLI."""
    out = tmp_path_factory.mktemp("demo")
    result = subprocess.run(performer_cmd + ["render", str(RIGS / "laptop.toml"), "--replay",
                                             str(RIGS / "sessions/laptop-demo.jsonl"), "--out", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


def test_demo_render_is_loud_enough_and_limited(demo: Path) -> None:
    audio, sr = sf.read(demo / "audio.wav")
    assert sr == 48000 and audio.shape[1] == 2
    assert rms_dbfs(audio) > -40.0
    assert np.abs(audio).max() <= 10 ** (-1.0 / 20) + 1e-4  # the rig's -1 dBFS ceiling
    assert np.isfinite(audio).all()


ECHO_FLOOR = 0.01  # echoes below 1 % (-40 dB) of their note cannot hide a 3x rise of a note of similar level
HARMONICS = (1, 2, 3, 4)  # the partials of a note that can cover another's fundamental
PARTIALS = {"bass": (0.5, *HARMONICS)}  # the bass has a sub-octave sine (synthesis/instruments/bass.py)


@dataclass(frozen=True)
class Voiced:
    """A note of notes.mid with the instrument that played it."""

    note: MidiNote
    instrument: str


def voiced_notes(demo: Path) -> list[Voiced]:
    """notes.mid's notes, each with its instrument: the scene is the last marker at or before the note, the voice
    is its track. The tail model below uses the catalog's release and delay send, so no demo scene may map them."""
    scenes = {s.name: s for s in load_rig(RIGS / "laptop.toml").scenes}
    for scene in scenes.values():
        moved = [str(m.param) for m in scene.mappings if str(m.param) in ("release", "delay")]
        assert not moved, f"{scene.name} maps {moved}: the render's tails would no longer be the catalog's"
    markers = read_midi_markers(demo / "notes.mid")
    out = []
    for note in read_midi_notes(demo / "notes.mid"):
        scene = scenes[[name for t, name in markers if t <= note.start + 1e-6][-1]]
        out.append(Voiced(note, next(v.instrument for v in scene.voices if v.name == note.track)))
    return out


def sounding_spans(note: MidiNote, instrument: str) -> list[tuple[float, float]]:
    """When a note puts energy at its pitch: until its end plus its instrument's release, and again at each echo
    of the shared delay if its instrument sends to it (every DELAY_TIME, each DELAY_FEEDBACK quieter, each as long
    as the note plus its release) while an echo stays above ECHO_FLOOR of the note."""
    release = default_release(instrument)
    spans = [(note.start, note.end + release)]
    level, k = PARAMS[instrument]["delay"][0], 1
    while level >= ECHO_FLOOR:
        spans.append((note.start + k * DELAY_TIME, note.end + release + k * DELAY_TIME))
        level, k = level * DELAY_FEEDBACK, k + 1
    return spans


def sounding(others: list[Voiced], t0: float, t1: float, pitch: int) -> bool:
    """Whether another note puts a partial (its 1st to 4th harmonic, a bass's sub-octave) near ``pitch`` between
    t0 and t1: held, releasing or echoing. Near: within a semitone, or within reach of the half-semitone band
    measured, a Hann window's main lobe (2 / (t1 - t0) Hz) either side, wider than a semitone for a low note."""
    f0 = hz(pitch)
    reach = max(f0 * (2 ** (1 / 12) - 1), f0 * (2 ** (0.5 / 12) - 1) + 2.0 / (t1 - t0))
    return any(any(abs(k * hz(v.note.pitch) - f0) <= reach for k in PARTIALS.get(v.instrument, HARMONICS))
               and any(a < t1 and b > t0 for a, b in sounding_spans(v.note, v.instrument)) for v in others)


@pytest.fixture(scope="module")
def own_sound(demo: Path) -> dict[str, np.ndarray]:
    """Each voice as audio.wav holds it: the mix minus the same show rendered without that voice's notes.
    The engine is deterministic and the mix linear up to the limiter, so the other voices and the drums cancel,
    whatever falls together with a note; only the limiter's gain riding on them is left."""
    mix = sf.read(demo / "audio.wav")[0].mean(axis=1)
    loaded, session = load_rig(RIGS / "laptop.toml"), read_session(RIGS / "sessions/laptop-demo.jsonl")
    settings = audio_settings(loaded.rig)
    notes, trace, start = conduct(loaded, session, settings)
    tracks = {v.note.track for v in voiced_notes(demo)}
    out = {}
    for track in sorted(tracks):
        rest = demo / f"without-{track}.wav"
        render_audio([n for n in notes if n.voice != track], trace, start + session.duration, settings, rest)
        others = sf.read(rest)[0].mean(axis=1)  # it ends sooner if the track played the show's last notes
        assert len(others) <= len(mix)
        out[track] = mix - np.pad(others, (0, len(mix) - len(others)))
    return out


def test_demo_notes_appear_in_audio_at_their_times(demo: Path, own_sound: dict[str, np.ndarray]) -> None:
    """Every pitched note's fundamental is in the audio at its time, measured in its own voice's part of the mix;
    drum notes are checked by their kit piece's band below."""
    sr = sf.info(str(demo / "audio.wav")).samplerate
    pitched = [v for v in voiced_notes(demo) if v.instrument != "drums"]
    assert len(pitched) > 200
    checked = resolved = 0
    for v in pitched:
        note, mono = v.note, own_sound[v.note.track]
        span = min(max(note.end - note.start, 0.1), 0.3)
        others = [o for o in pitched if o is not v and o.note.track == note.track]
        if any(0 < abs(o.note.pitch - note.pitch) <= 2 and any(a < note.start + span and b > note.start
                                                                for a, b in sounding_spans(o.note, o.instrument))
               for o in others):
            continue  # its own voice sounds a second away (a chord, or the last one's release): 0.3 s cannot tell
            # a tone from its neighbour
        resolved += 1
        f0 = hz(note.pitch)
        freqs, after = spectrum(mono, sr, note.start, note.start + span)
        peak_f, peak = band_peak(freqs, after, f0, 0.5)
        floor = float(np.median(after[(freqs > 30) & (freqs < 5000)]))
        assert abs(cents(peak_f, f0)) < 35, (v, peak_f)  # the note's fundamental is where notes.mid says
        assert peak > 30 * floor, (v, peak / floor)  # and it stands well out of its voice's spectrum
        if not sounding(others, note.start - span, note.start, note.pitch):
            _, before = spectrum(mono, sr, note.start - span, note.start)
            _, was = band_peak(freqs, before, f0, 0.5)
            assert peak > 3 * was, v  # the fundamental appears at the note's onset, not before
            checked += 1
    # The rise can only be seen where the voice's pitch was silent just before: the model repeats pitches, and
    # releases and delay echoes keep notes sounding. Against a vacuous check, a floor on the notes checked.
    assert resolved >= 2 * len(pitched) // 3, (resolved, len(pitched))  # most notes stand clear of a second
    assert checked >= len(pitched) // 4, (checked, len(pitched))


# Where each kit piece's sound lies, and the onset window it is measured over: the kick's body as its sweep settles
# (60 -> 45 Hz, strongest in its first 0.1 s), the snare's 185 Hz drum, and the hats' high-passed noise, where
# nothing else in the mix reaches.
DRUM_BANDS: dict[str, tuple[float, float, float]] = {KICK: (40.0, 60.0, 0.1), SNARE: (165.0, 205.0, 0.1),
                                                    HAT: (6000.0, 16000.0, 0.03)}


def band_energy(audio: np.ndarray, sr: int, t0: float, t1: float, low: float, high: float) -> float:
    """Spectral energy between two frequencies in a stretch of audio."""
    freqs, mags = spectrum(audio, sr, t0, t1)
    return float(np.sum(np.square(mags[(freqs >= low) & (freqs < high)])))


def drum_rings(hit: Voiced, t0: float, t1: float) -> bool:
    """Whether a drum hit still rings between t0 and t1: its piece's decay in the kit (duration only cuts an open
    hat)."""
    decay = DrumVoice.DECAY[sound_of(hit.note.pitch)]
    if hit.note.pitch == OPEN_HAT:  # as DrumVoice.start: up to 0.35 s, cut by the note's end
        decay = min(0.35, max(0.05, hit.note.end - hit.note.start))
    return hit.note.start < t1 and hit.note.start + decay > t0


def test_demo_drums_appear_in_audio_at_their_times(demo: Path, own_sound: dict[str, np.ndarray]) -> None:
    """Each kick, snare and hat shows as a rise of its piece's band at its onset, in its own voice's part of the
    mix, where the band was free just before: no other hit of the piece still ringing."""
    sr = sf.info(str(demo / "audio.wav")).samplerate
    hits = [v for v in voiced_notes(demo) if v.instrument == "drums" and sound_of(v.note.pitch) in DRUM_BANDS]
    checked: Counter[str] = Counter()
    for hit in hits:
        piece = sound_of(hit.note.pitch)
        low, high, window = DRUM_BANDS[piece]
        t = hit.note.start
        if any(o is not hit and sound_of(o.note.pitch) == piece and drum_rings(o, t - window, t) for o in hits):
            continue
        mono = own_sound[hit.note.track]
        now, before = band_energy(mono, sr, t, t + window, low, high), band_energy(mono, sr, t - window, t, low, high)
        assert now > 9 * before, (hit, piece, now, before)  # 3x in amplitude, as for a pitched note's fundamental
        checked[piece] += 1
    # Against a vacuous check: nearly every hit of each piece is checked (the rest come too soon after their own).
    played = Counter(sound_of(v.note.pitch) for v in hits)
    assert all(checked[p] >= 0.9 * played[p] for p in played), (checked, played)


def test_demo_plays_all_five_instruments(demo: Path) -> None:
    """The demo's notes.mid has notes on every instrument, and the drums play kicks, snares and hats."""
    voiced = voiced_notes(demo)
    per_instrument = Counter(v.instrument for v in voiced)
    assert set(per_instrument) == set(INSTRUMENTS), per_instrument
    assert min(per_instrument.values()) >= 3, per_instrument
    pieces = Counter(sound_of(v.note.pitch) for v in voiced if v.instrument == "drums")
    assert all(pieces[p] >= 4 for p in (KICK, SNARE, HAT)), pieces


def test_isolated_notes_onset_and_pitch(tmp_path: Path) -> None:
    """Notes at arbitrary (sub-buffer) times: each onset lands within 0.5 ms of notes.mid, each pitch within 10
    cents."""
    rng = random.Random(4)
    t, notes = 0.2, []
    for _ in range(40):
        duration = rng.uniform(0.25, 0.5)
        notes.append(Note(t, duration, rng.randint(40, 90), rng.randint(40, 127), "epiano"))
        t += duration + 0.35 + rng.uniform(0.0, 0.1)  # release (0.3 s) and a gap, so every onset is from silence
    render_notes(notes, AudioSettings(effects=False), tmp_path / "audio.wav")  # dry: the reverb would join notes
    write_midi(notes, [(0.0, 97.0)], [], tmp_path / "notes.mid")
    audio, sr = sf.read(tmp_path / "audio.wav")
    mono = audio.mean(axis=1)
    expected = read_midi_notes(tmp_path / "notes.mid")
    onsets = isolated_onsets(mono, sr)
    assert len(onsets) == len(expected) == 40
    errors_ms = [1000 * (found - note.start) for found, note in zip(onsets, expected)]
    assert max(abs(e) for e in errors_ms) <= 0.5, errors_ms
    for note in expected:
        freqs, mags = spectrum(mono, sr, note.start + 0.02, note.end)
        peak_f, _ = band_peak(freqs, mags, hz(note.pitch), 1.0)
        assert abs(cents(peak_f, hz(note.pitch))) < 10, (note, peak_f)


def test_summary_png_draws_something(demo: Path) -> None:
    import matplotlib.image

    image = matplotlib.image.imread(demo / "summary.png")
    assert image.shape[0] > 400 and image.shape[1] > 800
    assert image[..., :3].std() > 0.05  # not a blank canvas
