"""The audio bench: how exactly notes start, measured on offline renders by onset detection against the notes
sent. (The JACK measurements of the audio bench, voices without xruns and MIDI-to-audio latency, are still to
come; their keys are reported as null until then.)"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from performer.analysis import isolated_onsets
from synthesis.catalog import INSTRUMENTS, default_release
from synthesis.protocol import Note
from synthesis.render import render_notes
from synthesis.server import AudioSettings

NOTES_PER_INSTRUMENT = 60


def onset_errors_ms(settings: AudioSettings, seed: int = 1) -> list[float]:
    """Onset error of isolated notes at random sub-buffer times, every instrument, dry (the reverb would join
    notes), in milliseconds (found minus sent)."""
    errors: list[float] = []
    rng = random.Random(seed)
    for instrument in INSTRUMENTS:
        release = default_release(instrument)
        t, notes = 0.2, []
        for _ in range(NOTES_PER_INSTRUMENT):
            duration = rng.uniform(0.1, 0.3)
            pitch = rng.choice([36, 38, 42, 45]) if instrument == "drums" else rng.randint(40, 80)
            notes.append(Note(t, duration, pitch, rng.randint(60, 127), instrument))
            t += duration + release + 0.45 + rng.uniform(0.0, 0.01)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "onsets.wav"
            render_notes(notes, settings, path)
            audio, sr = sf.read(path)
        found = isolated_onsets(audio.mean(axis=1), sr, threshold=1e-7)
        if len(found) != len(notes):
            raise RuntimeError(f"{instrument}: found {len(found)} onsets for {len(notes)} notes")
        errors += [1000 * (f - n.start) for f, n in zip(found, notes)]
    return errors


def bench_audio(settings: AudioSettings) -> dict:
    """The audio bench's JSON object."""
    errors = np.abs(np.array(onset_errors_ms(AudioSettings(effects=False, sample_rate=settings.sample_rate,
                                                           buffer_size=settings.buffer_size))))
    return {
        "period_ms": round(1000 * settings.buffer_size / settings.sample_rate, 4),
        "onset_error_ms_p99": round(float(np.percentile(errors, 99)), 4),
        "onset_error_ms_max": round(float(errors.max()), 4),
        "onsets_measured": int(len(errors)),
        "max_voices_no_xruns": None,
        "xruns_at_32_voices_60s": None,
        "midi_to_audio_ms_p50": None,
        "midi_to_audio_ms_p99": None,
        "not_measured_yet": "the JACK measurements (voices, xruns, MIDI-to-audio latency) are not built yet",
    }
