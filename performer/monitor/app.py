"""The monitor as a Textual app: the show's position and the cue buttons on top, every mapped signal as a bar on
the left (move one with the mouse or the arrow keys), the voices' rolling piano roll on the right, and the
model's and the engine's figures below. It redraws ten times a second from the latest frame of the feed."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Static

from performer.monitor.feed import Feed
from performer.monitor.widgets import SignalBar, figures_line, position_line, roll, scene_list

REDRAW = 0.1  # seconds between redraws
NARROW = 100  # columns below which the signals and the voices are stacked
CUES = (("go", "GO"), ("back", "BACK"), ("stop", "STOP"), ("panic", "PANIC"))


class MonitorApp(App[None]):
    """Attached to the conductor's status port ``port``; ``rig`` names it until the first frame arrives."""

    TITLE = "performer monitor"
    CSS = """
    #show { height: auto; padding: 0 1; }
    #cues { height: 3; }
    #cues Button { min-width: 9; margin: 0 1 0 0; }
    #mode { padding: 1 1; color: $text-muted; }
    #signals { width: 1fr; height: 1fr; border: round $primary; }
    #voices { width: 1fr; height: auto; border: round $secondary; padding: 0 1; }
    .signal { height: 2; }
    .signal:focus { background: $boost; text-style: bold; }
    #figures { height: auto; padding: 0 1; }
    """
    BINDINGS = [Binding("space,g", "cue('go')", "GO"), Binding("b", "cue('back')", "BACK"),
                Binding("s", "cue('stop')", "stop"), Binding("p", "cue('panic')", "panic"),
                Binding("up", "focus_previous", "signal", show=False),
                Binding("down", "focus_next", "signal", show=False),
                Binding("q", "quit", "quit"),
                *(Binding(str(n), f"cue({n})", show=False) for n in range(1, 10))]

    def __init__(self, port: int, rig: str = "") -> None:
        super().__init__()
        self.feed = Feed(port)
        self.rig = rig
        self.bars: dict[str, SignalBar] = {}
        self.control = False

    def compose(self) -> ComposeResult:
        yield Static(f"waiting for {self.rig or 'the rig'} on 127.0.0.1:{self.feed.port} ...", id="show")
        with Horizontal(id="cues"):
            for key, label in CUES:
                button = Button(label, id=key, variant="error" if key == "panic" else "primary", disabled=True)
                button.can_focus = False  # the keys stay the show's: space is GO whichever button was clicked
                yield button
            yield Static("", id="mode")
        with Horizontal(id="main"):
            yield VerticalScroll(id="signals")
            yield Static("", id="voices")
        yield Static("", id="figures")
        yield Footer()

    async def on_mount(self) -> None:
        await self.feed.start()
        self.set_interval(REDRAW, self.redraw)

    def on_resize(self, event: events.Resize) -> None:
        """Side by side on a wide screen; on a narrow one (a phone checking the gallery) the signals above the
        voices, each as wide as the screen."""
        wide = event.size.width >= NARROW
        self.query_one("#main", Horizontal).styles.layout = "horizontal" if wide else "vertical"
        self.query_one("#signals", VerticalScroll).styles.height = "1fr" if wide else "auto"

    def on_unmount(self) -> None:
        self.feed.close()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id is not None:
            self.action_cue(event.button.id)

    def action_cue(self, word: str | int) -> None:
        """A cue to the conductor, if the rig lets monitors cue."""
        if self.control:
            self.feed.cue(word)
        else:
            self.notify("watch only: the rig's [monitor] control is off", severity="warning")

    def redraw(self) -> None:
        """Everything from the latest frame, or a line saying the rig is gone."""
        frame = self.feed.frame
        if frame is None or not self.feed.live:
            gone = "the rig stopped answering" if frame is not None else f"waiting for {self.rig or 'the rig'}"
            self.query_one("#show", Static).update(f"{gone} on 127.0.0.1:{self.feed.port} ...")
            return
        self.sub_title = frame["rig"]
        self.query_one("#show", Static).update(position_line(frame))
        self._controls(frame["control"])
        self.query_one("#mode", Static).update(scene_list(frame))
        self._signals(frame["signals"])
        voices = self.query_one("#voices", Static)
        voices.update(roll(frame["voices"], max(10, voices.size.width - 18), frozenset(frame.get("drums", ()))))
        self.query_one("#figures", Static).update(figures_line(frame))

    def _controls(self, control: bool) -> None:
        """The cue buttons work when the rig lets monitors cue."""
        self.control = control
        for key, _ in CUES:
            self.query_one(f"#{key}", Button).disabled = not control

    def _signals(self, signals: list[list[Any]]) -> None:
        """One bar per mapped signal, made when it first appears."""
        box = self.query_one("#signals", VerticalScroll)
        for name, value, present, readers in signals:
            bar = self.bars.get(name)
            if bar is None:
                bar = self.bars[name] = SignalBar(name, self._move)
                box.mount(bar)
            bar.show(value, present, readers)

    def _move(self, name: str, value: float) -> None:
        if self.control:
            self.feed.set(name, value)
