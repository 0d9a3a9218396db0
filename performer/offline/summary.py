"""summary.png: a piano roll, the control curves and the scene marks of a render or a live run, for a quick look;
for a live run also the engine's health: its CPU, and when notes were late and the audio dropped out (xruns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from performer.show.conductor import Trace  # noqa: E402


@dataclass
class HealthMarks:
    """What a live run's health log says, on the show's time axis: the engine's CPU (percent), and the times at
    which late notes and xruns were counted, with how many."""

    cpu: list[tuple[float, float]] = field(default_factory=list)
    late: list[tuple[float, int]] = field(default_factory=list)
    xruns: list[tuple[float, int]] = field(default_factory=list)


def write_summary(trace: Trace, length: float, path: Path, title: str, health: HealthMarks | None = None) -> None:
    """Draw the notes, curves and scene changes (and the health, if given) on one shared time axis."""
    rows = (3, 1.4, 0.9) if health is not None else (3, 1.4)
    fig, axes = plt.subplots(len(rows), 1, figsize=(13, 7 + 1.6 * (health is not None)), sharex=True,
                             height_ratios=rows)
    roll, curves = axes[0], axes[1]
    _roll(roll, trace)
    _curves(curves, trace, length)
    if health is not None:
        _health(axes[2], health)
    for ax in axes:
        for t, _ in trace.scenes:
            ax.axvline(t, color="black", linewidth=0.8, linestyle="--")
    for t, name in trace.scenes:
        roll.annotate(name, (t, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                      textcoords="offset points", fontsize=9, weight="bold")
    roll.set_xlim(0, max(length, 1e-3))
    roll.set_title(title)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _roll(roll: Axes, trace: Trace) -> None:
    """The notes as bars, one colour per voice, stronger the louder (one collection: a long run has many)."""
    voices = sorted({n.voice for n in trace.notes})
    colors = {v: plt.cm.tab10(i % 10) for i, v in enumerate(voices)}
    bars = [[(n.start, n.pitch - 0.4), (n.end, n.pitch - 0.4), (n.end, n.pitch + 0.4), (n.start, n.pitch + 0.4)]
            for n in trace.notes]
    faces = [(*colors[n.voice][:3], 0.35 + 0.65 * n.velocity / 127) for n in trace.notes]
    roll.add_collection(PolyCollection(bars, facecolors=faces, linewidths=0))
    if trace.notes:
        pitches = [n.pitch for n in trace.notes]
        roll.set_ylim(min(pitches) - 2, max(pitches) + 2)
    roll.set_ylabel("MIDI pitch")
    if voices:
        roll.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colors[v]) for v in voices], labels=voices,
                    loc="upper right", fontsize=8)


def _curves(curves: Axes, trace: Trace, length: float) -> None:
    """Each control curve, 0..1, each value held until the next (a knob set once is a line to the end)."""
    for name, points in sorted(trace.curves.items()):
        held = points + [(length, points[-1][1])] if points and points[-1][0] < length else points
        curves.plot([p[0] for p in held], [p[1] for p in held], label=name, linewidth=1.2, drawstyle="steps-post")
    curves.set_ylim(-0.05, 1.05)
    curves.set_ylabel("signal (0..1)")
    if trace.curves:
        curves.legend(loc="upper right", fontsize=7)


def _health(ax: Axes, health: HealthMarks) -> None:
    """The engine's CPU, with a red mark where notes were late and an orange one where the audio dropped out."""
    ax.plot([p[0] for p in health.cpu], [p[1] for p in health.cpu], color="grey", linewidth=1.0, label="engine CPU %")
    top = max([p[1] for p in health.cpu] + [100.0])
    for marks, color, what in ((health.late, "red", "late notes"), (health.xruns, "orange", "xruns")):
        if marks:
            ax.vlines([t for t, _ in marks], 0, top, colors=color, linewidth=1.2,
                      label=f"{what} ({sum(n for _, n in marks)})")
    ax.set_ylim(0, top * 1.05)
    ax.set_ylabel("engine")
    ax.legend(loc="upper right", fontsize=7)
