"""The compact cached event file: every part's notes in one array, with piece names and the split."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from performer.data.parts import PartNotes

SPLITS = ("train", "valid", "test")
SPLIT = (0.9, 0.05)  # train and validation shares by piece; the rest is test
SMALL_SPLIT = (0.7, 0.1)  # for a folder of under SMALL pieces: enough held out to measure and to pick weights by
SMALL = 200


@dataclass
class EventFile:
    """All parts, concatenated. Part ``i`` is ``table[offsets[i]:offsets[i+1]]``."""

    table: np.ndarray  # float32 (n, 6)
    offsets: np.ndarray  # int64 (parts + 1)
    voices: np.ndarray  # int8 (parts)
    part_piece: np.ndarray  # int32 (parts): index into pieces
    pieces: list[str]
    piece_split: np.ndarray  # int8 (pieces): index into SPLITS

    @classmethod
    def from_parts(cls, parts: list[PartNotes], seed: int, fractions: tuple[float, float] | None = None) -> EventFile:
        """Concatenate parts and split by piece: a fixed-seed shuffle of the sorted piece names."""
        pieces = sorted({p.piece for p in parts})
        fractions = fractions or (SMALL_SPLIT if len(pieces) < SMALL else SPLIT)
        index = {name: i for i, name in enumerate(pieces)}
        order = np.random.default_rng(seed).permutation(len(pieces))
        n_train, n_valid = int(fractions[0] * len(pieces)), int(fractions[1] * len(pieces))
        split = np.full(len(pieces), 2, dtype=np.int8)
        split[order[:n_train]] = 0
        split[order[n_train:n_train + n_valid]] = 1
        parts = sorted(parts, key=lambda p: (p.piece, p.voice))
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        table = np.concatenate([p.table for p in parts]) if parts else np.zeros((0, 6), np.float32)
        return cls(table=table.astype(np.float32), offsets=np.concatenate([[0], np.cumsum(lengths)]),
                   voices=np.array([p.voice for p in parts], dtype=np.int8),
                   part_piece=np.array([index[p.piece] for p in parts], dtype=np.int32),
                   pieces=pieces, piece_split=split)

    def parts_in(self, split: str) -> list[int]:
        """Indices of the parts whose piece is in ``split``."""
        wanted = SPLITS.index(split)
        return [i for i in range(len(self.voices)) if self.piece_split[self.part_piece[i]] == wanted]

    def part(self, i: int) -> np.ndarray:
        return self.table[self.offsets[i]:self.offsets[i + 1]]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, table=self.table, offsets=self.offsets, voices=self.voices,
                            part_piece=self.part_piece, pieces=np.array(self.pieces), piece_split=self.piece_split)

    @classmethod
    def load(cls, path: Path) -> "EventFile":
        with np.load(path) as data:
            return cls(table=data["table"], offsets=data["offsets"], voices=data["voices"],
                       part_piece=data["part_piece"], pieces=[str(s) for s in data["pieces"]],
                       piece_split=data["piece_split"])

    def write_split(self, path: Path) -> None:
        """The split as JSON: piece names per split, so it can be read, diffed and reproduced."""
        doc = {name: [p for p, s in zip(self.pieces, self.piece_split) if s == i] for i, name in enumerate(SPLITS)}
        path.write_text(json.dumps(doc, indent=0) + "\n")

    def summary(self) -> str:
        counts = {s: int(sum(self.offsets[i + 1] - self.offsets[i] for i in self.parts_in(s))) for s in SPLITS}
        return (f"{len(self.pieces)} pieces, {len(self.voices)} parts, {len(self.table)} notes "
                f"(train {counts['train']}, valid {counts['valid']}, test {counts['test']})")
