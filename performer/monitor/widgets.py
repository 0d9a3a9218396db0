"""What the monitor draws: a signal's bar (which the mouse or the arrow keys move), the voices' rolling piano
roll, and the lines of figures, each from one frame of the conductor's status (performer/show/status.py)."""

from __future__ import annotations

import time
from typing import Any, Callable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Static

BAR_WIDTH = 24  # cells of a signal's bar, at most (fewer on a narrow screen)
NAME_WIDTH = 20  # cells of a signal's name, at most
STEP = 0.05  # an arrow key's move
HOLD = 0.6  # seconds a bar moved here keeps its own value, until the conductor's frames have caught up
ROLL_SECONDS = 8.0  # how far back the piano roll looks
LEVELS = "▁▂▃▄▅▆▇█"
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
COLOURS = ("cyan", "magenta", "yellow", "green", "bright_blue", "red", "bright_magenta", "bright_cyan")


def note_name(pitch: int) -> str:
    """C4 for MIDI 60."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


class SignalBar(Static, can_focus=True):
    """One mapped signal: its name, a bar of its value and the value, and below, the playing scene's mappings
    that read it.
    Focused, the arrow keys move it; a click on the bar sets it there (when the rig allows control)."""

    BINDINGS = [Binding("left", "nudge(-1)", "less", show=False), Binding("right", "nudge(1)", "more", show=False),
                Binding("home", "put(0)", show=False), Binding("end", "put(1)", show=False)]

    def __init__(self, name: str, move: Callable[[str, float], None]) -> None:
        super().__init__(id=None, classes="signal")
        self.signal, self.move = name, move
        self.value, self.set, self.readers = 0.0, False, []  # type: tuple[float, bool, list[str]]
        self.moved_at = -HOLD

    def show(self, value: float, present: bool, readers: list[str]) -> None:
        """The signal as the latest frame has it (unless it was just moved here)."""
        self.readers = readers
        if time.monotonic() - self.moved_at >= HOLD:
            self.value, self.set = value, present
        self.update(self._text())

    def widths(self) -> tuple[int, int]:
        """The name's and the bar's cells: as set out above, or narrower on a narrow screen (a phone)."""
        width = self.size.width or NAME_WIDTH + BAR_WIDTH + 7
        if width >= NAME_WIDTH + BAR_WIDTH + 7:
            return NAME_WIDTH, BAR_WIDTH
        name = max(8, width // 3)
        return name, max(6, width - name - 7)

    def _text(self) -> Text:
        name, bar = self.widths()
        filled = round(self.value * bar)
        text = Text(f"{self.signal[:name]:<{name}} ", style="bold" if self.readers else "dim")
        text.append("█" * filled, style="green" if self.set else "grey50")
        text.append("░" * (bar - filled), style="grey23")
        text.append(f" {self.value:4.2f}\n  ")
        text.append(", ".join(self.readers) or "not read by this scene", style="italic" if self.readers else "dim")
        return text

    def action_nudge(self, direction: int) -> None:
        self._to(self.value + direction * STEP)

    def action_put(self, value: float) -> None:
        self._to(value)

    def on_click(self, event: events.Click) -> None:
        name, bar = self.widths()
        if event.y == 0 and name + 1 <= event.x <= name + 1 + bar:
            self._to((event.x - name - 1 + 0.5) / bar)

    def _to(self, value: float) -> None:
        self.value, self.moved_at = min(1.0, max(0.0, value)), time.monotonic()
        self.update(self._text())
        self.move(self.signal, self.value)


def roll(voices: dict[str, list[list[float]]], width: int, drums: frozenset[str] = frozenset()) -> Text:
    """The voices' last notes over the last few seconds, a line each, newest on the right: a note's onset is a
    bright block whose height is its pitch within what the voice played, its sustain a dim one (a drum's hit has
    none), and the line ends with the newest note's name."""
    text = Text()
    for k, (voice, notes) in enumerate(sorted(voices.items())):
        colour = COLOURS[k % len(COLOURS)]
        cells: list[tuple[str, str]] = [(" ", "")] * width
        pitches = [int(n[0]) for n in notes]
        low, high = (min(pitches), max(pitches)) if pitches else (0, 1)
        for pitch, ago, duration, _velocity in notes:
            level = LEVELS[round((pitch - low) / max(1, high - low) * (len(LEVELS) - 1))]
            first = int((ROLL_SECONDS - ago) / ROLL_SECONDS * width)
            last = first + 1 if voice in drums else int((ROLL_SECONDS - ago + duration) / ROLL_SECONDS * width)
            for col in range(max(0, first + 1), min(width, last)):
                cells[col] = (level, f"dim {colour}")
            if 0 <= first < width:
                cells[first] = (level, f"bold {colour}")
        text.append(f"{voice[:10]:<10} ", style="bold")
        for char, style in cells:
            text.append(char, style=style)
        text.append(f" {note_name(pitches[-1]) if pitches else '':<4}\n")
    return text


def position_line(frame: dict[str, Any]) -> Text:
    """Scene, next cue, bar and beat, tempo and Link peers."""
    scenes = frame["scenes"]
    text = Text()
    if frame["stopped"]:
        text.append("stopped", style="bold red")
    else:
        text.append(f"{frame['scene'] + 1}/{len(scenes)} ", style="bold")
        text.append(scenes[frame["scene"]], style="bold reverse")
    upcoming = frame["next"]
    after = f"auto in {frame['auto_in']:.0f} s" if frame["auto_in"] is not None else "on GO"
    text.append(f"   next: {scenes[upcoming] if upcoming >= 0 else 'the end'} ({after})")
    if frame["tempo"] is not None:
        where = f"bar {frame['bar']} beat {frame['beat']}" if frame["bar"] else "starting on its bar line"
        text.append(f"   {where}   {frame['tempo']:.1f} bpm")
    if frame["peers"] is not None:
        text.append(f"   Link {frame['peers']} peer{'s' * (frame['peers'] != 1)}")
    return text


def scene_list(frame: dict[str, Any]) -> Text:
    """The show's scenes by number (the keys 1-9 cue them), the playing one marked."""
    text = Text()
    for i, name in enumerate(frame["scenes"]):
        playing = i == frame["scene"] and not frame["stopped"]
        text.append(f"{i + 1} {name}", style="bold reverse" if playing else "")
        text.append("  ")
    return text if frame["control"] else text.append("(watch only)", style="italic")


def figures_line(frame: dict[str, Any]) -> Text:
    """The model's time per note, late notes, and the engine's CPU, xruns, voices and level."""
    ms = frame["model_ms"]
    engine = frame["engine"]
    text = Text(f"model {'-' if ms is None else f'{ms:.2f}'} ms/note")
    if engine is None:
        return text.append("   engine: no report yet", style="dim")
    late = engine["late"]
    text.append("   late ")
    text.append(str(late), style="bold red" if late else "green")
    xruns = "n/a" if engine["xruns"] < 0 else str(engine["xruns"])
    peak = "silent" if engine["peak_db"] is None else f"{engine['peak_db']:.1f} dBFS"
    text.append(f"   engine cpu {engine['cpu']} %   xruns {xruns}   voices {engine['voices']}   level {peak}")
    text.append(f"   panics {frame['panics']}")
    return text
