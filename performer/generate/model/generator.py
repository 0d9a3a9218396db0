"""The model as a streaming generator for one voice: feed, sample, reset, and a cheap snapshot and restore.

Sampling goes delta → pitch → duration → velocity. Hard constraints are masks on the heads: polyphony on the
delta, allowed pitch classes and range on the pitch. Temperature and top-p apply to every head."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from performer.generate.model import kernels
from performer.generate.model import tokens as tk
from performer.generate.model.features import hearing_vector, steering_vector
from performer.generate.model.leans import MASK_SIZE, PIANO_PITCHES, hearing_prior, onset_lean
from performer.generate.model.runner import Runner
from performer.generate.model.sampling import additive_mask, safe_temperature, safe_top_p
from performer.generate.phrases import Cue, PhraseMemory, Remembered, novelty, strength
from performer.music.hearing import Hearing
from performer.music.notes import NoteEvent
from performer.music.steering import DEFAULT_SPREAD, PIANO, Constraints, PitchRelaxer, Steering

Prev = tuple[int, int, int, int, int]  # the previous note's tokens: delta, duration, pitch, velocity, bar position
START: Prev = (len(tk.DELTA_GRID), len(tk.DUR_GRID), tk.N_PITCH, tk.N_VEL, 0)  # previous-note tokens before any note


@dataclass(frozen=True)
class Snapshot:
    """Everything the generator's future depends on, copied."""

    h: np.ndarray
    prev: Prev
    bar_pos: float
    beat: float
    ends: tuple[float, ...]
    rng: Mapping[str, Any]  # numpy's bit_generator.state
    draw: np.ndarray | None  # a planned note's random numbers
    memory: tuple  # PhraseMemory.state()


class ModelGenerator:
    """One voice of the trained model. Deterministic for a seed and a sequence of calls."""

    def __init__(self, runner: Runner, seed: int = 0, voice: int = 0, beats_per_bar: float = 4.0) -> None:
        self._runner = runner
        self._seed = seed
        self._voice = min(max(voice, 0), runner.voices - 1)
        self._bar_len = float(beats_per_bar)
        self._barlen_token = int(tk.barlen_token(beats_per_bar))
        self._masks: dict[Constraints, np.ndarray] = {}
        self._steer_cache: tuple[Steering, np.ndarray] | None = None
        self._hear_cache: tuple[Hearing | None, np.ndarray] = (None, hearing_vector(None))
        self._relaxer = PitchRelaxer()
        self.reset()

    def reset(self) -> None:
        """Forget all history and reseed."""
        self._rng = np.random.default_rng(self._seed)
        self._h = self._runner.initial_state()
        self._prev = START
        self._bar_pos = 0.0
        self._beat = 0.0
        self._ends: tuple[float, ...] = ()
        self._draw: np.ndarray | None = None  # the planned note's random numbers, until it is completed
        self._memory = PhraseMemory(self._bar_len)

    def snapshot(self) -> Snapshot:
        """A copy of everything the continuation depends on: the GRU state, position, sounding notes, RNG."""
        rng = self._rng.bit_generator.state
        draw = None if self._draw is None else self._draw.copy()
        return Snapshot(self._h.copy(), self._prev, self._bar_pos, self._beat, self._ends, rng, draw,
                        self._memory.state())

    def cut_after(self, beats: float) -> None:
        """Notes of this voice still sounding end ``beats`` after its last onset: they stop holding back onsets."""
        self._ends = tuple(min(end, self._beat + beats) for end in self._ends)

    def restore(self, snap: Snapshot) -> None:
        """Continue exactly as the generator would have from ``snap``."""
        self._h, self._prev, self._bar_pos, self._beat, self._ends = (snap.h.copy(), snap.prev, snap.bar_pos,
                                                                       snap.beat, snap.ends)
        self._rng.bit_generator.state = snap.rng
        self._draw = None if snap.draw is None else snap.draw.copy()
        self._memory.set_state(snap.memory)

    def feed(self, note: NoteEvent) -> None:
        """Take in a note someone else played (its delta from this voice's last note), so the model continues it."""
        delta = _finite(note.delta) if self._prev != START else 0.0
        tokens = (tk.delta_index(min(delta, 8.0)), tk.dur_index(_finite(note.duration)),
                  tk.pitch_index(int(_finite(note.pitch, 60))), tk.vel_index(int(_finite(note.velocity, 64))))
        self._advance(tokens, delta, None)
        self._memory.record(Remembered(self._beat, tokens[2] + tk.PITCH_LOW, _finite(note.duration),
                                       tk.vel_value(tokens[3])))

    def sample(self, steering: Steering, constraints: Constraints) -> NoteEvent:
        """The next note, honouring every constraint."""
        return self.complete(steering, constraints, self.plan(steering, constraints))

    def plan(self, steering: Steering, constraints: Constraints) -> float:
        """The next note's delta in beats, from this note's random draw (made once, kept until ``complete``)."""
        if self._draw is None:
            self._draw = self._rng.random(DRAWS)
        ctx = self._runner.context(self._h, self._steer(steering), self._hear(constraints.hearing))
        return _DELTAS[self._choose_delta(ctx, steering, constraints)]

    def complete(self, steering: Steering, constraints: Constraints, delta: float) -> NoteEvent:
        """The note ``delta`` beats on: pitch, duration and velocity from the draw, under ``steering`` now."""
        u = self._draw if self._draw is not None else self._rng.random(DRAWS)
        self._draw = None
        temperature, top_p = safe_temperature(constraints.temperature), safe_top_p(constraints.top_p)
        run = self._runner
        ctx = run.context(self._h, self._steer(steering), self._hear(constraints.hearing))
        d = int(tk.delta_index(delta)) if self._prev != START else 0
        delta = _DELTAS[d]
        pos = _pos_token((self._bar_pos + delta) % self._bar_len)
        conds = np.array([d, pos, 0], dtype=np.int64)
        steer = steering.clamped()
        pitches = self._pitch_mask(self._near_register(steering, constraints))
        if constraints.hearing is not None:
            pitches = pitches + hearing_prior(constraints.hearing, self._voice == tk.BASS_ROLE)
        pitches, lengths, loudness = self._shaped(steer, self._beat + delta, pitches)
        p = kernels.choose(run.head(ctx, 1, conds), pitches, temperature, top_p, u[1])
        conds[2] = p
        r = kernels.choose(run.head(ctx, 2, conds), lengths, temperature, top_p, u[2])
        conds[0], conds[1], conds[2] = pos, p, r
        v = kernels.choose(run.head(ctx, 3, conds), loudness, temperature, top_p, u[3])
        duration = _DURATIONS[r]
        self._advance((d, r, p, v), delta, duration)
        self._memory.record(Remembered(self._beat, p + tk.PITCH_LOW, duration, tk.vel_value(v)), own=True)
        return NoteEvent(delta=delta, duration=duration, pitch=p + tk.PITCH_LOW,
                         velocity=min(127, max(1, tk.vel_value(v))), voice=self._voice)

    def _choose_delta(self, ctx: np.ndarray, steering: Steering, constraints: Constraints) -> int:
        """The delta token. After a jump of density, within a factor of DENSITY_SPAN of the steered interval (on
        the sixteenth grid), so the change is heard on the next note rather than after the rhythm the voice was in
        has run out; the voice's own sounding notes still come first (its polyphony is a hard constraint)."""
        assert self._draw is not None
        temperature, top_p = safe_temperature(constraints.temperature), safe_top_p(constraints.top_p)
        mask = _ONLY_ZERO
        if self._prev != START:  # within the window, and after the voice's sounding notes where that fits; if
            # they outlast the window, the voice is behind its density: the soonest onset they allow
            mask = self._delta_mask(constraints.max_polyphony)
            windowed = mask + _onset_window(steering.clamped().density)
            soonest = int(np.argmax(np.isfinite(mask[:len(_DELTAS)])))
            mask = windowed if np.isfinite(windowed[:len(_DELTAS)]).any() else _DELTA_ONLY[soonest]
        head = self._runner.head(ctx, 0, np.zeros(3, dtype=np.int64))
        if constraints.hearing is not None and constraints.hearing.onsets and self._prev != START:
            mask = mask + onset_lean(constraints.hearing.onsets, constraints.hearing.lock)
        free = int(kernels.choose(head, mask, temperature, top_p, self._draw[0]))
        cue = self._cue(steering, self._beat + _DELTAS[free]) if self._prev != START else None
        if cue is None or not 0.0 < cue.beat - self._beat <= _DELTAS[-1] + 1e-9:
            return free
        lean = _leaning(mask, tk.delta_index(cue.beat - self._beat), strength(steering.clamped().repetition))
        return int(kernels.choose(head, lean, temperature, top_p, self._draw[0]))

    def _shaped(self, steer: Steering, onset: float, pitches: np.ndarray) -> tuple[np.ndarray, ...]:
        """The pitch, duration and velocity masks of the note at ``onset``: leaning toward the source note where the
        phrase memory recalls one, or away from the voice's own 4-note patterns when asked for new material."""
        lengths, loudness = _length_mask(steer.density), _velocity_prior(round(steer.velocity))
        own = self._memory.motifs.pitches
        if own:
            pitches = pitches + _leap_cost(own[-1] - tk.PITCH_LOW, round(steer.register) - tk.PITCH_LOW,
                                           round(steer.spread))
            pitches = _repeat_cost(pitches, own[-1] - tk.PITCH_LOW, len(own) > 1 and own[-2] == own[-1])
        cue = self._memory.sounding(onset, steer.register) if steer.repetition > 0 else None
        if cue is None:
            if steer.repetition < 0.5:
                pitches = self._avoiding_repeats(pitches, novelty(steer.repetition))
            return pitches, lengths, loudness
        lean = strength(steer.repetition)
        return (_leaning(pitches, _nearest_open(pitches, cue.pitch - tk.PITCH_LOW), lean),
                _leaning(lengths, tk.dur_index(cue.duration), lean),
                _leaning(loudness, tk.vel_index(cue.velocity), lean))

    def _avoiding_repeats(self, mask: np.ndarray, penalty: float) -> np.ndarray:
        """``mask`` leaning away from pitches that would play a 4-note pattern of this voice again."""
        repeats = [p - tk.PITCH_LOW for p in self._memory.motifs.repeats() if tk.PITCH_LOW <= p <= tk.PITCH_HIGH]
        if not repeats or penalty <= 0:
            return mask
        avoided = mask.copy()
        avoided[repeats] -= penalty  # finite: a pattern is avoided, never forbidden
        return avoided

    def _cue(self, steering: Steering, free_onset: float) -> Cue | None:
        """The phrase memory's source note for the next onset, if the voice is (or is about to be) recalling."""
        steer = steering.clamped()
        if steer.repetition <= 0:
            return None
        assert self._draw is not None
        draws = (float(self._draw[4]), float(self._draw[5]), float(self._draw[6]))
        return self._memory.cue(self._beat, free_onset, steer.repetition, steer.register, draws)

    def _near_register(self, steering: Steering, constraints: Constraints) -> Constraints:
        """Pitches within REGISTER_WINDOW plus the spread of the steered register (inside the voice's own range):
        the register the performer sets holds from the first note after they move it, whatever the voice's
        history pulls toward."""
        steering = steering.clamped()
        window = REGISTER_WINDOW + steering.spread
        low = max(constraints.low, PIANO[0], int(math.floor(steering.register - window)))  # the keys it can play
        high = min(constraints.high, PIANO[1], int(math.ceil(steering.register + window)))
        narrowed = replace(constraints, low=low, high=high)
        return narrowed if low <= high and narrowed.allowed_pitches() else constraints

    def _advance(self, tokens: tuple[int, int, int, int], delta: float, duration: float | None) -> None:
        """Move the clock and the GRU past a note that has now happened. Only this voice's own notes
        (with a duration) count toward its polyphony; a fed note is someone else's."""
        self._beat += delta
        self._bar_pos = (self._bar_pos + delta) % self._bar_len
        self._ends = tuple(e for e in self._ends if e > self._beat + 1e-9)
        if duration is not None:
            self._ends += (self._beat + duration,)
        self._prev = tokens + (_pos_token(self._bar_pos),)
        self._h = self._runner.step(self._h, np.array(self._prev + (self._barlen_token, self._voice), np.int64))

    def _steer(self, steering: Steering) -> np.ndarray:
        if self._steer_cache is None or self._steer_cache[0] != steering:
            self._steer_cache = (steering, steering_vector(steering))
        return self._steer_cache[1]

    def _hear(self, hearing: Hearing | None) -> np.ndarray:
        if self._hear_cache[0] != hearing:
            self._hear_cache = (hearing, hearing_vector(hearing))
        return self._hear_cache[1]

    def _delta_mask(self, max_polyphony: int) -> np.ndarray:
        """Deltas at which fewer than max_polyphony of this voice's notes still sound: onsets at or after the
        max_polyphony-th latest end. The longest delta (8 beats) outlasts every note, so it is never empty."""
        limit = max(1, max_polyphony)
        if len(self._ends) < limit:
            return _NO_MASK
        threshold = sorted(self._ends, reverse=True)[limit - 1] - self._beat - 1e-9
        return _DELTA_MASKS[int(np.searchsorted(tk.DELTA_GRID, threshold, side="left"))]

    def _pitch_mask(self, constraints: Constraints) -> np.ndarray:
        constraints = replace(constraints, hearing=None)  # the mask is the hard limits only
        mask = self._masks.get(constraints)
        if mask is None:
            mask = additive_mask(np.isin(PIANO_PITCHES, self._relaxer.pitches(constraints)), MASK_SIZE)
            if len(self._masks) >= MASK_CACHE:  # constraints that keep changing must not grow memory
                self._masks.clear()
            self._masks[constraints] = mask
        return mask


DRAWS = 7  # uniform draws per note: delta, pitch, duration, velocity, and the phrase memory's three

_DELTAS = [float(v) for v in tk.DELTA_GRID]
_DURATIONS = [float(v) for v in tk.DUR_GRID]
MASK_CACHE = 64
_NO_MASK = np.zeros(MASK_SIZE, dtype=np.float32)
_ONLY_ZERO = additive_mask(np.arange(len(_DELTAS)) == 0, MASK_SIZE)  # a voice's first note starts on its beat
_DELTA_ONLY = [additive_mask(np.arange(len(_DELTAS)) == i, MASK_SIZE) for i in range(len(_DELTAS))]
# _DELTA_MASKS[i]: only deltas from index i on (clamped so the longest delta always remains)
_DELTA_MASKS = [additive_mask(np.arange(len(_DELTAS)) >= min(i, len(_DELTAS) - 1), MASK_SIZE)
                for i in range(len(_DELTAS) + 1)]


DENSITY_SPAN = 2.0  # a note's interval within this factor of the steered one (1 / density beats): half to double
LENGTH_WIDE = (1.0, 2.0)  # notes a beat up to which a note may last the whole interval window, fading to none
LONGEST_WIDE = 2.0  # beats: the longest a note is let last beyond the steered interval
FAST = (2.0, 4.0)  # notes a beat over which onsets come to lean toward the steered interval: none to full
FAST_SD = 0.3  # octaves: how closely, at full lean
REPEAT_COST = (0.3, 1.5)  # logits against the last pitch again, and again after a repeat
LEAP, LEAP_COST = 7, 0.5  # semitones that make a leap, and how much (in logits) one is disfavoured
REGISTER_WINDOW = 7.0  # semitones beyond the spread: how far from the steered register a pitch may stray
VELOCITY_SD = 6.0  # the spread of the prior around the steered velocity
VELOCITY_REACH = 10  # and how far from it a velocity may be at all (the grid's step is 8: two or three tokens)


@lru_cache(maxsize=256)
def _onset_window(density: float) -> np.ndarray:
    """The delta head's mask under a steered density: _density_mask, with _fast_prior added."""
    return _density_mask(density) + _fast_prior(density)


def _density_mask(density: float) -> np.ndarray:
    """Deltas on the beat's grid within DENSITY_SPAN of 1/density beats (never none for a legal density): sixteenths
    and eighth triplets, and above four notes a beat sixteenth triplets and thirty-seconds, so up to 8 are reached."""
    interval = 1.0 / max(density, 1e-3)
    grids = (4, 3, 6, 8) if density > 4.0 else (4, 3)
    on_grid = [any(abs(d * n - round(d * n)) < 1e-9 for n in grids) for d in _DELTAS]
    allowed = np.array([d > 0 and grid and interval / DENSITY_SPAN <= d <= interval * DENSITY_SPAN
                        for d, grid in zip(_DELTAS, on_grid)])
    return additive_mask(allowed, MASK_SIZE)


def _fast_prior(density: float) -> np.ndarray:
    """A Gaussian prior (FAST_SD octaves) around the steered interval on the delta head, faded in over FAST notes a
    beat: the corpus's fastest common value is the sixteenth, so without it the model settles near there (3 to 4 a
    beat) however many notes are asked for. At slower settings the model's own rhythm is left alone."""
    prior = np.zeros(MASK_SIZE, dtype=np.float32)
    weight = min(1.0, max(0.0, (density - FAST[0]) / (FAST[1] - FAST[0])))
    if weight > 0:
        octaves = np.log2(np.maximum(np.array(_DELTAS), 1e-6) * density)
        prior[:len(_DELTAS)] = -0.5 * weight * (octaves / FAST_SD) ** 2
    return prior


@lru_cache(maxsize=4096)
def _leap_cost(last: int, register: int, spread: int) -> np.ndarray:
    """LEAP_COST off every pitch a fifth or more from the voice's last one that lands outside the steered register
    (beyond its spread) and no nearer it: melodies move mostly by step (the corpus's top lines leap 6 % of the
    time, the register window alone left the model leaping 8 %), but a leap to where the performer moved the
    register is followed at once. A spread wider than the default asks for a wider line: the cost shrinks."""
    keys = np.arange(tk.N_PITCH)
    off = np.abs(keys - register)
    away = (np.abs(keys - last) >= LEAP) & (off > spread) & (off >= abs(last - register))
    cost = np.zeros(MASK_SIZE, dtype=np.float32)
    cost[:tk.N_PITCH] = np.where(away, -LEAP_COST * DEFAULT_SPREAD / max(float(spread), DEFAULT_SPREAD), 0.0)
    return cost


@lru_cache(maxsize=256)
def _length_mask(density: float) -> np.ndarray:
    """Durations up to the interval window's far end at slow densities (twice the steered interval up to 1 note a
    beat, narrowing to the interval itself at 2; never widened past LONGEST_WIDE beats, so a slow line keeps its
    pace over a few bars): a note never holds the voice's next onset back past the window,
    which then always has room (the shortest duration always remains). A line's rhythm is its durations (the
    corpus is legato: the next onset comes when a note ends), so a cap at the interval itself left only it and
    shorter values: at 1 note a beat, quarters 82 % of the time; with the wider cap, quarters, eighths, dotted
    quarters and halves, still at 1 note a beat."""
    density = max(density, 1e-3)
    widen = min(1.0, max(0.0, (LENGTH_WIDE[1] - density) / (LENGTH_WIDE[1] - LENGTH_WIDE[0])))
    longest = max(1.0 / density, min((1.0 + (DENSITY_SPAN - 1.0) * widen) / density, LONGEST_WIDE))
    return additive_mask(np.array([i == 0 or d <= longest for i, d in enumerate(_DURATIONS)]), MASK_SIZE)


@lru_cache(maxsize=128)
def _velocity_prior(velocity: int) -> np.ndarray:
    """A Gaussian prior (VELOCITY_SD) around the steered velocity, within VELOCITY_REACH of it, added to the
    velocity head's logits: the model still shapes accents, but around the velocity asked for, so pp and ff are
    reached (the corpus's velocities are 90 % between 64 and 87; on its own the model answered commands of 10 to
    127 with 46 to 102, and heard a jump of 20 or more only through a wide window)."""
    values = np.array([tk.vel_value(v) for v in range(tk.N_VEL)], dtype=np.float64)
    prior = np.zeros(MASK_SIZE, dtype=np.float32)
    prior[:tk.N_VEL] = np.where(np.abs(values - velocity) <= VELOCITY_REACH,
                                -0.5 * ((values - velocity) / VELOCITY_SD) ** 2, -np.inf)
    return prior


def _repeat_cost(mask: np.ndarray, last: int, again: bool) -> np.ndarray:
    """``mask`` with the voice's last pitch disfavoured by REPEAT_COST (more if it was already repeated): the
    model alone repeated a note a third of the time at default steering (0.13 with the cost)."""
    if not 0 <= last < tk.N_PITCH:
        return mask
    costed = mask.copy()
    costed[last] -= REPEAT_COST[again]
    return costed


def _leaning(mask: np.ndarray, index: int, bonus: float) -> np.ndarray:
    """``mask`` with ``bonus`` added at ``index``, where the mask allows it (a recalled source never breaks a
    constraint: where it cannot be played, the model chooses on its own)."""
    if index < 0 or not np.isfinite(mask[index]):
        return mask
    leaned = mask.copy()
    leaned[index] += bonus
    return leaned


def _nearest_open(mask: np.ndarray, index: int, reach: int = 6) -> int:
    """The allowed token nearest ``index`` (a pitch moved by a sequence, snapped onto the scale), or -1."""
    for step in range(reach + 1):
        for candidate in (index - step, index + step):
            if 0 <= candidate < tk.N_PITCH and np.isfinite(mask[candidate]):
                return candidate
    return -1


def _finite(value: float, default: float = 0.0) -> float:
    """A non-negative finite float; NaN and infinities (from a broken input) become ``default``."""
    value = float(value)
    return max(0.0, value) if math.isfinite(value) else default


def _pos_token(bar_pos: float) -> int:
    """tokens.pos_token for one float, without numpy's per-call cost."""
    return min(tk.N_POS - 1, max(0, int(round(bar_pos * tk.POS_PER_BEAT))))
