"""player_fit for `performer bench music`: held-out melodies from the corpus played live into an accompaniment
scene (as a player's keys), eight bars in the scene's key and eight in a key a tritone away. How consonant the bass is
with the player, how much the pad rubs against them, and how soon the harmony moves once the player leaves the key."""

from __future__ import annotations

import numpy as np

from performer.bench import ensemble as em
from performer.config.scene import SceneSpec, SteeringSpec, VoiceSpec
from performer.data.eventfile import EventFile
from performer.generate.factory import GeneratorFactory
from performer.music.keys import estimate_key, pitch_class_weights
from performer.music.scales import SCALE_STEPS, Scale
from performer.offline.scenenotes import play_scene
from synthesis.protocol import Note

TEMPO = 100.0
BARS = 8  # bars in the scene's key, then as many in the far key
AWAY = 6  # semitones to the far key: a tritone, the farthest there is
MELODIES = 12


def accompaniment() -> SceneSpec:
    """A pad and a bass in C major that hear a player (no thru voice: the player's keys sound on their own)."""
    voices = [VoiceSpec(name="pad", instrument="pad", register=(48, 67), channel=3,
                        steering=SteeringSpec(density=0.5, register=58, spread=5.0, velocity=66)),
              VoiceSpec(name="bass", instrument="bass", register=(33, 52), channel=2,
                        steering=SteeringSpec(density=1.0, register=43, spread=4.0, velocity=72))]
    return SceneSpec(name="Accompaniment", tempo=TEMPO, voices=voices, thru="")


def melodies(events: EventFile, count: int = MELODIES) -> list[np.ndarray]:
    """Top parts of held-out (test split) pieces in 4/4 and a major key, 2 x BARS bars long, moved to C major."""
    out = []
    for i in events.parts_in("test"):
        table = events.part(i).astype(np.float64)
        if int(events.voices[i]) != 0 or not np.all(table[:, 5] == 4.0) or table[-1, 0] < 8 * BARS:
            continue
        head = table[table[:, 0] < 8 * BARS]
        key = estimate_key(pitch_class_weights(head[:, 2].astype(np.int64), head[:, 1]))
        if key is None or key.minor or np.any(np.diff(head[:, 0]) <= 1e-6):  # one line, not chords
            continue
        head[:, 2] -= key.tonic if key.tonic <= 6 else key.tonic - 12
        out.append(head)
        if len(out) >= count:
            break
    return out


def player_notes(melody: np.ndarray) -> list[Note]:
    """The melody as a player's keys, its second half a tritone up."""
    beat = 60.0 / TEMPO
    return [Note(start=row[0] * beat, duration=row[1] * beat, pitch=int(row[2]) + (AWAY if row[0] >= 4 * BARS else 0),
                 velocity=80, instrument="epiano", voice="player") for row in melody]


def one_melody(factory: GeneratorFactory, melody: np.ndarray, seed: int) -> dict:
    """The figures for one melody."""
    spec = accompaniment()
    played = play_scene(spec, factory, 2 * BARS * 4 * 60.0 / TEMPO, seed, player=player_notes(melody))
    beat = 60.0 / TEMPO
    parts = {name: [n for n in played.notes if n.voice == name] for name in ("player", "pad", "bass")}
    as_part = {k: em.Part(np.array([n.start / beat for n in v]), np.array([(n.start + n.duration) / beat for n in v]),
                          np.array([n.pitch for n in v])) for k, v in parts.items() if v}
    length = 2 * BARS * 4.0
    out = {}
    if "bass" in as_part and "player" in as_part:
        fit, chance = em.with_chance(lambda p: em.bass_melody_consonance(p, length), [as_part["player"],
                                     as_part["bass"]], length, 4.0)
        out["consonant"], out["consonant_chance"] = fit, chance
    if "pad" in as_part and "player" in as_part:
        out["pad_dissonant"] = em.dissonant_share([as_part["player"], as_part["pad"]], length)
    leave = 4.0 * BARS
    spans = played.run.ensemble.harmony.spans
    changes = [s for s in spans if s.start >= leave - 1e-6]
    new_key = frozenset((AWAY + s) % 12 for s in SCALE_STEPS[Scale.major])
    fitting = [s for s in changes if s.chord.classes <= new_key]
    out["change_bars"] = (changes[0].start - leave) / 4.0 if changes else float("nan")
    out["new_key_bars"] = (fitting[0].start - leave) / 4.0 if fitting else float("nan")
    return out


def player_fit(events: EventFile, factory: GeneratorFactory) -> dict:
    """Means over the held-out melodies (one seed each)."""
    runs = [one_melody(factory, m, seed) for seed, m in enumerate(melodies(events))]
    if not runs:
        return {"player_fit": None}
    mean = {k: round(float(np.nanmean([r.get(k, np.nan) for r in runs])), 4) for k in runs[0]}
    return {"player_fit": mean.get("consonant"), "player_fit_chance": mean.get("consonant_chance"),
            "player_fit_pad_dissonant": mean.get("pad_dissonant"),
            "player_fit_change_bars": mean["change_bars"],
            "player_fit_change_bars_max": round(float(np.nanmax([r["change_bars"] for r in runs])), 4),
            "player_fit_new_key_bars": mean["new_key_bars"],
            "player_fit_new_key_bars_max": round(float(np.nanmax([r["new_key_bars"] for r in runs])), 4),
            "player_fit_melodies": len(runs)}
