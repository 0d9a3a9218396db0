"""What every voice shares: MIDI pitch to Hz, and breakpoint envelopes that start on an exact sample.

A voice's envelopes are TrigLinsegs restarted by one Trig in the buffer the note starts in; a leading flat
segment of ``offset`` seconds puts the attack on the note's sample."""

from __future__ import annotations

import pyo

STEAL_FADE = 0.003  # seconds to fade a sounding voice before its new note


def midi_to_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


def strictly_increasing(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """TrigLinseg needs increasing times; merge points closer than one microsecond."""
    out = [points[0]]
    for t, v in points[1:]:
        if t > out[-1][0] + 1e-6:
            out.append((t, v))
        else:
            out[-1] = (out[-1][0], v)
    return out


def note_start(offset: float, busy: bool) -> float:
    """When the attack begins: at the offset, or after a short fade if the voice still sounds."""
    return max(offset, STEAL_FADE) if busy else offset


def ahdsr(current: float, t0: float, level: float, attack: float, duration: float, sustain: float,
          release: float) -> list[tuple[float, float]]:
    """Amplitude breakpoints: fade from ``current`` to 0 by t0, attack to ``level``, fall to ``sustain`` (a level)
    over the held part, release to 0. The note is held for ``duration`` seconds from t0."""
    held = max(duration, attack + 0.001)
    return strictly_increasing([(0.0, current), (t0, 0.0), (t0 + attack, level), (t0 + held, sustain),
                                (t0 + held + release, 0.0)])


def release_points(current: float, offset: float, release: float) -> list[tuple[float, float]]:
    """A held note's release: from the level it has now, down to 0 over ``release`` from ``offset``."""
    return strictly_increasing([(0.0, current), (offset, current), (offset + max(release, 0.005), 0.0)])


def hold_points(current: float) -> list[tuple[float, float]]:
    """Stay where it is: for a voice's other envelopes when its one trigger restarts them for a release."""
    return [(0.0, current), (0.001, current)]


def cheap_noise(**kwargs: object) -> pyo.Noise:
    """White noise from pyo's linear congruential generator: 0.4 us a buffer here, against 34 us for the
    default, which calls the C library's rand() for every sample."""
    noise = pyo.Noise(**kwargs)
    noise.setType(1)
    return noise


SILENT = [(0.0, 0.0), (0.001, 0.0)]
