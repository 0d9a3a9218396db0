"""Audio analysis for checking renders against their notes: reading notes.mid, FFT pitch and onsets.

Tests and benchmarks use it; nothing here runs in the live path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np


@dataclass(frozen=True)
class MidiNote:
    """A note read back from a MIDI file, in seconds."""

    start: float
    end: float
    pitch: int
    velocity: int
    channel: int = 0  # 0-based, as in the file
    track: str = ""  # the track's name: the voice, in performer's notes.mid


def read_midi_notes(path: str | Path) -> list[MidiNote]:
    """Every note in a MIDI file, with times in seconds from the file's tempo map, and its channel and track."""
    midi = mido.MidiFile(str(path))
    tempo_map = [(0, 500000)] + sorted((tick, m.tempo) for tick, m in _absolute(midi) if m.type == "set_tempo")
    notes: list[MidiNote] = []
    for track in midi.tracks:
        name = next((m.name for m in track if m.type == "track_name"), "")
        sounding: dict[tuple[int, int], list[tuple[float, int]]] = {}
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                now = _seconds(tick, tempo_map, midi.ticks_per_beat)
                sounding.setdefault((message.channel, message.note), []).append((now, message.velocity))
            elif message.type in ("note_on", "note_off"):
                stack = sounding.get((message.channel, message.note))
                if stack:
                    start, velocity = stack.pop(0)
                    end = _seconds(tick, tempo_map, midi.ticks_per_beat)
                    notes.append(MidiNote(start, end, message.note, velocity, message.channel, name))
    return sorted(notes, key=lambda n: (n.start, n.pitch, n.track))


def read_midi_markers(path: str | Path) -> list[tuple[float, str]]:
    """The marker meta events of a MIDI file (performer writes one per scene change): (seconds, text)."""
    midi = mido.MidiFile(str(path))
    now, markers = 0.0, []
    for message in midi:
        now += message.time
        if message.type == "marker":
            markers.append((now, message.text))
    return markers


def _absolute(midi: mido.MidiFile) -> list[tuple[int, mido.Message]]:
    """Every message of every track with its absolute tick."""
    out = []
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            out.append((tick, message))
    return out


def _seconds(tick: int, tempo_map: list[tuple[int, int]], ticks_per_beat: int) -> float:
    """Seconds at ``tick`` through a sorted list of (tick, microseconds per beat) tempo changes."""
    seconds, last_tick, tempo = 0.0, 0, tempo_map[0][1]
    for at, new_tempo in tempo_map[1:]:
        if at >= tick:
            break
        seconds += mido.tick2second(at - last_tick, ticks_per_beat, tempo)
        last_tick, tempo = at, new_tempo
    return seconds + mido.tick2second(tick - last_tick, ticks_per_beat, tempo)


def hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


def spectrum(audio: np.ndarray, sr: int, start: float, end: float, pad: int = 1 << 16) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude spectrum (Hann window, zero-padded) of ``audio`` between two times; returns (freqs, mags)."""
    a, b = max(0, int(start * sr)), min(len(audio), int(end * sr))
    chunk = audio[a:b] * np.hanning(max(0, b - a))
    mags = np.abs(np.fft.rfft(chunk, n=max(pad, len(chunk))))
    return np.fft.rfftfreq(max(pad, len(chunk)), 1.0 / sr), mags


def band_peak(freqs: np.ndarray, mags: np.ndarray, f0: float, semitones: float) -> tuple[float, float]:
    """The strongest peak within ``semitones`` of ``f0``: (frequency, magnitude), the frequency refined by
    parabolic interpolation of the log magnitudes around the strongest bin."""
    lo, hi = f0 * 2 ** (-semitones / 12), f0 * 2 ** (semitones / 12)
    band = np.nonzero((freqs >= lo) & (freqs <= hi))[0]
    i = int(band[np.argmax(mags[band])])
    if 0 < i < len(mags) - 1:
        a, b, c = np.log(mags[i - 1:i + 2] + 1e-30)
        shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c != 0 else 0.0
        return float(freqs[i] + shift * (freqs[1] - freqs[0])), float(mags[i])
    return float(freqs[i]), float(mags[i])


def cents(f: float, f0: float) -> float:
    return 1200.0 * float(np.log2(f / f0))


def isolated_onsets(audio: np.ndarray, sr: int, threshold: float = 1e-4, gap: float = 0.02) -> list[float]:
    """Onset times of sounds that start from silence: the first sample above ``threshold`` after ``gap`` s of quiet."""
    loud = np.nonzero(np.abs(audio) > threshold)[0]
    if len(loud) == 0:
        return []
    starts = [loud[0]] + [b for a, b in zip(loud[:-1], loud[1:]) if b - a > gap * sr]
    return [s / sr for s in starts]


def rms_dbfs(audio: np.ndarray) -> float:
    """RMS level in dB relative to full scale."""
    rms = float(np.sqrt(np.mean(np.square(audio)))) if audio.size else 0.0
    return 20.0 * np.log10(max(rms, 1e-12))
