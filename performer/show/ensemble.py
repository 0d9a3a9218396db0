"""What the voices of a playing scene hear of each other: the harmony (music/harmony.py), the notes each one and
the player are sounding, the key and the style. From it each voice gets the constraints it chooses a note under,
and a chord voice its voicing."""

from __future__ import annotations

import dataclasses
import math

from performer.config.scene import SceneSpec, VoiceSpec
from performer.music.harmony import HarmonyPlan, Span, listed, snapped_rhythm
from performer.music.hearing import Hearing
from performer.music.keys import Key
from performer.music.progression import Chord
from performer.music.scales import Scale, key_pitch_class, pitch_classes
from performer.music.steering import Constraints, Steering, SteerParam
from performer.music.styles import blend, style_harmony, style_steering
from performer.music.voicing import voice_chord
from performer.show.mapping import Mapping, steer

MINOR_SCALES = {Scale.minor, Scale.dorian, Scale.phrygian, Scale.harmonic_minor, Scale.minor_pentatonic, Scale.blues}
KEEP = 16.0  # beats a note is remembered after it ends
PLAYER = "player"  # the voice name of the player's keys
PLAYER_BEATS = 1.0  # how long a player's key is taken to sound (its length is not known when it goes down)
EPS = 1e-6


@dataclasses.dataclass(frozen=True)
class Sounding:
    """A note of the scene, in its beats."""

    start: float
    end: float
    pitch: int
    voice: str


def allowed(chord: Chord, scale: frozenset[int]) -> frozenset[int]:
    """The pitch classes a voice may play over ``chord``: the chord's, and the scale's except those a semitone from
    a chord tone (the "avoid notes": F over C major, C over G7), so a voice's passing notes never rub the chord."""
    rubbing = {(t + d) % 12 for t in chord.tones for d in (1, 11)}
    return chord.classes | frozenset(pc for pc in scale if pc not in rubbing)


class Ensemble:
    """The harmony and the sounding notes of one playing scene."""

    def __init__(self, spec: SceneSpec, seed: int) -> None:
        self.spec = spec
        key = Key(key_pitch_class(spec.key), minor=spec.scale in MINOR_SCALES)
        self.harmony = HarmonyPlan(key, pitch_classes(spec.key, spec.scale), spec.beats_per_bar, seed,
                                   fixed=listed(spec.chords), fixed_bars=spec.chord_bars)
        self.notes: list[Sounding] = []
        self.voicings: dict[str, tuple[int, ...]] = {}
        pitched = [v for v in spec.voices if not v.drums]
        self.lowest = min(pitched, key=lambda v: sum(v.register_)).name if pitched else ""

    def steering(self, voice: VoiceSpec, mappings: list[Mapping], paces: list[float]) -> Steering:
        """A voice's steering now: its own, the scene's style's density and spread where it sets none, moved by
        its mappings; a drum voice's density also follows the ensemble's ``paces`` (each pitched voice's density
        over its own default, as it last chose)."""
        base = voice.steering.steering()
        unset = {"density", "spread"} - voice.steering.model_fields_set
        if unset and self.spec.style and not voice.drums:  # the scene's style plays what the voice leaves open
            density, spread = style_steering(self.spec.style, self.settings(mappings).style)
            base = dataclasses.replace(base, **{k: v for k, v in (("density", density), ("spread", spread))
                                                if k in unset})
        steering = steer(base, voice.name, mappings)
        if not voice.drums or not paces:
            return steering
        return steering.with_values({SteerParam.density: steering.density * sum(paces) / len(paces)})

    def placed(self, voice: VoiceSpec, anchor: bool, onset: float, cursor: float | None, density: float,
               mappings: list[Mapping]) -> float:
        """Where a planned onset lands: a chord voice or the bass (an ``anchor``) on the next change of the
        harmony if the onset would pass it; a drum voice on the meter's grid (eighths in compound meters, else by
        its ``density``)."""
        if anchor and cursor is not None:
            return min(onset, self.next_change(cursor, mappings))
        if voice.drums:
            grid = 0.5 if self.spec.meter[1] == 8 else 1.0 if density < 1.0 else 0.5 if density < 3.0 else 0.25
            return math.ceil(onset / grid - 1e-9) * grid
        return onset

    def settings(self, mappings: list[Mapping]) -> Steering:
        """The harmony's tension and rhythm and the style blend now: the scene's (its style's tension and rhythm
        where it sets none), moved by mappings to no voice."""
        base = self.spec.harmony_steering()
        unset = {"tension", "harmonic_rhythm"} - self.spec.model_fields_set
        if unset and self.spec.style:
            blend_now = steer(base, "", mappings).style
            tension, rhythm = style_harmony(self.spec.style, blend_now)
            base = dataclasses.replace(base, **{k: v for k, v in (("tension", tension), ("harmonic_rhythm", rhythm))
                                                if k in unset})
        return steer(base, "", mappings)

    def span(self, beat: float, mappings: list[Mapping], settings: Steering | None = None) -> Span:
        """The chord at ``beat`` (deciding it, if it is the first ask), under ``settings`` if given."""
        settings = settings or self.settings(mappings)
        return self.harmony.chord_at(beat, settings.tension, settings.harmonic_rhythm)

    def next_change(self, beat: float, mappings: list[Mapping]) -> float:
        """The first beat after ``beat`` at which the harmony may change: a bar line, or a faster rhythm's step."""
        bar = self.spec.beats_per_bar
        step = min(bar, bar / snapped_rhythm(self.settings(mappings).harmonic_rhythm))
        return (math.floor(beat / step + EPS) + 1) * step

    def constraints(self, voice: VoiceSpec, base: Constraints, beat: float, mappings: list[Mapping],
                    placed: tuple[float, ...] | None = None) -> Constraints:
        """What ``voice`` chooses its note at ``beat`` under: the chord (or, live, the key's notes that do not rub
        it) unless the voice keeps a scale of its own, and what it hears, with the onsets the others have
        ``placed`` (beats; None unless it is planning its next onset). Drums hear nothing of the harmony."""
        if voice.drums:
            return base
        settings = self.settings(mappings)
        span = self.span(beat, mappings, settings)
        onsets = () if placed is None else self._onsets_after(beat, voice.name, placed)
        hearing = Hearing(chord=span.chord.classes, root=span.chord.root, sounding=self.sounding_at(beat, voice.name),
                          tonic=self.harmony.key.tonic, minor=self.harmony.key.minor, style=self._style(settings),
                          strong=abs(beat - span.start) < EPS or _on_bar(beat, self.spec.beats_per_bar),
                          onsets=onsets, lock=voice.name == self.lowest)
        if voice.scale is not None:
            classes = base.pitch_classes
        elif self.harmony.fixed:
            classes = span.chord.classes
        else:
            classes = allowed(span.chord, self.harmony.scale)
        return dataclasses.replace(base, pitch_classes=classes, hearing=hearing)

    def _onsets_after(self, beat: float, exclude: str, placed: tuple[float, ...]) -> tuple[float, ...]:
        """Beats from ``beat`` to the onsets after it that the others have placed or played."""
        later = {b - beat for b in placed} | {n.start - beat for n in self.notes if n.voice != exclude}
        return tuple(sorted(round(o, 4) for o in later if o > EPS))

    def _style(self, settings: Steering) -> tuple[float, ...]:
        """Weights over the styles: the scene's first, moved toward its second by the style setting."""
        names = self.spec.style
        if not names:
            return ()
        return blend(names[0], names[1] if len(names) > 1 else None, settings.style)

    def sounding_at(self, beat: float, exclude: str) -> tuple[int, ...]:
        """The pitches the other voices and the player sound at ``beat``, lowest first."""
        return tuple(sorted(n.pitch for n in self.notes if n.voice != exclude and n.start <= beat + EPS < n.end))

    def record(self, voice: str, start: float, end: float, pitch: int) -> None:
        """A note decided (or a player's key): the voices that choose after it hear it."""
        self.notes.append(Sounding(start, end, pitch, voice))
        horizon = start - KEEP
        if self.notes[0].end < horizon:
            self.notes = [n for n in self.notes if n.end >= horizon]

    def hear_player(self, beat: float, pitch: int, mappings: list[Mapping], soonest: float) -> bool:
        """A player's key at ``beat``: the harmony follows it, the voices hear it as sounding for PLAYER_BEATS, and a
        key the chord cannot take changes the chord from ``soonest`` (the first beat a note can still start).
        Whether it did."""
        self.harmony.hear(beat, pitch)
        self.record(PLAYER, beat, beat + PLAYER_BEATS, pitch)
        settings = self.settings(mappings)
        return self.harmony.revise(soonest, pitch, settings.tension, settings.harmonic_rhythm)

    def voiced(self, voice: VoiceSpec, steering: Steering, beat: float, lead: int, mappings: list[Mapping]
               ) -> tuple[int, ...]:
        """A chord voice's chord at ``beat``: the harmony's chord voiced near the voice's last one, its own line's
        note on top where that is a chord tone."""
        chord = self.span(beat, mappings).chord
        low, high = voice.register_
        pitches = voice_chord(chord, self.voicings.get(voice.name, ()), low, high, steering.register, steering.spread,
                              lead, root_bottom=voice.name == self.lowest) or (lead,)
        self.voicings[voice.name] = pitches
        return pitches


def _on_bar(beat: float, bar: float) -> bool:
    return abs(beat / bar - round(beat / bar)) < EPS
