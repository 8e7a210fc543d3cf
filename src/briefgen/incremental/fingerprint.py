"""Content fingerprints: what a page or a parsed briefing was made from.

A fingerprint is a digest of everything an output depends on. Two equal
fingerprints mean the same output, which is what lets the build cache reuse a
parsed briefing or a rendered page without ever serving a stale one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from briefgen.digests import digest, fields_digest
from briefgen.model import Briefing


def texts_digest(read: Mapping[str, str | None]) -> str:
    """The texts a page showed, as one digest: each briefing's path and fingerprint, in path order."""
    return digest(*(f"{path} {read[path]}" for path in sorted(read)))


class Fingerprinter:
    """Digests of template contexts, remembering each object's digest for one build.

    The same briefing appears in a dozen contexts (its date, source, tags,
    feeds...); its digest is computed once. Objects are remembered by
    identity, so a Fingerprinter must not outlive the objects it has seen.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, bytes]] = {}

    def of(self, value: Any) -> str:
        return self._digest(value).hex()

    def _digest(self, value: Any) -> bytes:
        if isinstance(value, _PLAIN):
            return hashlib.blake2b(_plain_bytes(value), digest_size=20).digest()
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        # One hash over the object's parts: plain values as length-prefixed
        # text, nested objects as their own (remembered) digests.
        chunks = [type(value).__name__.encode()]
        for part in self._parts(value):
            chunk = _plain_bytes(part) if isinstance(part, _PLAIN) else b"#" + self._digest(part)
            chunks.append(len(chunk).to_bytes(4, "little") + chunk)
        result = hashlib.blake2b(b"".join(chunks), digest_size=20).digest()
        self._known[id(value)] = (value, result)  # holding the value keeps its id from being reused
        return result

    @staticmethod
    def _parts(value: Any) -> list[Any]:
        # A Briefing stands for itself by its fields, text left out: the text a page shows is
        # recorded as it renders (reads.py). The source is resolved across files, so it is added.
        if isinstance(value, Briefing):
            return [fields_digest(value), value.source]
        names = _field_names(type(value))
        if names is not None:
            return [part for name in names for part in (name, getattr(value, name))]
        if isinstance(value, Mapping):
            return [part for key in sorted(value, key=repr) for part in (key, value[key])]
        if isinstance(value, Iterable):
            return list(value)
        raise TypeError(f"cannot fingerprint a {type(value).__name__}")


_PLAIN = (type(None), bool, int, float, str, dt.date, enum.Enum)


def _plain_bytes(value: Any) -> bytes:
    return f"{type(value).__name__}:{value!r}".encode()


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names (looked up once per class), or None for any other class."""
    if cls not in _FIELD_NAMES:
        is_dataclass = dataclasses.is_dataclass(cls)
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else None
    return _FIELD_NAMES[cls]


def files_fingerprint(folders: Iterable[Path]) -> str:
    """A digest of every file below the folders (names and contents)."""
    hasher = hashlib.blake2b(digest_size=20)
    for folder in folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                hasher.update(file.relative_to(folder).as_posix().encode() + b"\0")
                hasher.update(file.read_bytes() + b"\0")
    return hasher.hexdigest()
