"""The audio bench: how exactly notes start, measured on offline renders by onset detection against the notes
sent; then, on a jackd of its own, xruns against sounding voices and MIDI-to-audio latency
(performer/bench/jackbench.py, performer/bench/latencyprobe.py)."""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from performer.bench.analysis import isolated_onsets
from synthesis.catalog import INSTRUMENTS, default_release
from synthesis.offline import render_notes
from synthesis.protocol import Note
from synthesis.settings import AudioSettings

if TYPE_CHECKING:
    from performer.bench.jackd import JackServer

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


VOICE_STEPS = (0, 32, 64, 96, 128, 160, 192, 256)  # 0: the engine running with nothing sounding, a control
CPU_STOP = 85.0  # percent of a core: the sweep stops once the engine uses this much


def bench_audio(settings: AudioSettings, seconds: float = 60.0, latency_notes: int = 100) -> dict:
    """The audio bench's JSON object."""
    errors = np.abs(np.array(onset_errors_ms(AudioSettings(effects=False, sample_rate=settings.sample_rate,
                                                           buffer_size=settings.buffer_size))))
    result: dict = {
        "period_ms": round(1000 * settings.buffer_size / settings.sample_rate, 4),
        "onset_error_ms_p99": round(float(np.percentile(errors, 99)), 4),
        "onset_error_ms_max": round(float(errors.max()), 4),
        "onsets_measured": int(len(errors)),
    }
    result.update(jack_figures(settings, seconds, latency_notes))
    return result


def jack_figures(settings: AudioSettings, seconds: float, latency_notes: int) -> dict:
    """Voices against xruns, then MIDI-to-audio latency, on ``jackd -d dummy`` at the settings' rate and period."""
    from performer.bench.jackd import JackServer, JackUnavailable

    try:
        with JackServer(settings.sample_rate, settings.buffer_size) as server:
            return _measure_on(server, seconds, latency_notes)
    except JackUnavailable as err:
        return {"max_voices_no_xruns": None, "xruns_at_32_voices_60s": None, "midi_to_audio_ms_p50": None,
                "midi_to_audio_ms_p99": None, "jack_not_measured": str(err)}


def _measure_on(server: "JackServer", seconds: float, latency_notes: int) -> dict:
    from performer.bench.jackbench import idle_server_xruns, xrun_trial
    from performer.bench.latencyprobe import midi_to_audio

    floor = idle_server_xruns(server, seconds)
    trials = []
    for voices in VOICE_STEPS:
        trials.append(xrun_trial(server, voices, seconds))
        print(json.dumps(trials[-1]), file=sys.stderr, flush=True)
        if trials[-1]["engine_cpu_percent"] >= CPU_STOP:
            break
    latency = midi_to_audio(server, latency_notes)
    return {
        "max_voices_no_xruns": max((t["voices"] for t in trials if t["xruns"] == 0 and t["voices"]), default=0),
        f"xruns_at_32_voices_{seconds:g}s": next(t["xruns"] for t in trials if t["voices"] == 32),
        f"xruns_idle_server_{seconds:g}s": floor,
        **latency,
        "voice_trials": trials,
        "trial_seconds": seconds,
    }
