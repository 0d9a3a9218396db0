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
