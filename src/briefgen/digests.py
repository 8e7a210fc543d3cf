"""The digests the loader makes as it reads a file, and the incremental engine compares later.

A parsed briefing's key (and fingerprint) digests its file's bytes with what
parsing depends on; its fields' digest stands for it in every page's
fingerprint (incremental/fingerprint.py). The loader's workers make both as
they parse, so they live here, below the loader and the engine alike.
"""

from __future__ import annotations

import dataclasses
import hashlib

from briefgen.model import Briefing


def digest(*parts: bytes | str) -> str:
    # SHA-256 rather than BLAKE2: it digests every page a build writes (half a gigabyte for
    # 5,000 briefings), and with the CPU's SHA instructions it is half as fast again.
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def fields_digest(briefing: Briefing) -> str:
    """The digest of a briefing's fields, its source left out: the loader's, kept in
    Briefing.fields_digest, or made now for a briefing made elsewhere.

    A page's fingerprint digests a briefing by these fields only; its text is
    covered by the record of what the page read (incremental/reads.py).
    """
    if briefing.fields_digest:
        return briefing.fields_digest
    values = tuple(getattr(briefing, name) for name in _FIELDS_WITHOUT_TEXT)
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=20).hexdigest()


_FIELDS_WITHOUT_TEXT = tuple(
    f.name
    for f in dataclasses.fields(Briefing)
    if f.name not in {"source", "fingerprint", "fields_digest", "slug_line", "translation_line"}
)
"""The source is left out because the loader settles it across files afterwards; it is digested apart.
No page shows where the slug or translation_of was written: moving them leaves every page as it was."""
