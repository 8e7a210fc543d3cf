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

from briefgen.model import Briefing


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def value_fingerprint(value: Any) -> str:
    """A digest of a template context: dataclasses, tuples, mappings, dates and text."""
    hasher = hashlib.blake2b(digest_size=20)
    _feed(hasher, value)
    return hasher.hexdigest()


def _feed(hasher: Any, value: Any) -> None:
    # A Briefing stands for itself by its fingerprint: it already digests the
    # file it came from and everything its parsing depended on.
    if isinstance(value, Briefing):
        hasher.update(b"B" + value.fingerprint.encode())
        _feed(hasher, value.source)  # resolved across files, so not part of its own fingerprint
    elif value is None or isinstance(value, bool | int | float | str | dt.date | enum.Enum):
        text = f"{type(value).__name__}:{value!r}".encode()
        hasher.update(len(text).to_bytes(8, "little") + text)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        hasher.update(b"D" + type(value).__name__.encode())
        for field in dataclasses.fields(value):
            _feed(hasher, field.name)
            _feed(hasher, getattr(value, field.name))
    elif isinstance(value, Mapping):
        hasher.update(b"M")
        for key in sorted(value, key=repr):
            _feed(hasher, key)
            _feed(hasher, value[key])
    elif isinstance(value, Iterable):
        hasher.update(b"L")
        for item in value:
            _feed(hasher, item)
        hasher.update(b"l")
    else:
        raise TypeError(f"cannot fingerprint a {type(value).__name__}")


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
