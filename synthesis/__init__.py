"""The synthesis engine: the process that owns pyo and plays notes at their sample."""

import os

# pyo prints a wxPython banner on import unless told it has no wx GUI; we never use pyo's GUI.
os.environ.setdefault("PYO_GUI_WX", "0")
