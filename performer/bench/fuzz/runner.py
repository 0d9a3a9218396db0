"""Running one fuzz target: hypothesis draws the cases in seeded batches, and each crash is counted, its first few
examples kept, rather than ending the run, so that one bug cannot hide the next.

A crash is any exception the target raises, or a ``Crash`` its check raises: a property that broke without one
(a value outside 0..1, an error message of two lines)."""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as seeded
from hypothesis.strategies import SearchStrategy

BATCH = 2000  # cases per hypothesis run: each run has a seed of its own, and its memory goes when it ends
KEEP = 5  # kinds of crash whose first example is kept, per target
SHORT = 400  # characters of an example's input or error kept
OURS = ("/performer/", "/sensors/", "/synthesis/")  # where a crash is blamed, deepest frame first


class Crash(AssertionError):
    """A property of a target's outcome that broke without an exception."""


@dataclass(frozen=True)
class Target:
    """What to fuzz: what hypothesis draws, and the check that runs one case and names its outcome ("loaded",
    "rejected", "events", ...), raising ``Crash`` or anything else when the case crashed."""

    name: str
    strategy: SearchStrategy[Any]
    check: Callable[[Any], str]


@dataclass
class Tally:
    """The cases run, their outcomes, and the crashes with their first examples."""

    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # crashes by error type and where it was raised
    examples: list[dict[str, str]] = field(default_factory=list)  # the first of each kind, KEEP kinds at most

    def record(self, target: Target, value: Any) -> None:
        """Run one case and count what it did."""
        self.cases += 1
        try:
            self.outcomes[target.check(value)] += 1
        except Exception as err:  # every failure is the finding, whatever its kind
            found = example(value, err)
            kind = found["kind"]
            if kind not in self.kinds and len(self.examples) < KEEP:
                self.examples.append(found)
            self.kinds[kind] += 1


def short(text: str) -> str:
    """``text`` cut to SHORT characters."""
    return text if len(text) <= SHORT else text[:SHORT] + f"... ({len(text)} characters)"


def example(value: Any, err: BaseException) -> dict[str, str]:
    """A crash as data: its kind (a broken property's words, or the exception's type and the function of ours
    that raised it, stable while lines move), the input, the error, and where it was raised."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if any(part in f.filename for part in OURS) and "/bench/fuzz/" not in f.filename]
    frame = (ours or frames)[-1]
    place = frame.filename.removeprefix(str(Path(__file__).resolve().parents[3]) + os.sep)
    kind = f"Crash: {str(err).split(':')[0]}" if isinstance(err, Crash) else f"{type(err).__name__} in {frame.name}"
    return {"kind": kind, "input": short(repr(value)), "error": short(f"{type(err).__name__}: {err}"),
            "where": f"{place}:{frame.lineno} in {frame.name}: {frame.line}"}


def run_target(target: Target, cases: int, seed: int) -> dict[str, Any]:
    """Run ``cases`` cases of ``target`` (fewer only if hypothesis runs out of new ones), batch ``i`` seeded with
    ``seed`` and ``i``, so that the same seed draws the same cases."""
    tally = Tally()
    start = time.perf_counter()
    for batch in range(cases // BATCH + 2):
        wanted = min(BATCH, cases - tally.cases)
        if wanted <= 0:
            break
        before = tally.cases
        _batch(target, tally, wanted, seed * 1_000_003 + batch)
        if tally.cases == before:
            break
    seconds = time.perf_counter() - start
    return {"cases": tally.cases, "crashes": sum(tally.kinds.values()), "seconds": round(seconds, 2),
            "cases_per_second": round(tally.cases / seconds, 1) if seconds else None,
            "rejected_one_line": tally.outcomes["rejected"], "outcomes": dict(sorted(tally.outcomes.items())),
            "crash_kinds": dict(tally.kinds.most_common()), "examples_of_crash": tally.examples}


def _batch(target: Target, tally: Tally, cases: int, seed: int) -> None:
    """One hypothesis run of ``cases`` cases, no shrinking (nothing fails as hypothesis sees it) and no database."""

    @seeded(seed)
    @settings(max_examples=cases, database=None, deadline=None, phases=(Phase.explicit, Phase.generate),
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False)
    @given(target.strategy)
    def run(value: Any) -> None:
        tally.record(target, value)

    run()
