"""Phrase memory: what a voice has played (and heard), and when to return to it.

A voice's time is cut into spans of SPAN_BARS bars. At each span, with a probability set by the `repetition`
steering (0 = always new, 1 = close to the source), the memory chooses to recall an earlier span, up to
MEMORY_SPANS back, either as it was (a repeat) or moved by a step of the scale (a sequence). Within a recalled
span it offers, for each note, the source note at that place: the generator leans its choice toward it, by a
margin that also grows with `repetition`, so at middling values a recalled phrase comes back varied.

Below 0.5 the same control asks for new material: the memory knows every 4-note pitch pattern of the voice's
last MOTIF_MEMORY notes, and the generator leans away from a pitch that would play one of them again.

The memory is pure bookkeeping in beats and MIDI numbers; the generator owns the randomness and the masks."""

from __future__ import annotations

import bisect
import math
from collections import Counter, deque
from dataclasses import dataclass

SPAN_BARS = 4  # a phrase: the unit that is repeated or sequenced
MEMORY_SPANS = 4  # how many spans back a recall may reach
SOURCE_WEIGHTS = (0.4, 0.3, 0.15, 0.15)  # the span just before is the likeliest source, then the one before it
SEQUENCE_STEPS = (2, -2, 3, -3, 4, -4, 5, -5)  # semitones a sequence moves (a fifth up is a fourth down)
REPEAT_SHARE = 0.5  # of recalls, the share played at the source's pitch
SLACK = 4.0  # semitones the steered register may stray from a recalled phrase before the phrase follows it
MOTIF = 4  # notes in a pitch pattern
MOTIF_MEMORY = 512  # own notes whose patterns are remembered
EPS = 1e-6
Draws = tuple[float, float, float]  # uniform 0..1: whether to recall, which span, how far to move it


@dataclass(frozen=True)
class Remembered:
    """One note as the voice played or heard it, at its onset beat on the voice's clock."""

    beat: float
    pitch: int
    duration: float
    velocity: int


@dataclass(frozen=True)
class Recall:
    """The plan for one span: which earlier span it returns to, and how far it is moved."""

    source: int  # span index of the source
    shift: int  # semitones
    register: float  # the steered register it was aimed at: if the register moves on, the phrase follows


@dataclass(frozen=True)
class Cue:
    """The source note the memory offers for the next note: where it falls and what it was."""

    beat: float  # its onset, moved into the current span
    pitch: int  # with the recall's shift
    duration: float
    velocity: int


def strength(repetition: float) -> float:
    """How far (in logits) a recalled note's source is preferred: enough at 0.5 to be recognised, at 1 to be exact."""
    return 3.0 + 6.0 * min(1.0, max(0.0, repetition))


def novelty(repetition: float) -> float:
    """How far (in logits) a pitch that would repeat a known pattern is avoided: 6 at 0, nothing from 0.5 up."""
    return 6.0 * max(0.0, 1.0 - 2.0 * max(0.0, repetition))


class Motifs:
    """The 4-note pitch patterns of a voice's last MOTIF_MEMORY notes, indexed by their first three pitches."""

    def __init__(self) -> None:
        self.pitches: deque[int] = deque(maxlen=MOTIF_MEMORY)
        self.next_of: dict[tuple[int, ...], Counter[int]] = {}

    def played(self, pitch: int) -> None:
        if len(self.pitches) == self.pitches.maxlen:  # the oldest pattern leaves the memory
            old = self._pattern(0)
            self._count(old[:-1], old[-1], -1)
        self.pitches.append(pitch)
        if len(self.pitches) >= MOTIF:
            last = self._pattern(len(self.pitches) - MOTIF)
            self._count(last[:-1], last[-1], 1)

    def _pattern(self, first: int, size: int = MOTIF) -> tuple[int, ...]:
        """``size`` pitches from index ``first`` (a deque reads its ends in constant time; no copy of it all)."""
        return tuple(self.pitches[i] for i in range(first, first + size))

    def repeats(self) -> list[int]:
        """Pitches that would complete a pattern already played, after the last three notes."""
        if len(self.pitches) < MOTIF - 1:
            return []
        prefix = self._pattern(len(self.pitches) - (MOTIF - 1), MOTIF - 1)
        return list(self.next_of.get(prefix, ()))

    def _count(self, prefix: tuple[int, ...], pitch: int, change: int) -> None:
        counts = self.next_of.setdefault(prefix, Counter())
        counts[pitch] += change
        if counts[pitch] <= 0:
            del counts[pitch]
            if not counts:
                del self.next_of[prefix]


class PhraseMemory:
    """The last MEMORY_SPANS + 1 spans of a voice, and the recall plan of each span it has entered."""

    def __init__(self, beats_per_bar: float) -> None:
        self.span_beats = SPAN_BARS * max(float(beats_per_bar), EPS)
        self.notes: list[Remembered] = []  # in onset order: a voice's clock only moves on
        self._beats: list[float] = []  # their onsets, to find a span by bisection
        self.plans: dict[int, Recall | None] = {}
        self.motifs = Motifs()

    def state(self) -> tuple:
        """A copy of what the memory holds, for a generator's snapshot."""
        return tuple(self.notes), tuple(self.plans.items()), tuple(self.motifs.pitches)

    def set_state(self, state: tuple) -> None:
        self.notes, self.plans = list(state[0]), dict(state[1])
        self._beats = [n.beat for n in self.notes]
        self.motifs = Motifs()
        for pitch in state[2]:
            self.motifs.played(pitch)

    def record(self, note: Remembered, own: bool = False) -> None:
        """A note that has now happened, kept while a recall may reach it; the voice's ``own`` notes also make up
        the patterns it avoids repeating (one it heard, a player's, may be recalled but is not avoided)."""
        self.notes.append(note)
        self._beats.append(note.beat)
        if own:
            self.motifs.played(note.pitch)
        oldest = (self.span(note.beat) - MEMORY_SPANS) * self.span_beats
        if self.notes[0].beat < oldest - EPS:
            keep = bisect.bisect_left(self._beats, oldest - EPS)
            self.notes, self._beats = self.notes[keep:], self._beats[keep:]
            self.plans = {k: v for k, v in self.plans.items() if k >= self.span(oldest)}

    def span(self, beat: float) -> int:
        return math.floor(beat / self.span_beats + EPS)

    def decide(self, span: int, repetition: float, register: float, u: Draws) -> Recall | None:
        """The plan of ``span``, made once (from three uniform draws): a recall with probability ``repetition``,
        if an earlier span holds notes; the shift keeps the source near the steered ``register``."""
        if span in self.plans:
            return self.plans[span]
        plan = None
        sources = [span - back for back in range(1, MEMORY_SPANS + 1) if len(self._in_span(span - back)) >= 2]
        if sources and u[0] < repetition:
            weights = [SOURCE_WEIGHTS[span - s - 1] for s in sources]
            source = sources[_pick(weights, u[1])]
            plan = Recall(source, self._shift(source, register, u[2]), register)
        self.plans[span] = plan
        return plan

    def _shift(self, source: int, register: float, u: float) -> int:
        """0 for a repeat, else a sequence step; and if the steered register has moved more than SLACK from where
        the source was played, moved there too (the performer's register wins over the memory)."""
        shift = 0 if u < REPEAT_SHARE else SEQUENCE_STEPS[int((u - REPEAT_SHARE) / (1 - REPEAT_SHARE) * 8) % 8]
        notes = self._in_span(source)
        return shift + _follow(register - sum(n.pitch for n in notes) / len(notes))

    def cue(self, last: float, free_onset: float, repetition: float, register: float, u: Draws) -> Cue | None:
        """The source note for the note after the one at beat ``last``: the next in a recalled span, or, when the
        model's own next onset ``free_onset`` would enter the next span and that span recalls, its first."""
        here = self.span(last)
        plan = self.plans.get(here)
        if plan is not None:
            cue = self._next_source(here, plan, last, register)
            if cue is not None:
                return cue
        ahead = here + 1
        if free_onset < ahead * self.span_beats - EPS:
            return None
        plan = self.decide(ahead, repetition, register, u)
        return self._next_source(ahead, plan, last, register) if plan is not None else None

    def sounding(self, beat: float, register: float) -> Cue | None:
        """The source note at ``beat`` in its recalled span (the latest source onset at or before it), under the
        steered ``register`` now."""
        here = self.span(beat)
        plan = self.plans.get(here)
        if plan is None:
            return None
        offset = beat - here * self.span_beats
        before = [n for n in self._in_span(plan.source) if n.beat - plan.source * self.span_beats <= offset + EPS]
        return self._moved(before[-1], here, plan, register) if before else None

    def _next_source(self, span: int, plan: Recall, last: float, register: float) -> Cue | None:
        """The first note of the source, moved into ``span``, that falls after beat ``last``."""
        for note in self._in_span(plan.source):
            cue = self._moved(note, span, plan, register)
            if cue.beat > last + EPS:
                return cue
        return None

    def _moved(self, note: Remembered, span: int, plan: Recall, register: float) -> Cue:
        """A source note in place in ``span``, with the recall's shift and as far as the register has moved since."""
        beat = note.beat + (span - plan.source) * self.span_beats
        return Cue(beat, note.pitch + plan.shift + _follow(register - plan.register), note.duration, note.velocity)

    def _in_span(self, span: int) -> list[Remembered]:
        lo, hi = span * self.span_beats - EPS, (span + 1) * self.span_beats - EPS
        return self.notes[bisect.bisect_left(self._beats, lo):bisect.bisect_left(self._beats, hi)]


def _follow(moved: float) -> int:
    """Semitones a recalled phrase moves for a register ``moved`` away: none within SLACK, else all the way."""
    return round(moved) if abs(moved) > SLACK else 0


def _pick(weights: list[float], u: float) -> int:
    """Index drawn in proportion to ``weights`` from one uniform draw."""
    target, acc = u * sum(weights), 0.0
    for i, w in enumerate(weights):
        acc += w
        if acc > target:
            return i
    return len(weights) - 1
