"""A scene while it plays: its voices, their generators and mappings, and where its bars fall in time."""

from __future__ import annotations

import dataclasses
import logging
import math
import zlib
from dataclasses import dataclass, field

from performer.config.scene import Mode, SceneSpec, VoiceSpec
from performer.generate.factory import GeneratorFactory, rule_factory
from performer.generate.protocol import Generator
from performer.generate.rulewalk import RuleGenerator
from performer.music.notes import NoteEvent
from performer.music.scales import pitch_classes
from performer.music.steering import Constraints, Steering
from performer.music.timeline import FixedTimeline, Timeline
from performer.show.callresponse import Call
from performer.show.mapping import Mapping, steer
from synthesis.protocol import Note, Param

log = logging.getLogger(__name__)

MIN_VELOCITY = 6  # a crossfading note quieter than this is not played


def derive_seed(seed: int, *names: str) -> int:
    """A stable per-voice seed (Python's hash() of a str changes between runs; crc32 does not)."""
    return zlib.crc32("/".join((str(seed),) + names).encode())


def voice_classes(scene: SceneSpec, voice: VoiceSpec) -> frozenset[int]:
    """The pitch classes a voice samples under: the scene's key in the voice's own scale if it names one (a drum
    voice's "chromatic"), else in the scene's."""
    return pitch_classes(scene.key, voice.scale if voice.scale is not None else scene.scale)


@dataclass
class VoiceRun:
    """One voice of a playing scene: its generator, the beat of its last note, and when to decide the next."""

    spec: VoiceSpec
    generator: Generator
    constraints: Constraints
    decide_at: float
    cursor: float | None = None
    done: bool = False
    steering: Steering = field(default_factory=Steering)
    pending: Note | None = None  # chosen, but not due to be sent until one lookahead before it sounds


class SceneRun:
    """A scene placed on the clock at ``start``. It ends at ``end`` (a bar line) once the show moves on."""

    def __init__(self, spec: SceneSpec, start: float, seed: int, lookahead: float, control_rate: float,
                 factory: GeneratorFactory = rule_factory, sampling: tuple[float, float] = (1.0, 1.0),
                 timeline: Timeline | None = None) -> None:
        self.spec = spec
        self.start = start
        self.end = math.inf
        self.fades: list[tuple[float, float, bool]] = []  # (from, to, rising): velocity ramps of a crossfade
        bar = spec.bar_seconds
        self.call = Call(gap=60.0 / spec.tempo, shortest=bar, longest=2 * bar)  # the player's phrases
        self.lookahead = lookahead
        self.timeline = timeline or FixedTimeline(start, 60.0 / spec.tempo)  # or following a Link session
        self.mappings = [Mapping(m, control_rate) for m in spec.mappings]
        self.instrument_of = {v.name: v.instrument for v in spec.voices}
        temperature, top_p = sampling
        self.voices = [
            VoiceRun(spec=v, generator=factory(derive_seed(seed, spec.name, v.name), spec, i),
                     constraints=Constraints(voice_classes(spec, v), low=v.register_[0], high=v.register_[1],
                                             temperature=temperature, top_p=top_p),
                     decide_at=start - lookahead, steering=v.steering.steering())
            for i, v in enumerate(spec.voices)
        ]

    @property
    def finished(self) -> bool:
        return all(v.done for v in self.voices)

    def fade_in(self, start: float, end: float) -> None:
        """Rise from silence at ``start`` to full at ``end`` (nothing when they are equal)."""
        if end > start:
            self.fades.append((start, end, True))

    def fade_out(self, start: float, end: float) -> None:
        """Fall from full at ``start`` to silence at ``end``, where the scene ends; notes already sounding finish."""
        self.end = end
        self.fades = [fade for fade in self.fades if fade[2]]  # a retargeted change replaces its fade-out
        if end > start:
            self.fades.append((start, end, False))

    def gain(self, t: float) -> float:
        """The crossfades' velocity scale at ``t``."""
        gain = 1.0
        for start, end, rising in self.fades:
            k = min(1.0, max(0.0, (t - start) / (end - start)))
            gain *= k if rising else 1.0 - k
        return gain

    def time_of(self, beat: float) -> float:
        """Clock time of a beat of this scene."""
        return self.timeline.time_of(beat)

    def next_bar(self, t: float) -> float:
        """The first bar line of this scene at or after ``t``."""
        bar = self.spec.beats_per_bar
        return self.time_of(max(0, math.ceil(self.timeline.beat_at(t) / bar - 1e-9)) * bar)

    def param_changes(self, t: float) -> list[Param]:
        """Instrument parameters whose mappings moved, to take effect one lookahead from ``t`` (with the notes
        decided now); nothing before the scene starts or after it ends."""
        if not self.start <= t < self.end:
            return []
        changes = []
        for mapping in self.mappings:
            if not mapping.spec.steers and mapping.changed():
                mapping.sent = mapping.value
                assert mapping.spec.voice is not None  # load_scene: an instrument parameter names its voice
                instrument = self.instrument_of[mapping.spec.voice]
                changes.append(Param(instrument, str(mapping.spec.param), mapping.value, at=t + self.lookahead))
        return changes

    def _sample(self, voice: VoiceRun) -> NoteEvent:
        """The voice's next note. Should its generator ever fail, the voice goes on with the rule-based one."""
        try:
            return voice.generator.sample(voice.steering, voice.constraints)
        except Exception:  # the live loop must not stop for a generator bug
            log.exception("scene %r, voice %r: generator failed; continuing with the rule-based generator",
                          self.spec.name, voice.spec.name)
            voice.generator = RuleGenerator(zlib.crc32(voice.spec.name.encode()))
            return voice.generator.sample(voice.steering, voice.constraints)

    def next_decision(self) -> float:
        """When the earliest voice must choose its next note (inf when all are done)."""
        return min((v.decide_at for v in self.voices if not v.done), default=math.inf)

    def decide(self) -> Note | None:
        """Advance the voice that is due first: choose its next note, or send the one it holds.

        A note is chosen when the voice's previous note is one lookahead away, but sent only one lookahead before
        it sounds, so a cue that arrives during a long rest still drops it. None means nothing to send now."""
        voice = min((v for v in self.voices if not v.done), key=lambda v: v.decide_at)
        if voice.pending is None:
            voice.pending = self._choose(voice)
        note = voice.pending
        if note.start >= self.end - 1e-9:
            voice.done, voice.pending = True, None
            return None
        send_at = note.start - self.lookahead
        answering = self.spec.mode_of(voice.spec) is Mode.answer
        if note.velocity < MIN_VELOCITY or (answering and not self.call.may_answer(note.start)):  # a rest
            voice.pending, voice.decide_at = None, max(voice.decide_at, send_at)
            return None
        if send_at > voice.decide_at + 1e-9:
            voice.decide_at = send_at
            return None
        voice.pending = None
        voice.decide_at = send_at
        return note

    def _choose(self, voice: VoiceRun) -> Note:
        voice.steering = steer(voice.spec.steering.steering(), voice.spec.name, self.mappings)
        event = self._sample_in_chord(voice) if self.spec.chords and voice.spec.scale is None else self._sample(voice)
        voice.cursor = self._landing(voice, event)
        start = self.time_of(voice.cursor)
        velocity = round(event.velocity * self.gain(start)) if self.fades else event.velocity
        duration = event.duration * self.timeline.seconds_per_beat()
        return Note(start=start, duration=duration, pitch=event.pitch, velocity=velocity,
                    instrument=voice.spec.instrument, voice=voice.spec.name, channel=voice.spec.channel)

    @staticmethod
    def _landing(voice: VoiceRun, event: NoteEvent) -> float:
        """The beat a sampled note starts on: the voice's first at its start, the rest after the one before."""
        return voice.spec.start if voice.cursor is None else voice.cursor + event.delta

    def _sample_in_chord(self, voice: VoiceRun) -> NoteEvent:
        """A note under the chord of the bar it lands in: sampled under the chord where the voice stands, and if
        it lands under another chord, sampled again from the same state under that one."""
        position = voice.cursor if voice.cursor is not None else voice.spec.start
        chord = self.spec.chord_at(position)
        assert chord is not None  # only called for scenes with a chord sequence
        snapshot = voice.generator.snapshot()
        voice.constraints = dataclasses.replace(voice.constraints, pitch_classes=chord)
        event = self._sample(voice)
        landed = self.spec.chord_at(self._landing(voice, event))
        if landed != chord and landed is not None:
            voice.generator.restore(snapshot)
            voice.constraints = dataclasses.replace(voice.constraints, pitch_classes=landed)
            event = self._sample(voice)
        return event

    def hear(self, t: float, pitch: int, velocity: int) -> None:
        """A player's key at ``t``: into the history of every voice that listens (accompanying or answering), so
        each continues from it. Its length is not known yet, so it goes in as one beat; the voice's next note is
        placed after it."""
        if not self.start <= t < self.end:
            return
        self.call.press(t)
        for voice in self.voices:
            if self.spec.mode_of(voice.spec) is not Mode.autonomous:
                self._feed(voice, t, pitch, velocity)

    def lift(self, t: float) -> None:
        """A player's key went up at ``t`` (the end of a call, once none is held)."""
        self.call.lift(t)

    def _feed(self, voice: VoiceRun, t: float, pitch: int, velocity: int) -> None:
        beat = self.timeline.beat_at(t)
        last = voice.cursor if voice.cursor is not None else beat
        try:
            voice.generator.feed(NoteEvent(delta=max(0.0, beat - last), duration=1.0, pitch=pitch,
                                           velocity=velocity))
        except Exception:  # as in _sample: the live loop must not stop for a generator bug
            log.exception("scene %r, voice %r: feeding the player's note failed", self.spec.name, voice.spec.name)
        voice.cursor = max(last, beat)
