"""Names of the instruments the engine offers and the parameters scenes may set on each. Importing this does not
import pyo, so config checks stay light."""

from __future__ import annotations

INSTRUMENTS: dict[str, str] = {
    "epiano": "FM electric piano: bright attack, index decays into a soft sine body",
    "pluck": "plucked string: a noise burst through a waveguide, brighter when struck harder",
    "pad": "detuned pad: SuperSaw through a resonant low-pass, slow attack, long release",
    "bass": "bass: saw and sine with a sub-octave, a low-pass that snaps open at the attack",
    "drums": "drum kit by General MIDI drum note: kick, snare, hats, tuned percussion",
}

# (default, low, high) per parameter. brightness is 0..1 around each instrument's own voicing; attack and
# release are seconds (read when a note starts); reverb and delay are send levels; detune is the pad's spread.
# expression (a gain, 0..1) and bend (semitones) move the notes that already sound, as a player's swell or slide.
Range = tuple[float, float, float]
_SENDS: dict[str, Range] = {"reverb": (0.12, 0.0, 1.0), "delay": (0.0, 0.0, 1.0), "expression": (1.0, 0.0, 1.0)}
_BEND: dict[str, Range] = {"bend": (0.0, -12.0, 12.0)}
PARAMS: dict[str, dict[str, Range]] = {
    "epiano": {"brightness": (0.5, 0.0, 1.0), "attack": (0.004, 0.001, 0.5), "release": (0.3, 0.02, 4.0),
               **_SENDS, **_BEND},
    "pluck": {"brightness": (0.5, 0.0, 1.0), "release": (0.12, 0.02, 2.0), **_SENDS, **_BEND,
              "reverb": (0.25, 0.0, 1.0), "delay": (0.12, 0.0, 1.0)},
    "pad": {"brightness": (0.5, 0.0, 1.0), "detune": (0.45, 0.0, 1.0), "attack": (0.25, 0.005, 4.0),
            "release": (0.9, 0.05, 8.0), **_SENDS, **_BEND, "reverb": (0.35, 0.0, 1.0),
            "delay": (0.15, 0.0, 1.0)},
    "bass": {"brightness": (0.5, 0.0, 1.0), "attack": (0.003, 0.001, 0.5), "release": (0.08, 0.02, 2.0),
             **_SENDS, **_BEND, "reverb": (0.04, 0.0, 1.0)},
    "drums": {"brightness": (0.5, 0.0, 1.0), **_SENDS, "reverb": (0.1, 0.0, 1.0)},
}
assert set(PARAMS) == set(INSTRUMENTS)
TAIL = 0.4  # seconds an instrument without a release parameter (the drums) may ring after a note


def default_release(instrument: str) -> float:
    """Seconds a note of ``instrument`` sounds after its duration, before any scene changes it."""
    return PARAMS[instrument]["release"][0] if "release" in PARAMS[instrument] else TAIL


def known(name: str) -> bool:
    """Whether ``name`` is an instrument the engine can play."""
    return name in INSTRUMENTS


def clamp_param(instrument: str, name: str, value: float) -> float | None:
    """``value`` within the parameter's range; None for an unknown instrument or parameter, or a NaN."""
    spec = PARAMS.get(instrument, {}).get(name)
    if spec is None or value != value:
        return None
    return min(spec[2], max(spec[1], value))
