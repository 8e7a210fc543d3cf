"""searchrun.py's fast path: a document given to Pagefind as a flat page rather than at its address.

The reference writes each document as a page at its address (a folder per
briefing, then index.html), so that Pagefind gives the page that address.
Making a folder costs as much as making a file on the project's machine, so
a batch of 500 briefings' pages took some 0.3 s more of CPU than pages in
one folder (median of 5, side by side). A document whose address is plain
ASCII is written instead as `<n>.html`, which Pagefind gives the address
`/<n>.html`, and its entry is readdressed (entry_readdressed): it is then the
entry of the page at its address (tests/test_searchrun.py compares both ways,
odd addresses included).
"""

from __future__ import annotations

import dataclasses
import json
import re

from briefgen.pagefindformat import BundleFormatError, PageEntry, entry_digest

PLAIN_ADDRESS = re.compile(r"/(?:[A-Za-z0-9._~-]+/)+")
"""An address Pagefind gives a page at it as it is: its folders joined, nothing to encode."""


def flat_page(number: int, url: str) -> str | None:
    """The file name of the batch's document `number` with address `url` written flat; None when its
    address is not plain, and the page is written at its address."""
    return f"{number}.html" if PLAIN_ADDRESS.fullmatch(url) else None


def entry_readdressed(entry: PageEntry, url: str) -> PageEntry:
    """`entry` as Pagefind makes it for the same document found at `url`.

    A page's address is in its entry twice: as `url`, and as the first member
    of its fragment's JSON, `{"url":"..."`, which serde_json writes as Python's
    json module does (the same escapes). Nothing else Pagefind keeps of a page
    depends on where its file was."""
    head = b'{"url":' + json.dumps(entry.url, ensure_ascii=False).encode("utf-8") + b","
    if not entry.fragment.startswith(head):
        raise BundleFormatError(f"the fragment of {entry.url} does not begin with its address")
    fragment = b'{"url":' + json.dumps(url, ensure_ascii=False).encode("utf-8") + b"," + entry.fragment[len(head) :]
    return dataclasses.replace(
        entry, url=url, fragment=fragment, digest=entry_digest(url, entry.language, entry.wasm, fragment, entry.words)
    )
