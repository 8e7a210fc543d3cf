"""Pagefind's bundle made byte-for-byte reproducible.

Pagefind (1.5) writes the values of each filter, and the list of filters in
its metadata file, in the order of a hash map, which changes from run to run;
the files are named by a hash of their bytes, so the names change too (its
maintainers say as much: only the fragments are stable between builds). The
same site must give the same files, so after Pagefind has written its bundle
this rewrites those files in a sorted order, names them by a digest of their
new bytes, and points the metadata and pagefind-entry.json at the new names.

The files are gzip-compressed CBOR after the signature b"pagefind_dcd":

    filter/<hash>.pf_filter   [name, [[value, [page, ...]], ...]]
    pagefind.<hash>.pf_meta   [version, index chunks, chunk ranges, [[filter name, filter hash], ...], sorts, meta keys]

Only the CBOR those files use is read and written here (unsigned integers,
text, arrays); anything else is refused, so a Pagefind that changed its format
is an error that names it rather than a broken index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)
"""Pagefind's ready-made interfaces, which the search page does not use (assets/search.js shows results)."""
META_FIELD_FILTERS = 3
"""Where the list of filters is in the metadata array."""


class BundleFormatError(ValueError):
    """Pagefind wrote something this module does not know how to read."""


# ----------------------------------------------------------------- CBOR, the subset Pagefind uses


def decode(data: bytes) -> Any:
    value, end = _decode(data, 0)
    if end != len(data):
        raise BundleFormatError(f"{len(data) - end} bytes after the end of the CBOR value")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    try:
        head = data[at]
    except IndexError:
        raise BundleFormatError("CBOR value cut short") from None
    major, extra = head >> 5, head & 31
    at += 1
    if extra < 24:
        length = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        if at + size > len(data):
            raise BundleFormatError("CBOR value cut short")
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise BundleFormatError(f"CBOR item of indefinite length or reserved type ({head:#04x})")
    if major == 0:
        return length, at
    if major == 3:
        if at + length > len(data):
            raise BundleFormatError("CBOR text cut short")
        return data[at : at + length].decode("utf-8"), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise BundleFormatError(f"CBOR major type {major} is not expected in Pagefind's index")


def encode(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _head(major: int, length: int, out: bytearray) -> None:
    if length < 24:
        out.append(major << 5 | length)
    elif length < 1 << 8:
        out += bytes((major << 5 | 24, length))
    elif length < 1 << 16:
        out += bytes((major << 5 | 25,)) + struct.pack(">H", length)
    elif length < 1 << 32:
        out += bytes((major << 5 | 26,)) + struct.pack(">I", length)
    else:
        out += bytes((major << 5 | 27,)) + struct.pack(">Q", length)


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str | list):
        raise BundleFormatError(f"cannot write a {type(value).__name__} as Pagefind's CBOR")
    if isinstance(value, int):
        if value < 0:
            raise BundleFormatError("negative integers are not expected in Pagefind's index")
        _head(0, value, out)
    elif isinstance(value, str):
        text = value.encode("utf-8")
        _head(3, len(text), out)
        out += text
    else:
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)


def read_file(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name} does not start with Pagefind's signature")
    return decode(data[len(SIGNATURE) :])


def file_bytes(value: Any) -> bytes:
    """Compressed as Pagefind's files are, with no time stamp, so the same value gives the same bytes."""
    return gzip.compress(SIGNATURE + encode(value), compresslevel=9, mtime=0)


# ----------------------------------------------------------------- the bundle


def _name(language: str, content: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(content).hexdigest()[:length]}"


def make_reproducible(bundle: Path) -> None:
    """Rewrite the bundle's filter and metadata files in sorted order, under names from their bytes;
    remove the files the search page does not use."""
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    entry_path = bundle / ENTRY_FILE
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, details in sorted(entry.get("languages", {}).items()):
        old_meta = bundle / f"pagefind.{details['hash']}.pf_meta"
        meta = read_file(old_meta)
        if not (isinstance(meta, list) and len(meta) > META_FIELD_FILTERS and isinstance(meta[3], list)):
            raise BundleFormatError(f"{old_meta.name} is not laid out as Pagefind 1.5 lays it out")
        filters = []
        for name, old_hash in meta[META_FIELD_FILTERS]:
            filters.append([name, _rewrite_filter(bundle / "filter", language, old_hash)])
        meta[META_FIELD_FILTERS] = sorted(filters)
        content = file_bytes(meta)
        new_hash = _name(language, content, 10)
        old_meta.unlink()
        (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(content)
        details["hash"] = new_hash
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    entry_path.write_text(text, encoding="utf-8")


def _rewrite_filter(folder: Path, language: str, old_hash: str) -> str:
    old = folder / f"{old_hash}.pf_filter"
    value = read_file(old)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
        raise BundleFormatError(f"filter/{old.name} is not laid out as Pagefind 1.5 lays it out")
    name, entries = value
    ordered = sorted([entry[0], sorted(entry[1])] for entry in entries)
    content = file_bytes([name, ordered])
    new_hash = _name(language, content, 7)
    old.unlink()
    (folder / f"{new_hash}.pf_filter").write_bytes(content)
    return new_hash
