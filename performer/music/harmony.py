"""A playing scene's harmony: the chord at each beat, chosen one step ahead as the voices ask for it (so it adds no
latency, as SongDriver plans its chords), from the scene's chord list or live (progression.py), following the
player's notes when a player plays."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from performer.music.chords import chord_tones
from performer.music.keys import Key, key_fits, pitch_class_weights
from performer.music.progression import Chord, chords_of, fit, weights
from performer.music.scales import SCALE_STEPS, Scale

RHYTHMS = (0.25, 0.5, 1.0, 2.0, 4.0)  # chords per bar a harmonic rhythm snaps to, so changes fall on bar lines
FOLLOW = 5.0  # how strongly a chord's fit with the player's recent notes weighs in its choice
HEARD_BARS = 1.0  # bars of the player's notes a chord choice looks back over
KEY_BARS = 2.0  # ... and a key change
KEY_NOTES = 5  # notes in that window before the player can move the key
KEY_MARGIN = 0.12  # correlation by which a new key must fit the player's notes better than the current one
RELATIVE_MARGIN = 0.1  # a relative major or minor fitting within this is judged by its tonic's weight
OUTSIDE_NOTES = 2  # notes outside the key in the player's last bar that make the key follow that bar alone
CLASH_FIT = 0.2  # a chord that fits the player's last beats worse than this changes on the next beat
LISTEN_BEATS = 2.0  # beats of the player's notes that judge whether the chord still fits them
CONSONANT_OVER_ROOT = (0, 3, 4, 7, 8, 9)  # a player's note at these intervals over the chord's root is left be
KEEP_SPANS = 512  # chords remembered (for the monitor and the bench), the oldest half dropped past it
EPS = 1e-6


@dataclass(frozen=True)
class Span:
    """A chord and the beat it starts on."""

    start: float
    chord: Chord


def snapped_rhythm(rhythm: float) -> float:
    """Chords per bar, to the nearest of RHYTHMS (on a log scale)."""
    rhythm = max(RHYTHMS[0], min(RHYTHMS[-1], rhythm if math.isfinite(rhythm) else 1.0))
    return min(RHYTHMS, key=lambda r: abs(math.log2(r / rhythm)))


def listed(symbols: list[str]) -> tuple[Chord, ...]:
    """A scene's chord list as chords."""
    out = []
    for symbol in symbols:
        tones = chord_tones(symbol)
        out.append(Chord(root=tones[0], tones=tones, name=symbol))
    return tuple(out)


class HarmonyPlan:
    """The chords of one playing scene over its beats. Chords are decided in order, at bar lines (or at each change,
    for faster harmonic rhythms), never changed once decided: a voice asks for the chord of a beat one lookahead
    before it sounds."""

    def __init__(self, key: Key, scale: frozenset[int], beats_per_bar: float, seed: int,
                 fixed: tuple[Chord, ...] = (), fixed_bars: float = 1.0) -> None:
        self.key = key
        self.scale = scale
        self.bar = beats_per_bar
        self.fixed, self.fixed_bars = fixed, fixed_bars
        self.spans: list[Span] = []
        self._chords = chords_of(key.tonic, key.minor)
        self._rng = np.random.default_rng(seed)
        self._next = 0.0  # the next beat at which a chord may change
        self._place = 0  # chords so far, for the phrase position
        self._heard: list[tuple[float, int]] = []  # the player's notes: (beat, pitch)

    def chord_at(self, beat: float, tension: float = 0.3, rhythm: float = 1.0) -> Span:
        """The chord sounding at ``beat``, deciding those up to it from ``tension`` and ``rhythm`` (chords per bar)
        as they are now."""
        beat = max(0.0, beat)
        while self._next <= beat + EPS:
            self._decide(self._next, tension, snapped_rhythm(rhythm))
        for span in reversed(self.spans):
            if span.start <= beat + EPS:
                return span
        return self.spans[0]

    def hear(self, beat: float, pitch: int) -> None:
        """A player's note: the chords not yet decided follow it."""
        self._heard.append((beat, int(pitch)))
        horizon = beat - KEY_BARS * self.bar
        if self._heard[0][0] < horizon:
            self._heard = [h for h in self._heard if h[0] >= horizon]

    def revise(self, beat: float, pitch: int, tension: float = 0.3, rhythm: float = 1.0) -> bool:
        """A player's note that the chord at ``beat`` does not hold and that stands dissonant over its root: the
        chord changes there, to one of the key's that holds it (chords decided after ``beat`` are dropped). Whether
        it changed; a note no chord of the key holds leaves the harmony as it is."""
        if self.fixed:
            return False
        current = self.chord_at(beat, tension, rhythm).chord
        pc = pitch % 12
        if pc in current.classes or (pc - current.root) % 12 in CONSONANT_OVER_ROOT:
            return False
        self._follow_key(beat)
        holding = [c for c in self._chords if pc in c.classes]
        if not holding:
            return False
        heard = self._recent(beat, HEARD_BARS)
        w = weights(tuple(holding), current, tension, self._place, self.scale)
        w = w * np.exp(FOLLOW * np.array([fit(c, heard) for c in holding]))
        chord = holding[int(self._rng.choice(len(w), p=w / w.sum()))]
        later = [s for s in self.spans if s.start > beat + EPS]  # chords already decided for later beats stand
        self.spans = [s for s in self.spans if s.start <= beat + EPS]
        self._add(beat, chord)
        self.spans += later
        return True

    def _decide(self, at: float, tension: float, rhythm: float) -> None:
        span = self.bar / rhythm
        step = min(span, self.bar, 1.0 if self._playing(at) else self.bar)  # a player is followed beat by beat
        self._next = (math.floor(at / step + EPS) + 1) * step
        if self.fixed:
            index = int(at // (self.fixed_bars * self.bar) + EPS) % len(self.fixed)
            self._add(at, self.fixed[index])
            return
        moved = self._follow_key(at)
        heard = self._recent(at, HEARD_BARS)
        due = not self.spans or abs(at / span - round(at / span)) < EPS
        current = self.spans[-1].chord if self.spans else None
        lately = self._recent(at, LISTEN_BEATS / self.bar)
        if not (due or moved or (current is not None and lately.any() and fit(current, lately) < CLASH_FIT)):
            return
        w = weights(self._chords, current, tension, self._place, self.scale)
        if not self.spans:  # a scene opens on its tonic
            w = w * np.array([c.name in ("I", "i") for c in self._chords])
        if heard.any():
            w = w * np.exp(FOLLOW * np.array([fit(c, heard) for c in self._chords]))
        self._add(at, self._chords[int(self._rng.choice(len(w), p=w / w.sum()))])
        self._place += 1

    def _add(self, at: float, chord: Chord) -> None:
        if not self.spans or self.spans[-1].chord != chord:
            self.spans.append(Span(at, chord))
        if len(self.spans) > KEEP_SPANS:  # a scene that plays for weeks keeps only its recent chords
            del self.spans[:KEEP_SPANS // 2]

    def _since_leaving(self, at: float, scale: frozenset[int]) -> np.ndarray:
        """Pitch-class weights of the player's notes of the last bar from the first one outside ``scale`` on."""
        notes = [(b, p) for b, p in self._heard if at - self.bar - EPS <= b < at + EPS]
        first = next((i for i, (_, p) in enumerate(notes) if p % 12 not in scale), len(notes))
        pitches = np.array([p for _, p in notes[first:]], dtype=np.int64)
        return pitch_class_weights(pitches, np.ones(len(pitches))) if len(pitches) else np.zeros(12)

    def _recent(self, at: float, bars: float) -> np.ndarray:
        notes = [p for b, p in self._heard if at - bars * self.bar - EPS <= b < at + EPS]
        return pitch_class_weights(np.array(notes, dtype=np.int64), np.ones(len(notes))) if notes else np.zeros(12)

    def _playing(self, at: float) -> bool:
        """Whether the player has played in the last bar."""
        return bool(self._heard) and self._heard[-1][0] >= at - self.bar

    def _follow_key(self, at: float) -> bool:
        """Move to the key that fits the player's notes best, once OUTSIDE_NOTES of their last KEY_BARS have left
        the key (a melody that stays in the key never moves it), and by KEY_MARGIN: judged on their last bar alone
        if it holds that many outside notes, so the harmony follows within a bar. Whether the key moved."""
        scale = self._scale_of(self.key)
        heard = self._recent(at, KEY_BARS)
        if sum(heard[pc] for pc in range(12) if pc not in scale) < OUTSIDE_NOTES:
            return False
        heard = self._since_leaving(at, scale)  # from the first note that left the key: the new key's, unmixed
        if heard.sum() < KEY_NOTES - 1:
            return False
        fits = key_fits(heard)
        best = int(np.argmax(fits))
        relative = (best + 3) % 12 if best >= 12 else 12 + (best + 9) % 12  # same notes, the other mode
        if fits[best] - fits[relative] < RELATIVE_MARGIN and heard[relative % 12] > heard[best % 12]:
            best = relative  # a near tie: the tonic the player dwells on more
        now = self.key.tonic + (12 if self.key.minor else 0)
        if best == now or fits[best] - fits[now] < KEY_MARGIN:
            return False
        self.key = Key(tonic=best % 12, minor=best >= 12, fit=float(fits[best]))
        self.scale = self._scale_of(self.key)  # the voices' notes follow the player into the new key
        self._chords = chords_of(self.key.tonic, self.key.minor)
        self._place = 0
        return True

    @staticmethod
    def _scale_of(key: Key) -> frozenset[int]:
        return frozenset((key.tonic + s) % 12 for s in SCALE_STEPS[Scale.minor if key.minor else Scale.major])
