"""Names of the instruments the engine offers. Importing this does not import pyo, so config checks stay light."""

from __future__ import annotations

INSTRUMENTS: dict[str, str] = {
    "epiano": "FM electric piano: bright attack, index decays into a soft sine body",
    "pluck": "plucked string: a noise burst through a waveguide, brighter when struck harder",
    "pad": "detuned pad: SuperSaw through a resonant low-pass, slow attack, long release",
    "bass": "bass: saw and sine with a sub-octave, a low-pass that snaps open at the attack",
    "drums": "drum kit by General MIDI drum note: kick, snare, hats, tuned percussion",
}


def known(name: str) -> bool:
    """Whether ``name`` is an instrument the engine can play."""
    return name in INSTRUMENTS
