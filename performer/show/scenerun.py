"""A scene while it plays: its voices, their generators and mappings, and where its bars fall in time."""

from __future__ import annotations

import logging
import math
import zlib

from performer.config.scene import GLIDE, Mode, SceneSpec
from performer.generate.factory import GeneratorFactory, rule_factory, voice_role
from performer.generate.model.tokens import BASS_ROLE
from performer.generate.rulewalk import RuleGenerator
from performer.music.notes import NoteEvent
from performer.music.steering import Constraints, Steering
from performer.music.timeline import FixedTimeline, Timeline
from performer.show.bus import ControlBus
from performer.show.callresponse import Call
from performer.show.ensemble import Ensemble
from performer.show.expression import Glide
from performer.show.mapping import Mapping
from performer.show.voicerun import VoiceRun, density_ratio, derive_seed, leapt, voice_classes
from synthesis.catalog import PARAMS
from synthesis.protocol import Cut, Note, Param

log = logging.getLogger(__name__)

MIN_VELOCITY = 6  # a crossfading note quieter than this is not played
REPLAN_EVERY = 0.05  # seconds: a voice re-plans its next onset at most this often (a noisy camera cannot churn)
REPLAN_RATIO = 1.2  # ...and only when its density has moved by at least this factor since the plan
ONSET_GRID = 0.25  # beats: an onset pulled earlier than the lookahead allows lands on the next sixteenth
CUT_RATIO = 2.0  # a density this many times the one an onset was planned under cuts the voice's held note
CHORD_SPREAD = 0.04  # seconds: a player's key this soon after the last one is part of the same chord (a strum)
CHORD_HANDOVER = 0.005  # seconds before a pad's new chord that its held one is released, so the cut spares the new


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
        self.glides = {m.spec.voice: Glide(m, self.instrument_of[m.spec.voice], voice_classes(spec, v))
                       for m in self.mappings if m.spec.param == GLIDE and m.spec.voice is not None
                       for v in spec.voices if v.name == m.spec.voice}
        self._rested = False  # whether the scene has set its instruments' unmapped expression and bend
        self._strike_levels: list[float] = []  # the strikes' signals at the last look
        self._last_key = -math.inf  # when the player's last key went down
        self.cuts: list[Cut] = []  # held notes to release, for the conductor to send
        temperature, top_p = sampling
        self.voices = [
            VoiceRun(spec=v, generator=factory(derive_seed(seed, spec.name, v.name), spec, i),
                     constraints=Constraints(voice_classes(spec, v), low=v.register_[0], high=v.register_[1],
                                             temperature=temperature, top_p=top_p),
                     decide_at=start - lookahead, steering=v.steering.steering())
            for i, v in enumerate(spec.voices)
        ]
        self.ensemble = Ensemble(spec, derive_seed(seed, spec.name, "harmony"))
        # voices that sound each chord change on its beat: the chord voices and the bass
        self.anchors = {v.name for i, v in enumerate(spec.voices)
                        if not v.drums and (v.plays_chords or voice_role(spec, i) == BASS_ROLE)}

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
        """Instrument parameters whose mappings moved, and glides that move a sounding note, to take effect at once
        (with a short glide in the engine); nothing before the scene starts or after it ends. First, the resting
        expression and bend of the instruments the scene does not map, which another scene may have left moved."""
        if not self.start <= t < self.end:
            return []
        changes = [] if self._rested else self._rest(t)
        for mapping in self.mappings:
            if mapping.spec.param == GLIDE:
                moved = self.glides[mapping.spec.voice].moved(t) if mapping.spec.voice else None
                changes += [moved] if moved is not None else []
            elif not mapping.spec.steers and mapping.changed():
                mapping.sent = mapping.value
                assert mapping.spec.voice is not None  # load_scene: an instrument parameter names its voice
                instrument = self.instrument_of[mapping.spec.voice]
                changes.append(Param(instrument, str(mapping.spec.param), mapping.value, at=t))
        return changes

    def at_once(self, signal: str, bus: ControlBus, t: float) -> list[Param]:
        """A control event's own moment: the unsmoothed instrument parameters and glides it moves are sent now, at
        its time, not at the next control tick (a hand's swell is heard within an audio period, not a tick on)."""
        if not self.start <= t < self.end:
            return []
        for mapping in self.mappings:
            if mapping.spec.signal == signal and mapping.spec.smoothing is None and not mapping.spec.steers:
                mapping.update(bus)
        return self.param_changes(t)  # only what moved since the last tick: the mappings just updated

    def _rest(self, t: float) -> list[Param]:
        self._rested = True
        mapped = {(self.instrument_of[m.spec.voice], "bend" if m.spec.param == GLIDE else str(m.spec.param))
                  for m in self.mappings if not m.spec.steers and m.spec.voice is not None}
        return [Param(instrument, name, PARAMS[instrument][name][0], at=t)
                for instrument in sorted(set(self.instrument_of.values())) for name in ("expression", "bend")
                if name in PARAMS[instrument] and (instrument, name) not in mapped]

    def on_note(self, note: Note) -> list[Param]:
        """What a note sent brings with it: a glide voice's bend, so the note starts on the glide's target."""
        glide = self.glides.get(note.voice)
        return [glide.on_note(note)] if glide is not None else []

    def next_decision(self) -> float:
        """When the earliest voice must act next (inf when all are done)."""
        return min((v.decide_at for v in self.voices if not v.done), default=math.inf)

    def decide(self) -> list[Note]:
        """Advance the voice that is due first: plan its next onset, or, one lookahead before that onset, choose
        the note from the steering of that moment and send it.

        Only the onset is fixed early, so a cue or a control that moves before the send time is heard in the note
        itself. A chord voice sends its chord's notes; nothing to send now is an empty list."""
        voice = min((v for v in self.voices if not v.done), key=lambda v: v.decide_at)
        if voice.onset is None:
            self._plan(voice, voice.decide_at)
            return []
        onset, voice.onset = voice.onset, None
        if self.time_of(onset) >= self.end - 1e-9:  # the show moved on before this note
            voice.done = True
            return []
        notes = self._complete(voice, onset)
        answering = self.spec.mode_of(voice.spec) is Mode.answer
        if notes[0].velocity < MIN_VELOCITY or (answering and not self.call.may_answer(notes[0].start)):  # a rest
            return []
        return self._sounded(voice, notes)

    def strikes(self, bus: ControlBus, t: float) -> list[Note]:
        """Gesture onsets: each strike whose signal crossed its threshold since the last look plays its voice's
        note now, one lookahead on (the soonest the engine can start it), chosen by the generator on the spot.
        The voice then plans its next onset from that note."""
        values = [bus.value(strike.signal, 0.0) for strike in self.spec.strikes]
        levels, self._strike_levels = self._strike_levels, values
        if not levels or not self.start <= t < self.end:
            return []
        struck = {s.voice for s, before, now in zip(self.spec.strikes, levels, values) if s.fires(before, now)}
        return [note for voice in self.voices if voice.spec.name in struck and not voice.done
                for note in self._strike(voice, t)]

    def _strike(self, voice: VoiceRun, t: float) -> list[Note]:
        beat = max(self.timeline.beat_at(t + self.lookahead), voice.cursor or 0.0)
        if self.time_of(beat) >= self.end - 1e-9:
            return []
        notes = self._complete(voice, beat)
        voice.onset, voice.decide_at = None, t  # plan the next onset from this note
        return self._sounded(voice, notes) if notes[0].velocity >= MIN_VELOCITY else []

    def _sounded(self, voice: VoiceRun, notes: list[Note]) -> list[Note]:
        """Notes about to be sent: the other voices hear them from now on (a rest is never heard)."""
        assert voice.cursor is not None and voice.last_end is not None  # _complete set both
        for note in notes:
            self.ensemble.record(voice.spec.name, voice.cursor, voice.last_end, note.pitch)
        return notes

    def _plan(self, voice: VoiceRun, t: float) -> None:
        """The voice's next onset, from the steering at ``t``; it acts again one lookahead before it."""
        voice.steering = voice.planned = self._steering(voice)
        onset = self._placed(voice, self._landing(voice, self._plan_delta(voice)))
        if self.time_of(onset) >= self.end - 1e-9:
            voice.done, voice.onset = True, None
            return
        self._set_onset(voice, onset, t)

    def _plan_delta(self, voice: VoiceRun) -> float:
        """The generator's planned delta. Should it ever fail, the voice goes on with the rule-based one."""
        try:
            return voice.generator.plan(voice.steering, self._constraints(voice, voice.cursor, planning=True))
        except Exception:  # the live loop must not stop for a generator bug
            self._fall_back(voice)
            return voice.generator.plan(voice.steering, voice.constraints)

    def replan(self, t: float) -> int:
        """Voices whose steering moved far enough since they planned their next onset plan it again from the same
        draw (a rest chosen under a sparse setting ends as soon as it turns dense), at most every REPLAN_EVERY;
        a leap of the register brings the onset forward to the first sixteenth it can still take, so a hand or
        knob thrown to a new register is answered by a note there. An onset never moves closer than one lookahead
        from ``t``. Returns how many onsets moved."""
        moved = 0
        for voice in self.voices:
            if voice.done or voice.onset is None or t - voice.replanned_at < REPLAN_EVERY:
                continue
            steering = self._steering(voice)
            if voice.planned is not None and leapt(voice.planned, steering):
                moved += self._bring_forward(voice, steering, t)
            elif voice.planned is None or density_ratio(voice.planned, steering) >= REPLAN_RATIO:
                moved += self._replan(voice, steering, t)
        return moved

    def _bring_forward(self, voice: VoiceRun, steering: Steering, t: float) -> int:
        voice.planned, voice.replanned_at = steering, t
        earliest = self._earliest(t)
        if voice.cursor is not None and earliest <= voice.cursor + 1e-9:
            earliest = voice.cursor + ONSET_GRID
        if voice.onset is None or earliest >= voice.onset - 1e-9:
            return 0
        self._set_onset(voice, earliest, t)
        return 1

    def _replan(self, voice: VoiceRun, steering: Steering, t: float) -> int:
        if voice.planned is not None and steering.density >= CUT_RATIO * voice.planned.density:
            self._cut_held(voice, t)
        voice.steering = voice.planned = steering
        voice.replanned_at = t
        onset = max(self._placed(voice, self._landing(voice, self._plan_delta(voice))), self._earliest(t))
        if abs(onset - (voice.onset or onset)) < 1e-9:
            return 0
        self._set_onset(voice, onset, t)
        return 1

    def _set_onset(self, voice: VoiceRun, onset: float, t: float) -> None:
        """The voice's next onset; it chooses the note one lookahead before it (at once if that is past)."""
        voice.onset = onset
        voice.decide_at = max(t, self.time_of(onset) - self.lookahead)

    def _cut_held(self, voice: VoiceRun, t: float) -> None:
        """A voice turned dense: the long note it chose under the sparse setting stops at the first sixteenth a new
        note can take, so the new rhythm need not wait for it (a player would lift the key)."""
        earliest = self._earliest(t)
        if voice.cursor is None or voice.last_end is None or voice.last_end <= earliest + 1e-9:
            return
        voice.generator.cut_after(earliest - voice.cursor)
        voice.last_end = earliest
        self.cuts.append(Cut(voice.spec.name, self.time_of(earliest)))

    def take_cuts(self) -> list[Cut]:
        """The cuts decided since the last call."""
        cuts, self.cuts = self.cuts, []
        return cuts

    def _earliest(self, t: float) -> float:
        """The first sixteenth of this scene that a note decided at ``t`` can still start on."""
        beat = self.timeline.beat_at(t + self.lookahead)
        return math.ceil(beat / ONSET_GRID - 1e-9) * ONSET_GRID

    def _complete(self, voice: VoiceRun, onset: float) -> list[Note]:
        """The planned note, its pitch, length and loudness chosen now, under the harmony it lands in and what the
        other voices sound there; a chord voice's note becomes its chord, held to the next change."""
        voice.steering = self._steering(voice)
        delta = onset - voice.cursor if voice.cursor is not None else 0.0
        constraints = self._constraints(voice, onset)
        try:
            event = voice.generator.complete(voice.steering, constraints, delta)
        except Exception:  # the live loop must not stop for a generator bug
            self._fall_back(voice)
            event = voice.generator.complete(voice.steering, constraints, delta)
        length = event.duration
        pitches: tuple[int, ...] = (event.pitch,)
        if voice.spec.plays_chords:
            change = self.ensemble.next_change(onset, self.mappings) - onset
            length = change if voice.spec.holds_chords else min(length, change)
            pitches = self.ensemble.voiced(voice.spec, voice.steering, onset, event.pitch, self.mappings)
            if voice.last_end is not None and voice.last_end > onset + 1e-9:  # a held chord gives way to this one
                self.cuts.append(Cut(voice.spec.name, self.time_of(onset) - CHORD_HANDOVER))
        voice.cursor, voice.last_end = onset, onset + length
        start = self.time_of(onset)
        velocity = round(event.velocity * self.gain(start)) if self.fades else event.velocity
        duration = length * self.timeline.seconds_per_beat()
        glide = self.glides.get(voice.spec.name)  # a glide voice's note starts on the glide's target
        if glide is not None:
            pitches = (glide.pitch_at_start(),)
        return [Note(start=start, duration=duration, pitch=pitch, velocity=velocity, instrument=voice.spec.instrument,
                     voice=voice.spec.name, channel=voice.spec.channel) for pitch in pitches]

    def _constraints(self, voice: VoiceRun, beat: float | None, planning: bool = False) -> Constraints:
        """The voice's constraints at ``beat``: the harmony there and what it hears of the others (ensemble.py);
        when ``planning`` its next onset, also where the others' next notes are placed."""
        at = beat if beat is not None else voice.spec.start
        placed = tuple(v.onset for v in self.voices if v is not voice and v.onset is not None) if planning else None
        return self.ensemble.constraints(voice.spec, voice.constraints, at, self.mappings, placed)

    def _steering(self, voice: VoiceRun) -> Steering:
        """The voice's steering now (ensemble.py: with the style's density and spread, a drum's pace)."""
        paces = [v.steering.density / v.spec.steering.density for v in self.voices if not v.spec.drums]
        return self.ensemble.steering(voice.spec, self.mappings, paces)

    def _placed(self, voice: VoiceRun, onset: float) -> float:
        """Where a planned onset lands (ensemble.py: a bass or chord voice on a change, a drum on the grid)."""
        anchor = voice.spec.name in self.anchors
        density = voice.planned.density if voice.planned is not None else 1.0
        return self.ensemble.placed(voice.spec, anchor, onset, voice.cursor, density, self.mappings)

    def _fall_back(self, voice: VoiceRun) -> None:
        log.exception("scene %r, voice %r: generator failed; continuing with the rule-based generator",
                      self.spec.name, voice.spec.name)
        voice.generator = RuleGenerator(zlib.crc32(voice.spec.name.encode()))

    def _landing(self, voice: VoiceRun, delta: float) -> float:
        """The beat a note starts on: the voice's first at its start, the rest ``delta`` after the one before."""
        return voice.spec.start if voice.cursor is None else voice.cursor + delta

    def hear(self, t: float, pitch: int, velocity: int) -> None:
        """A player's key at ``t``: into the history of every voice that listens (accompanying or answering), so
        each continues from it. Its length is not known yet, so it goes in as one beat; the voice's next note is
        placed after it."""
        if not self.start <= t < self.end:
            return
        self.call.press(t)
        soonest = self.timeline.beat_at(t + self.lookahead)
        if self.ensemble.hear_player(self.timeline.beat_at(t), pitch, self.mappings, soonest):
            for voice in self.voices:
                if voice.spec.name in self.anchors:
                    self._answer_change(voice, soonest, t)
        chord, self._last_key = t - self._last_key < CHORD_SPREAD, t
        for voice in self.voices:
            if self.spec.mode_of(voice.spec) is not Mode.autonomous:
                self._feed(voice, t, pitch, velocity, chord)

    def _answer_change(self, voice: VoiceRun, beat: float, t: float) -> None:
        """The harmony changed at ``beat`` under a player's key: the bass or chord voice lets its held note go and
        sounds the new chord there (a lookahead after the key: an accompanist following within ~0.1 s)."""
        if voice.done or voice.onset is None or voice.cursor is None or beat <= voice.cursor + 1e-6:
            return
        if voice.last_end is not None and voice.last_end > beat + 1e-9:
            voice.generator.cut_after(beat - voice.cursor)
            voice.last_end = beat
            self.cuts.append(Cut(voice.spec.name, self.time_of(beat) - CHORD_HANDOVER))
        if voice.onset > beat + 1e-9:
            self._set_onset(voice, beat, t)

    def lift(self, t: float) -> None:
        """A player's key went up at ``t`` (the end of a call, once none is held)."""
        self.call.lift(t)

    def _feed(self, voice: VoiceRun, t: float, pitch: int, velocity: int, chord: bool) -> None:
        """One key into a voice's history; a key of a chord (struck with the last) goes in with delta 0, so the
        chord is one group of notes, as the model was trained to read them, however the player rolled it."""
        beat = self.timeline.beat_at(t)
        last = voice.cursor if voice.cursor is not None else beat
        delta = 0.0 if chord else max(0.0, beat - last)
        try:
            voice.generator.feed(NoteEvent(delta=delta, duration=1.0, pitch=pitch, velocity=velocity))
        except Exception:  # as in _complete: the live loop must not stop for a generator bug
            log.exception("scene %r, voice %r: feeding the player's note failed", self.spec.name, voice.spec.name)
        voice.cursor = last if chord else max(last, beat)
        if voice.onset is not None:  # its next onset counted from its own last note: count it from the player's
            self._replan(voice, voice.steering, t)
