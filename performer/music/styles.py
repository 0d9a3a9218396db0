"""The styles the model knows: each training piece's collection in music21's corpus names one, and a scene asks for
one (or a blend of two) by name."""

from __future__ import annotations

STYLES = ("chorale", "renaissance", "medieval", "classical", "fiddle")
COLLECTION_STYLE = {
    "bach": "chorale",
    "palestrina": "renaissance", "josquin": "renaissance", "lusitano": "renaissance", "luca": "renaissance",
    "monteverdi": "renaissance",
    "trecento": "medieval", "ciconia": "medieval",
    "beethoven": "classical", "mozart": "classical", "haydn": "classical", "schubert": "classical",
    "weber": "classical", "cpebach": "classical", "corelli": "classical", "handel": "classical",
    "schumann_robert": "classical", "schumann_clara": "classical", "chopin": "classical", "joplin": "classical",
    "beach": "classical", "verdi": "classical", "johnson_j_r": "classical", "liliuokalani": "classical",
    "ryansMammoth": "fiddle", "oneills1850": "fiddle", "airdsAirs": "fiddle", "miscFolk": "fiddle",
}
DESCRIPTIONS = {
    "chorale": "Bach's four-part chorales",
    "renaissance": "Palestrina, Josquin, Lusitano, da Luca and Monteverdi's madrigals",
    "medieval": "the Trecento's ballate and Ciconia",
    "classical": "string quartets and piano music, Haydn to Joplin",
    "fiddle": "Irish and Scottish fiddle tunes (O'Neill, Ryan's Mammoth, Aird) and other folk tunes",
}


# Each style's top lines, as the steering measures them over the training split: the median notes per beat over the
# next 4 beats, and the median pitch spread within 4 beats (semitones). A voice that leaves its density or spread
# unset plays its scene's style's.
STYLE_STEERING = {
    "chorale": (1.0, 2.0), "renaissance": (0.5, 1.1), "medieval": (1.25, 1.9), "classical": (2.0, 3.8),
    "fiddle": (2.0, 3.5),
}


# Each style's harmony where a scene leaves it open: tension and chords per bar (a judgement, not measured: fiddle
# tunes on I, IV and V a bar each, chorales a chord every beat or two with secondary dominants, modal polyphony).
STYLE_HARMONY = {
    "chorale": (0.4, 2.0), "renaissance": (0.15, 1.0), "medieval": (0.1, 1.0), "classical": (0.4, 1.0),
    "fiddle": (0.05, 1.0),
}


def style_harmony(names: list[str], amount: float) -> tuple[float, float]:
    """The tension and harmonic rhythm of a style, or of two blended ``amount`` of the way."""
    first = STYLE_HARMONY[names[0]]
    second = STYLE_HARMONY[names[1]] if len(names) > 1 else first
    k = min(1.0, max(0.0, amount))
    return first[0] * (1 - k) + second[0] * k, first[1] ** (1 - k) * second[1] ** k


def style_steering(names: list[str], amount: float) -> tuple[float, float]:
    """The density and spread of a style, or of two blended ``amount`` of the way (density on a log scale)."""
    first = STYLE_STEERING[names[0]]
    second = STYLE_STEERING[names[1]] if len(names) > 1 else first
    k = min(1.0, max(0.0, amount))
    return first[0] ** (1 - k) * second[0] ** k, first[1] * (1 - k) + second[1] * k


def style_index(name: str) -> int:
    """The index of a style by name; ValueError naming the styles there are."""
    if name not in STYLES:
        raise ValueError(f"expected a style: one of {', '.join(STYLES)}, got {name!r}")
    return STYLES.index(name)


def style_of_piece(piece: str) -> int | None:
    """The style of a corpus piece from its path (``bach/bwv10.7.mxl``); None for music from elsewhere."""
    style = COLLECTION_STYLE.get(piece.split("/", 1)[0])
    return None if style is None else STYLES.index(style)


def blend(first: str, second: str | None = None, amount: float = 0.0) -> tuple[float, ...]:
    """Weights over STYLES: ``first``, moved ``amount`` (0..1) of the way to ``second``."""
    weights = [0.0] * len(STYLES)
    amount = min(1.0, max(0.0, amount)) if second is not None else 0.0
    weights[style_index(first)] += 1.0 - amount
    if second is not None:
        weights[style_index(second)] += amount
    return tuple(weights)
