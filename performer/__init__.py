"""performer: a live AI-music rig. Sensors feed the control bus, the conductor steers a note generator,
and the synthesis engine (its own process) plays the notes."""

__version__ = "0.1.0"
