"""Names of the instruments the engine offers. Importing this does not import pyo, so config checks stay light."""

from __future__ import annotations

INSTRUMENTS: dict[str, str] = {
    "epiano": "FM electric piano: bright attack, index decays into a soft sine body",
}


def known(name: str) -> bool:
    """Whether ``name`` is an instrument the engine can play."""
    return name in INSTRUMENTS
