"""What the search index in the output was made from, and its files, as the last build recorded them.

Two files of the cache folder, written once the site is in place:

- STATE_FILE: what the index was made from (search.py: the output folder,
  Pagefind's version, the documents' and entries' formats, every document's
  key); a build whose briefings need another index makes it;
- FILES_FILE: each file of the index and its size, sealed (sealed.py), so
  that a file removed or cut short by hand is found (a stat a file: some
  15 ms for the 5,500 files of 5,000 briefings' index) and made again from
  the kept index, even by a build with nothing else to do.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import DamagedCacheError
from briefgen.filestate import at_size, files_under
from briefgen.incremental.sealed import read_sealed, write_sealed
from briefgen.pagefindformat import ENTRY_FILE
from briefgen.urls import SEARCH_BUNDLE_DIR

STATE_FILE = "search-index"
"""In the cache folder: what the index in the output was made from."""
FILES_FILE = "search-index-files"
"""In the cache folder: each file of the index in the output and its size, as the last build left them."""


def read_search_state(cache: Path | None) -> str:
    """What the search index now in the output was made from, as the last build recorded it."""
    if cache is None:
        return ""
    try:
        return (cache / STATE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def record_search_state(cache: Path, state: str, bundle: Path) -> None:
    """Record `state` and the files now in `bundle`, the output's index, with their sizes."""
    cache.mkdir(parents=True, exist_ok=True)
    temporary = cache / f"{STATE_FILE}.tmp"
    temporary.write_text(state + "\n", encoding="utf-8")
    temporary.replace(cache / STATE_FILE)
    listing = "".join(f"{path.stat().st_size} {name}\n" for name, path in files_under(bundle))
    write_sealed(cache / FILES_FILE, listing.encode("utf-8"))


def index_in_place(output: Path, cache: Path | None) -> bool:
    """Whether the index the last build left in `output` is all there: each file it listed at its size.
    Without a listing (no cache, or an older briefgen's), whether pagefind-entry.json is; with a damaged one,
    not (the index is then made again)."""
    bundle = output / SEARCH_BUNDLE_DIR
    try:
        data = read_sealed(cache / FILES_FILE) if cache is not None else None
    except DamagedCacheError:
        return False
    if data is None:
        return (bundle / ENTRY_FILE).is_file()
    for line in bytes(data).decode("utf-8", "replace").splitlines():
        size, _, name = line.partition(" ")
        if not (size.isdigit() and at_size(f"{bundle}/{name}", int(size))):
            return False
    return True
