"""The schema of a scene file (scenes/*.toml): tempo, key and scale, voices, and mappings from signals to steering."""

from __future__ import annotations

import math
from enum import Enum
from typing import Optional, Union

from pydantic import Field, field_validator, model_validator

from performer.config.base import Strict
from performer.music.chords import chord_classes
from performer.music.scales import Scale, key_pitch_class
from performer.music.steering import DEFAULT_SPREAD, LIMITS, SCENE_PARAMS, Steering, SteerParam
from performer.music.styles import style_index
from sensors.cues import name_problem
from sensors.events import is_signal_name
from synthesis.catalog import INSTRUMENTS, PARAMS


def checked_signal(value: str) -> str:
    """A signal name as scenes write it, or ValueError saying what one looks like."""
    if not is_signal_name(value):
        raise ValueError(f"expected a signal name like midi/cc/1 or audience/energy, got {value!r}")
    return value


class Curve(str, Enum):
    """Response curves a mapping may apply to its 0..1 signal."""

    linear = "linear"
    exponential = "exponential"
    logarithmic = "logarithmic"
    scurve = "scurve"


class Smoothing(Strict):
    """One-Euro filter settings: lower min_cutoff removes more jitter, higher beta reduces lag on fast moves."""

    min_cutoff: float = Field(1.0, gt=0)
    beta: float = Field(0.0, ge=0)
    d_cutoff: float = Field(1.0, gt=0)


class MappingSpec(Strict):
    """Signal -> a steering parameter of the model, a parameter of the voice's instrument (brightness, detune,
    attack, release, reverb, delay, and on sounding notes expression and bend: see synthesis/catalog.py), or
    ``glide``: a target pitch the voice's sounding note follows (``snap``: to the voice's scale). ``default`` is
    the signal value assumed while the signal is absent."""

    signal: str
    param: Union[SteerParam, str] = Field(union_mode="left_to_right")
    voice: Optional[str] = None
    range: tuple[float, float]
    curve: Curve = Curve.linear
    invert: bool = False
    default: float = Field(0.5, ge=0.0, le=1.0)
    smoothing: Optional[Smoothing] = None
    snap: bool = False

    _signal_name = field_validator("signal")(lambda cls, value: checked_signal(value))

    @field_validator("param")
    @classmethod
    def _known_param(cls, value: SteerParam | str) -> SteerParam | str:
        if not isinstance(value, SteerParam) and value not in INSTRUMENT_PARAMS | {GLIDE}:
            names = ", ".join([p.value for p in SteerParam] + sorted(INSTRUMENT_PARAMS | {GLIDE}))
            raise ValueError(f"expected one of {names}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _range_in_limits(self) -> "MappingSpec":
        if isinstance(self.param, SteerParam):
            check_range(self.param.value, self.range, LIMITS[self.param])
        if self.param == GLIDE:
            check_range(GLIDE, self.range, (0.0, 127.0))
        elif self.snap:
            raise ValueError(f"snap applies to a glide mapping, not to {self.param!r}")
        return self

    @property
    def steers(self) -> bool:
        """Whether this mapping steers the model (else it sets an instrument parameter)."""
        return isinstance(self.param, SteerParam)


INSTRUMENT_PARAMS = {name for params in PARAMS.values() for name in params}
GLIDE = "glide"  # a target pitch for the voice's sounding note, carried there by its instrument's bend


def check_range(name: str, values: tuple[float, float], limits: tuple[float, float]) -> None:
    """Raise ValueError unless both ends of a mapping's range lie within the parameter's limits."""
    lo, hi = limits
    if not all(lo <= v <= hi for v in values):
        raise ValueError(f"range for {name} must lie within {lo:g}..{hi:g}, got {list(values)}")


class SteeringSpec(Strict):
    """A voice's steering when no mapping moves it."""

    def steering(self) -> Steering:
        """As the runtime's Steering value."""
        return Steering(density=self.density, register=self.register_, spread=self.spread, velocity=self.velocity,
                        repetition=self.repetition)

    density: float = Field(1.0, ge=LIMITS[SteerParam.density][0], le=LIMITS[SteerParam.density][1])
    # "register" would shadow ABCMeta.register on a pydantic model, hence the alias.
    register_: float = Field(64.0, alias="register", ge=LIMITS[SteerParam.register][0],
                             le=LIMITS[SteerParam.register][1])
    spread: float = Field(DEFAULT_SPREAD, ge=LIMITS[SteerParam.spread][0], le=LIMITS[SteerParam.spread][1])
    velocity: float = Field(80.0, ge=LIMITS[SteerParam.velocity][0], le=LIMITS[SteerParam.velocity][1])
    repetition: float = Field(0.5, ge=LIMITS[SteerParam.repetition][0], le=LIMITS[SteerParam.repetition][1])


class Mode(str, Enum):
    """How a voice plays with the player: it hears their keys and goes on playing (accompany), it waits for them
    to finish a phrase and answers it (answer: call and response), or it takes no notice (autonomous)."""

    accompany = "accompany"
    answer = "answer"
    autonomous = "autonomous"


class VoiceSpec(Strict):
    """One generated part: which instrument plays it, in what pitch range, on which MIDI channel. ``scale``
    overrides the scene's scale for this voice (same key): a drum voice, whose pitches pick kit pieces, wants
    "chromatic" so it can reach every one of them."""

    name: str = Field(min_length=1)
    instrument: str
    register_: tuple[int, int] = Field((48, 84), alias="register")
    channel: int = Field(1, ge=1, le=16)
    steering: SteeringSpec = SteeringSpec()
    scale: Optional[Scale] = None  # None: the scene's scale
    start: float = Field(0.0, ge=0.0, le=64.0)  # beats into the scene before its first note: a backbeat snare's 1
    mode: Optional[Mode] = None  # None: the scene's thru voice accompanies, the others are autonomous
    chords: Optional[bool] = None  # plays voiced chords of the harmony; None: a pad does, other instruments do not

    @property
    def plays_chords(self) -> bool:
        """Whether this voice plays voiced chords (chords = true, or a pad that does not say)."""
        if self.drums:
            return False
        return self.chords if self.chords is not None else self.instrument == "pad"

    @property
    def holds_chords(self) -> bool:
        """Whether this voice's chords hold until the next change of the harmony (or its next chord, which
        releases them): a pad's do; a keys voice with chords = true keeps the model's lengths."""
        return self.plays_chords and self.instrument == "pad"

    @property
    def drums(self) -> bool:
        """Whether this voice plays the drum kit: it follows the meter and the ensemble's density, not the harmony."""
        return self.instrument == "drums"

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, value: str) -> str:
        if value not in INSTRUMENTS:
            raise ValueError(f"expected one of {', '.join(sorted(INSTRUMENTS))}, got {value!r}")
        return value

    @field_validator("register_")
    @classmethod
    def _register(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if not (0 <= lo < hi <= 127):
            raise ValueError(f"expected [low, high] with 0 <= low < high <= 127, got {list(value)}")
        return value


class Length(Strict):
    """How long a scene plays before the show moves on by itself, in ``bars`` or ``seconds`` (rounded up to a bar
    line). A scene without a length plays until a cue."""

    bars: Optional[int] = Field(None, ge=1, le=100000)
    seconds: Optional[float] = Field(None, gt=0.0, le=7 * 86400.0)

    @model_validator(mode="after")
    def _one(self) -> "Length":
        if (self.bars is None) == (self.seconds is None):
            raise ValueError("expected exactly one of bars or seconds, like { bars = 16 }")
        return self


class Transition(Strict):
    """How a scene enters: the scene before it fades out while this one fades in, over ``bars`` of this scene's
    bars from the bar line where it starts (0: a cut on the bar line). Notes already sounding always finish."""

    bars: int = Field(0, ge=0, le=64)


class Edge(str, Enum):
    """Which crossing of a trigger's threshold fires it."""

    rise = "rise"
    fall = "fall"


class Crossing(Strict):
    """Something that fires when ``signal`` crosses ``threshold`` (upward, or downward with ``edge = "fall"``)."""

    signal: str
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    edge: Edge = Edge.rise

    _signal_name = field_validator("signal")(lambda cls, value: checked_signal(value))

    def fires(self, before: float, now: float) -> bool:
        """Whether the signal crossed the threshold, the way this edge means, between two looks."""
        if self.edge == Edge.rise:
            return before < self.threshold <= now
        return before >= self.threshold > now


class Trigger(Crossing):
    """A cue fired while this scene plays, when ``signal`` crosses ``threshold``: a MIDI note or CC
    (``midi/note/36``, ``midi/cc/64``), an OSC address (``osc/cue/go``), a key in the monitor (``key/g``), the
    audience coming or going (``audience/presence`` with ``edge = "fall"``)."""

    cue: str = Field(min_length=1)  # next, prev, panic, a scene's name, or #N (the Nth scene, from 0)


class Strike(Crossing):
    """A gesture onset: when ``signal`` crosses ``threshold``, ``voice`` plays a note now, chosen by its generator
    on the spot, rather than on its next planned onset: a pinch (``hand/right/pinch``), a hand entering
    (``hand/left/presence``), a strike of the hand (``hand/right/speed``), a MIDI pad (``midi/note/36``)."""

    voice: str


class SceneSpec(Strict):
    """A scene: how fast, in what key, which voices, and what steers them; how long it lasts, how it enters, and
    what moves the show on from it."""

    # not a cue word (next, stop, ...) nor #N: it could never be cued by name
    name: str = Field(min_length=1, max_length=64)
    tempo: float = Field(ge=20, le=300)
    link: bool = False  # follow the Ableton Link session's tempo and phase (rig [link] enabled); tempo if alone
    meter: tuple[int, int] = (4, 4)
    key: str = "C"
    scale: Scale = Scale.major
    voices: list[VoiceSpec] = Field(min_length=1)
    mappings: list[MappingSpec] = []
    thru: Optional[str] = None  # the voice the player's keys sound on and feed; None: the first; "": none
    length: Optional[Length] = None
    transition: Transition = Transition()
    triggers: list[Trigger] = []
    strikes: list[Strike] = []
    count_in: int = Field(0, ge=0, le=16)  # beats of clicks before the scene starts, when a cue brings it in
    chords: list[str] = []  # a chord sequence instead of key and scale (voices with their own scale keep it)
    chord_bars: float = Field(1.0, gt=0.0, le=64.0)  # bars each chord lasts
    tension: float = Field(0.3, ge=0.0, le=1.0)  # without a chord list: how far the live harmony strays
    harmonic_rhythm: float = Field(1.0, ge=0.25, le=4.0)  # ... and how many chords a bar it plays
    style: list[str] = Field([], max_length=2)  # a style the model plays in, or two to blend (STYLES)
    style_blend: float = Field(0.0, ge=0.0, le=1.0)  # how far toward the second style; a "style" mapping moves it

    @field_validator("style")
    @classmethod
    def _styles(cls, value: list[str]) -> list[str]:
        for name in value:
            style_index(name)
        return value

    @model_validator(mode="after")
    def _scene_params(self) -> "SceneSpec":
        for i, mapping in enumerate(self.mappings):
            if mapping.param in SCENE_PARAMS and mapping.voice is not None:
                name = getattr(mapping.param, 'value', mapping.param)
                raise ValueError(f"mappings[{i}]: {name} steers the whole scene's harmony or style, "
                                 f"not one voice: leave voice out")
        return self

    def harmony_steering(self) -> Steering:
        """The scene's harmony and style settings when no mapping moves them."""
        return Steering(tension=self.tension, harmonic_rhythm=self.harmonic_rhythm, style=self.style_blend)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        problem = name_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("chords")
    @classmethod
    def _chords(cls, value: list[str]) -> list[str]:
        for symbol in value:
            chord_classes(symbol)
        return value

    def chord_at(self, beat: float) -> frozenset[int] | None:
        """The pitch classes of the chord in force at ``beat`` of the scene (the sequence repeats); None without
        a chord sequence."""
        if not self.chords:
            return None
        index = int((max(0.0, beat) + 1e-9) // (self.chord_bars * self.beats_per_bar)) % len(self.chords)
        return chord_classes(self.chords[index])

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        key_pitch_class(value)
        return value

    @field_validator("meter")
    @classmethod
    def _meter(cls, value: tuple[int, int]) -> tuple[int, int]:
        beats, unit = value
        if not (1 <= beats <= 32 and unit in (1, 2, 4, 8, 16)):
            raise ValueError(f"expected [beats, unit] like [4, 4] or [6, 8], got {list(value)}")
        return value

    def mode_of(self, voice: VoiceSpec) -> Mode:
        """A voice's mode with the player: as it says, else accompany for the thru voice, autonomous for others."""
        if voice.mode is not None:
            return voice.mode
        return Mode.accompany if voice is self.thru_voice else Mode.autonomous

    @property
    def thru_voice(self) -> VoiceSpec | None:
        """The voice whose instrument plays the player's keys and whose generator hears them."""
        if self.thru is None:
            return self.voices[0]
        return next((v for v in self.voices if v.name == self.thru), None)

    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.meter[0] * 4.0 / self.meter[1]

    @property
    def bar_seconds(self) -> float:
        """One bar, in seconds."""
        return self.beats_per_bar * 60.0 / self.tempo

    def length_seconds(self) -> float | None:
        """How long the scene plays before moving on, to a whole number of bars; None: until a cue."""
        length = self.length
        if length is None:
            return None
        if length.bars is not None:
            bars = length.bars
        else:
            assert length.seconds is not None  # Length's validator sets exactly one of bars and seconds
            bars = math.ceil(length.seconds / self.bar_seconds - 1e-9)
        return max(1, bars) * self.bar_seconds
