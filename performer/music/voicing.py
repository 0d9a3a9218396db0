"""Voiced chords for a pad or keys voice: three to five notes of the chord, spread as the voice's register and spread
steering ask, each moving as little as it can from the chord before (smooth voice leading)."""

from __future__ import annotations

from performer.music.progression import Chord

REBUILD = 7.0  # semitones the previous voicing's centre may be from the steered register before it is rebuilt there
COVER_COST = 4.0  # semitones of movement a note will make rather than double a pitch class already voiced


def size_for(spread: float) -> int:
    """Notes in a chord: three when close, four, five when the spread asks for a wide chord."""
    return 3 if spread < 3.0 else 4 if spread < 7.0 else 5


def required(chord: Chord) -> tuple[int, ...]:
    """The pitch classes a voicing must hold: root and third, and the seventh of a seventh chord or else the fifth."""
    tones = chord.tones
    if len(tones) >= 4:
        return (tones[0], tones[1], tones[3])
    return tones[:3]


def voice_chord(chord: Chord, previous: tuple[int, ...], low: int, high: int, register: float, spread: float,
                lead: int | None = None, root_bottom: bool = False) -> tuple[int, ...]:
    """The chord's pitches (ascending) within ``low..high``: near ``previous`` when there is one close to the
    register, else spread around ``register``; ``lead`` (the voice's own line) stays in if it is a chord tone. With
    ``root_bottom`` (the voice is the ensemble's lowest) the lowest note is the root, so no fourth stands over it."""
    candidates = [p for p in range(low, high + 1) if p % 12 in chord.classes]
    if not candidates:
        return ()
    n = min(size_for(spread), len(candidates))
    if not previous or abs(sum(previous) / len(previous) - register) > REBUILD:
        gap = min(9.0, max(3.0, spread * 1.2))
        targets = [register + (k - (n - 1) / 2) * gap for k in range(n)]
    else:
        targets = _resized(sorted(previous), n, register)
    chosen: list[int] = []
    if lead is not None and lead in candidates:
        chosen.append(lead)
        targets.remove(min(targets, key=lambda t: abs(t - lead)))
    for target in targets:
        chosen.append(_nearest(candidates, target, chosen))
    chosen = sorted(_covered(chosen, chord, candidates, lead))
    if root_bottom and chosen[0] % 12 != chord.root:
        roots = [p for p in candidates if p % 12 == chord.root and p not in chosen[1:]]
        below = [p for p in roots if p < chosen[0]]
        if below or roots:
            chosen[0] = max(below) if below else min(roots)
    return tuple(sorted(set(chosen)))


def _resized(previous: list[int], n: int, register: float) -> list[float]:
    """The previous voicing as ``n`` targets: extra notes added a third beyond its edges, surplus ones dropped from
    the edge farthest from the register."""
    targets = [float(p) for p in previous]
    while len(targets) < n:
        if register >= sum(targets) / len(targets):
            targets.append(targets[-1] + 4.0)
        else:
            targets.insert(0, targets[0] - 4.0)
    while len(targets) > n:
        if abs(targets[-1] - register) >= abs(targets[0] - register):
            targets.pop()
        else:
            targets.pop(0)
    return targets


def _nearest(candidates: list[int], target: float, chosen: list[int]) -> int:
    """The candidate nearest ``target`` not already chosen, preferring a pitch class not yet voiced."""
    used = {p % 12 for p in chosen}
    free = [p for p in candidates if p not in chosen] or candidates
    return min(free, key=lambda p: abs(p - target) + (COVER_COST if p % 12 in used else 0.0))


def _covered(chosen: list[int], chord: Chord, candidates: list[int], lead: int | None) -> list[int]:
    """``chosen`` with each required pitch class present: a doubled note moves to the nearest missing one."""
    for pc in required(chord):
        if any(p % 12 == pc for p in chosen):
            continue
        doubled = [p for p in chosen if sum(q % 12 == p % 12 for q in chosen) > 1 and p != lead]
        if not doubled:
            break
        options = [(abs(c - p), p, c) for p in doubled for c in candidates if c % 12 == pc and c not in chosen]
        if not options:
            continue
        _, old, new = min(options)
        chosen[chosen.index(old)] = new
    return chosen
