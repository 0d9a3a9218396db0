"""summary.png: a piano roll, the control curves and the scene marks of a render, for a quick look."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from performer.show.conductor import Trace  # noqa: E402


def write_summary(trace: Trace, length: float, path: Path, title: str) -> None:
    """Draw the render's notes, curves and scene changes on one shared time axis."""
    fig, (roll, curves) = plt.subplots(2, 1, figsize=(13, 7), sharex=True, height_ratios=(3, 1.4))
    voices = sorted({n.voice for n in trace.notes})
    colors = {v: plt.cm.tab10(i % 10) for i, v in enumerate(voices)}
    for n in trace.notes:
        roll.add_patch(plt.Rectangle((n.start, n.pitch - 0.4), n.duration, 0.8, color=colors[n.voice],
                                     alpha=0.35 + 0.65 * n.velocity / 127, linewidth=0))
    if trace.notes:
        pitches = [n.pitch for n in trace.notes]
        roll.set_ylim(min(pitches) - 2, max(pitches) + 2)
    roll.set_ylabel("MIDI pitch")
    if voices:
        roll.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colors[v]) for v in voices], labels=voices,
                    loc="upper right", fontsize=8)
    for name, points in sorted(trace.curves.items()):
        curves.plot([p[0] for p in points], [p[1] for p in points], label=name, linewidth=1.2)
    curves.set_ylim(-0.05, 1.05)
    curves.set_ylabel("signal (0..1)")
    curves.set_xlabel("time (s)")
    if trace.curves:
        curves.legend(loc="upper right", fontsize=7)
    for ax in (roll, curves):
        for t, _ in trace.scenes:
            ax.axvline(t, color="black", linewidth=0.8, linestyle="--")
    for t, name in trace.scenes:
        roll.annotate(name, (t, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                      textcoords="offset points", fontsize=9, weight="bold")
    roll.set_xlim(0, length)
    roll.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
