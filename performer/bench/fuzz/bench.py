"""`performer bench fuzz`: every fuzz target for its share of the cases, crashes counted and kept, as one JSON
object. The same seed draws the same cases; hypothesis (the test extra) is imported only here, and its absence is
one line."""

from __future__ import annotations

import logging
import random
import sys
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from performer.errors import PerformerError

if TYPE_CHECKING:
    from performer.bench.fuzz.files import Command
    from performer.bench.fuzz.runner import Target

NAMES = ("rig", "scene", "show", "toml", "session", "midi", "thru", "osc", "gate", "check")
CHECK = "check"  # the command line's target, which runs `performer check` and so has a count of its own


def require_hypothesis() -> str:
    """Hypothesis's version, or a one-line error saying how to install it."""
    try:
        return version("hypothesis")
    except PackageNotFoundError:
        raise PerformerError("bench fuzz needs hypothesis, in the test extra: pip install -e '.[test]'") from None


@contextmanager
def quiet_logs() -> Iterator[None]:
    """No log lines while fuzzing: the targets log every malformed packet they meet, by design."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(before)


def all_targets(base: Path, command: Command) -> list[Target]:
    """Every target over the workspace ``base``, ``check`` running ``command`` (imported here: they need
    hypothesis)."""
    from performer.bench.fuzz.files import ROOT, file_targets
    from performer.bench.fuzz.midi import midi_targets
    from performer.bench.fuzz.osc import osc_targets
    from performer.bench.fuzz.sessions import session_targets

    return [*file_targets(base, command), *session_targets(base, ROOT), *midi_targets(), *osc_targets()]


def run_fuzz(counts: dict[str, int], seed: int, command: Command | None = None) -> dict[str, dict[str, Any]]:
    """Each named target for its count of cases, in a fresh copy of the project's files. ``command`` runs
    ``performer check`` (by default in a process of its own: a benchmark may not import the command line)."""
    from performer.bench.fuzz.files import subprocess_command, workspace
    from performer.bench.fuzz.runner import run_target

    with workspace() as base, quiet_logs():
        targets = [t for t in all_targets(base, command or subprocess_command) if counts.get(t.name)]
        return {t.name: run_target(t, counts[t.name], seed) for t in targets}


def bench_fuzz(cases: int = 100_000, seed: int | None = 0, only: Sequence[str] = (), check_cases: int = 200,
               command: Command | None = None) -> dict[str, Any]:
    """``cases`` in all, shared evenly by the in-process targets, and ``check_cases`` of ``performer check``;
    ``seed`` None draws a fresh seed (and reports it)."""
    hypothesis = require_hypothesis()
    unknown = sorted(set(only) - set(NAMES))
    if unknown:
        raise PerformerError(f"bench fuzz: no target {', '.join(unknown)}; the targets are {', '.join(NAMES)}")
    names = [n for n in NAMES if not only or n in only]
    share = -(-cases // max(1, len([n for n in names if n != CHECK])))
    counts = {n: check_cases if n == CHECK else share for n in names}
    seed = random.SystemRandom().randrange(1 << 31) if seed is None else seed
    results = run_fuzz(counts, seed, command)
    return {"seed": seed, "hypothesis": hypothesis, "python": sys.version.split()[0],
            "cases_total": sum(r["cases"] for r in results.values()),
            "crashes_total": sum(r["crashes"] for r in results.values()),
            "seconds_total": round(sum(r["seconds"] for r in results.values()), 1), "targets": results}
