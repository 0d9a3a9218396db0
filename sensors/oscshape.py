"""The shape of an OSC datagram, read before it is parsed, so that what a datagram costs is known before any work
is spent on it, and nothing python-osc would choke on, warn about or crawl through reaches it.

``cost`` counts messages from the bundles' element sizes alone (nested bundles included): a bundle of 200
messages costs 200, not 1. ``problem`` then checks every message's layout against the limits below: a short
address, known type tags, few arguments, short strings and blobs. Both only slice and search bytes."""

from __future__ import annotations

import struct

BUNDLE = b"#bundle\x00"
HEADER = 16  # "#bundle\0" and the time tag
MAX_BYTES = 8192  # a datagram; OSC controllers send one message or a short bundle, a camera's frame is about 1 KB
MAX_MESSAGES = 256  # in one datagram
MAX_DEPTH = 4  # bundles within bundles
MAX_ADDRESS = 128  # bytes of an address
MAX_ARGS = 32  # type tags of one message
MAX_STRING = 128  # bytes of a string argument
MAX_BLOB = 256  # bytes of a blob argument
BYTES_PER_MESSAGE = 256  # a long message costs as much as this many bytes of short ones would
KNOWN_TAGS = b"ihfdsbrmtTFN[]"  # what python-osc parses (any other tag is logged by it, once per argument)
FIXED = {ord(t): n for t, n in zip("ifrmhdtTFN[]", (4, 4, 4, 4, 8, 8, 8, 0, 0, 0, 0, 0))}
PRINTABLE = bytes(range(0x20, 0x7F))
_SIZE = struct.Struct(">i")


def _elements(dgram: bytes) -> list[tuple[int, int]] | None:
    """(start, end) of every message in ``dgram``, walking bundle element sizes; None if the layout is broken,
    too long, too deep or holds too many messages."""
    if len(dgram) > MAX_BYTES:
        return None
    if dgram[:1] == b"/":
        return [(0, len(dgram))]
    if not dgram.startswith(BUNDLE) or len(dgram) < HEADER:
        return None
    messages: list[tuple[int, int]] = []
    stack: list[tuple[int, int]] = []  # where each enclosing bundle goes on
    pos, end = HEADER, len(dgram)
    while True:
        if pos >= end:
            if not stack:
                return messages
            pos, end = stack.pop()
            continue
        if pos + 4 > end:
            return None
        (size,) = _SIZE.unpack_from(dgram, pos)
        start, pos = pos + 4, pos + 4 + size
        if size <= 0 or size % 4 or pos > end:
            return None
        if dgram[start] == 0x2F:  # "/": a message
            messages.append((start, pos))
            if len(messages) > MAX_MESSAGES:
                return None
        elif dgram.startswith(BUNDLE, start) and size >= HEADER and len(stack) < MAX_DEPTH:
            stack.append((pos, end))
            pos, end = start + HEADER, pos
        else:
            return None


def cost(dgram: bytes) -> int:
    """What ``dgram`` costs against a rate limit: its messages, or its length in BYTES_PER_MESSAGE if more, and
    at least 1 (a broken datagram costs 1: it still had to be read)."""
    elements = _elements(dgram)
    return max(1, len(elements) if elements else 0, -(-len(dgram) // BYTES_PER_MESSAGE))


def problem(dgram: bytes) -> str | None:
    """What keeps ``dgram`` from being parsed (its layout or a limit), in a few words, or None."""
    elements = _elements(dgram)
    if elements is None:
        return (f"longer than {MAX_BYTES} bytes" if len(dgram) > MAX_BYTES else
                "neither an OSC message nor a well-formed bundle (of at most "
                f"{MAX_MESSAGES} messages, {MAX_DEPTH} deep)")
    for start, end in elements:
        why = _message_problem(dgram, start, end)
        if why is not None:
            return why
    return None


def _string_end(dgram: bytes, start: int, end: int, limit: int) -> int | None:
    """Where the padded string at ``start`` ends, if its null comes before ``end`` and within ``limit`` bytes."""
    null = dgram.find(b"\x00", start, min(end, start + limit + 1))
    return None if null < 0 else null + 4 - (null % 4)


def _message_problem(dgram: bytes, start: int, end: int) -> str | None:
    pos = _string_end(dgram, start, end, MAX_ADDRESS)
    if pos is None or dgram[start:pos].rstrip(b"\x00").translate(None, PRINTABLE):
        return f"an address that is not printable text of at most {MAX_ADDRESS} bytes"
    if pos >= end:
        return None  # no type tags: no arguments
    tags_end = _string_end(dgram, pos, end, MAX_ARGS + 1)
    if dgram[pos] != 0x2C or tags_end is None:  # ","
        return f"type tags that do not start with ',' or name more than {MAX_ARGS} arguments"
    tags = dgram[pos + 1:tags_end].rstrip(b"\x00")
    if tags.translate(None, KNOWN_TAGS):
        return f"an argument type python-osc does not read (it reads {KNOWN_TAGS.decode()})"
    return _arguments_problem(dgram, tags, tags_end, end)


def _arguments_problem(dgram: bytes, tags: bytes, pos: int, end: int) -> str | None:
    for tag in tags:
        if tag in FIXED:
            pos += FIXED[tag]
        elif tag == 0x73:  # "s"
            string_end = _string_end(dgram, pos, end, MAX_STRING)
            if string_end is None:
                return f"a string argument longer than {MAX_STRING} bytes, or cut short"
            pos = string_end
        else:  # "b": a blob, its size first
            size = _SIZE.unpack_from(dgram, pos)[0] if pos + 4 <= end else -1
            if not 0 <= size <= MAX_BLOB:
                return f"a blob argument longer than {MAX_BLOB} bytes, or cut short"
            pos += 4 + size + (-size % 4)
        if pos > end:
            return "arguments cut short"
    return None
