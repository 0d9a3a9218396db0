"""TOML for the file fuzzers: the shipped rig, scene and show files, mutated as bytes (flipped, cut, spliced) and
as documents (a field's value replaced by one of the wrong type or an absurd one, a field dropped or added), and
any such document written back as TOML text."""

from __future__ import annotations

import copy
import datetime
import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

import tomlkit
from hypothesis import strategies as st

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
Path_ = tuple[str | int, ...]  # keys and indices from the document's top to one value


@dataclass(frozen=True)
class Raw:
    """Text written into a document as it is: nesting deeper than any value should be, or a value that is not
    TOML at all."""

    text: str


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as it is."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """A key, bare when TOML allows it."""
    return key if BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: Any) -> str:
    """Any value as TOML: tables inline, so each top-level key is one line however deep its value."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value) if isinstance(value, int) else toml_string(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # repr writes inf, -inf, 1e+300 as TOML does
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def toml_document(doc: dict[str, Any]) -> bytes:
    """A whole document, one top-level key a line; text that UTF-8 cannot hold stays in as the bytes it is."""
    text = "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())
    return text.encode("utf-8", "surrogatepass")


def value_paths(value: Any, here: Path_ = ()) -> list[Path_]:
    """Every place in a document a mutation can reach, the document itself first."""
    paths = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += value_paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths += value_paths(item, (*here, i))
    return paths


def at(doc: Any, path: Path_) -> Any:
    """The value at ``path``."""
    for part in path:
        doc = doc[part]
    return doc


NASTY_STRINGS = ("", " ", "..", "/", ".", "../..", "../../etc/passwd", "/etc/passwd", "/dev/zero", "/dev/null",
                 "../scenes/dawn.toml", "dawn.toml", "fuzz.toml", "../rigs/laptop.toml", "sessions",
                 "(", "[", "*", "\\", "a|(", "next", "go", "stop", "#3", "#99999999999999999999", "midi/cc/999",
                 "midi/cc14/32", "hand/left/nose", "a/b\n", "key/ctrl", "audience/zone/", "10:00", "25:61", "mon",
                 "\x00", "\n", "\r\n", "\u2028", "caf\u00e9", "\ud800", "\ufeff", "NaN", "inf", "1e999", "true")


def scalars() -> st.SearchStrategy[Any]:
    """Values of every TOML type, most of them wrong for any one field: huge, non-finite, dates, odd text."""
    return st.one_of(
        st.booleans(), st.integers(-300, 300), st.integers(), st.integers(-(1 << 70), 1 << 70),
        st.floats(), st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 5e-324, 1.7976931348623157e308]),
        st.text(max_size=24), st.sampled_from(NASTY_STRINGS),
        st.builds(lambda n, c: c * n, st.sampled_from([201, 4097, 70_000, 1_100_000]), st.sampled_from("x\n\x00/")),
        st.dates(), st.times(), st.datetimes(timezones=st.sampled_from([None, datetime.timezone.utc])),
        st.builds(lambda d: Raw("[" * d + "]" * d), st.integers(1, 3000)),
        st.builds(lambda d: Raw("{a = " * d + "1" + "}" * d), st.integers(1, 1000)),
        st.sampled_from([Raw("1979-05-27T07:32:00Z"), Raw("0x7fffffff"), Raw("1_000"), Raw("+nan"), Raw("'''x'''"),
                         Raw(""), Raw("="), Raw("[1, 'a', {}]")]),
    )


def hostile_values(names: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """A scalar, or arrays and tables of them, keyed by ``names``."""

    def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4)

    return st.recursive(scalars(), containers, max_leaves=6)


@st.composite
def mutated_document(draw: st.DrawFn, docs: Sequence[dict[str, Any]], keys: st.SearchStrategy[str],
                     values: st.SearchStrategy[Any]) -> bytes:
    """A shipped document with one to three of its values replaced, dropped, added or swapped, as TOML."""
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    for _ in range(draw(st.integers(1, 3))):
        paths = value_paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "swap", "drop", "add"]))
        if op == "add" and isinstance(at(doc, path), (dict, list)):
            _add(at(doc, path), draw(keys), draw(values))
        elif path and op == "drop":
            del at(doc, path[:-1])[path[-1]]
        elif path:
            value = copy.deepcopy(at(doc, draw(st.sampled_from(paths)))) if op == "swap" else draw(values)
            at(doc, path[:-1])[path[-1]] = value
    return toml_document(doc)


def _add(container: dict[str, Any] | list[Any], key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    else:
        container.append(value)


@st.composite
def mutated_bytes(draw: st.DrawFn, texts: Sequence[bytes]) -> bytes:
    """A shipped file with bytes flipped, replaced, inserted or cut, or a line repeated."""
    data = bytearray(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.sampled_from(["flip", "set", "insert", "cut", "truncate", "repeat"]))
        if op == "flip" and data:
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[where] = draw(st.integers(0, 255))
        elif op == "insert":
            data[where:where] = draw(st.binary(max_size=8) | st.sampled_from([b"[", b"]", b"=", b'"', b"\n", b"{"]))
        elif op == "cut":
            del data[where:where + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[where:]
        else:
            end = data.find(b"\n", where)
            start = data.rfind(b"\n", 0, where) + 1
            data[start:start] = data[start:end + 1] if end >= 0 else b""
    return bytes(data)


def file_bytes(texts: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """What a file fuzzer writes: any bytes, a shipped file's bytes mutated, or its document mutated."""
    docs = [tomlkit.loads(text.decode()).unwrap() for text in texts]
    known = sorted({str(p[-1]) for doc in docs for p in value_paths(doc) if p and isinstance(p[-1], str)})
    keys = st.sampled_from(known) | st.text(max_size=8)  # the names real files use, and others
    document = mutated_document(docs, keys, hostile_values(keys))
    return st.one_of(st.binary(max_size=600), mutated_bytes(texts), document, document)
