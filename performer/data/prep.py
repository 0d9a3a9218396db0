"""`performer prep`: parse the corpus (or a folder of .mid files) once, in parallel, into a cached event file.

Each source file's parse is cached on its own, so an interrupted prep resumes where it stopped."""

from __future__ import annotations

import hashlib
import logging
import pickle
from multiprocessing import get_context
from pathlib import Path

from performer.data.eventfile import EventFile
from performer.data.parts import PartNotes

log = logging.getLogger(__name__)
PARSER_VERSION = {"corpus": 2, "midi": 3}  # bump a reader's when its parse changes, to invalidate its cached parses


def prep(out: Path, cache: Path, midi_dir: Path | None, seed: int, workers: int, limit: int | None = None) -> EventFile:
    """Parse every source file (cached per file), then write the event file and its split next to it."""
    files, reader = _sources(midi_dir)
    files = files[:limit] if limit else files
    parts = _parse_all(files, reader, cache / "parsed", workers)
    events = EventFile.from_parts(parts, seed)
    events.save(out)
    events.write_split(out.with_suffix(".split.json"))
    return events


def _sources(midi_dir: Path | None) -> tuple[list[tuple[Path, Path]], str]:
    if midi_dir is None:
        from performer.data.corpus import corpus_files, corpus_root

        return [(f, corpus_root()) for f in corpus_files()], "corpus"
    files = sorted(p for p in midi_dir.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
    return [(f, midi_dir) for f in files], "midi"


def _parse_all(files: list[tuple[Path, Path]], reader: str, cache: Path, workers: int) -> list[PartNotes]:
    from tqdm import tqdm

    cache.mkdir(parents=True, exist_ok=True)
    jobs = [(path, root, reader, cache / f"{_key(path, reader)}.pkl") for path, root in files]
    parts: list[PartNotes] = []
    failed = 0
    with get_context("spawn").Pool(workers, maxtasksperchild=50) as pool, \
            tqdm(total=len(jobs), unit="file", desc="prep") as bar:
        for result in pool.imap_unordered(_parse_one, jobs, chunksize=1):
            if isinstance(result, str):
                failed += 1
                log.warning("%s", result)
            else:
                parts.extend(result)
            bar.update()
            bar.set_postfix(notes=sum(len(p) for p in parts), failed=failed)
    return parts


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _key(path: Path, reader: str) -> str:
    stat = path.stat()
    text = f"{PARSER_VERSION[reader]}|{reader}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha1(text.encode()).hexdigest()[:20]


def _parse_one(job: tuple[Path, Path, str, Path]) -> list[PartNotes] | str:
    """Parse one file, or read its cached parse. A file that will not parse is reported, not fatal."""
    path, root, reader, cached = job
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    try:
        if reader == "corpus":
            from performer.data.corpus import read_corpus_file

            parts = read_corpus_file(path)
        else:
            from performer.data.midiread import read_midi_file

            parts = read_midi_file(path, root)
    except Exception as error:  # music21 and mido raise many kinds on odd or broken files
        from performer.data.midiread import SkippedFile

        if isinstance(error, SkippedFile):
            return f"{path}: skipped: {error}"
        return f"{path}: not parsed ({type(error).__name__}: {_one_line(str(error))[:120]})"
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(parts))
    tmp.replace(cached)
    return parts
