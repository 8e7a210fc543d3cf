"""The build cache: parsed briefings and rendered pages, reused only when provably current.

Lives in .briefgen-cache/ in the site root, never inside site/, and is safe to
delete at any time. Every entry is keyed by a fingerprint of what it was made
from: a briefing by its file's bytes, its path, the settings that change
parsing, sources.yaml and briefgen's version; a page by its template files,
the settings and every value its template is given. A stale entry therefore
cannot match; at worst the cache misses and the work is done again.

Nor can a damaged one be used: every file and record carries a digest of its
bytes (sealed.py), checked before it is unpickled. An entry that fails is
dropped and made again from its file, and the build says so once. Paths are
kept relative to the site root (packs by their name in bodies/), so that a
moved root keeps its cache and a copied one never reads the original's files.
The index file that records it all, its layout and its version, is cacheindex.py's.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path

from briefgen.errors import DamagedCacheError
from briefgen.filestate import FileState, current_state, root_relative
from briefgen.incremental.cacheindex import (
    INDEX_PREFIX,
    CacheState,
    EntryPlace,
    PageRecord,
    cache_version,
    index_file,
    read_index,
    write_index,
)
from briefgen.incremental.packs import PackedBodies, PackedBody, PackWriter, packed_body_intact, pickled_body
from briefgen.incremental.sealed import TEMPORARY_PREFIX, digest_of, read_sealed, unpickled, write_sealed
from briefgen.incremental.templates import COMPILED_SUFFIX, SealedBytecodeCache
from briefgen.model import Body, Briefing, Image
from briefgen.neighbours import MARKER
from briefgen.parsecache import ParsedEntry
from briefgen.write import folder_identity

CACHE_DIR = ".briefgen-cache"
COMPILED_TEMPLATES_DIR = "templates"
"""Where the compiled templates are kept (incremental/templates.py)."""


class BuildCache:
    """Reads the cache folder once, and writes it back whole at the end of a build.

    `folder` is the cache folder in the site root. With `trust_packs` False, every
    body is checked before it is used, whatever its pack's state (build.py: after a
    body failed its check while pages rendered).
    """

    def __init__(self, folder: Path, *, trust_packs: bool = True) -> None:
        # Absolute, so that a build run from another folder (`--root DIR`, then `cd DIR`
        # and no option) finds the packs all the same; never recorded as such.
        self.folder = folder.absolute()
        self.root = self.folder.parent
        self.bodies = self.folder / "bodies"
        self._bodies_prefix = f"{self.bodies}{os.sep}"
        self._real_root = self.root.resolve()
        self.version = cache_version()
        """Of the briefgen and the classes that wrote the cache; a cache of any other is not read."""
        self._trust_packs = trust_packs
        self.damaged: set[str] = set()
        """What failed its check in this build: entry keys, compiled templates, other files."""
        found = read_index(self._index_file())
        self.index_damaged = found is None
        self.state, self._entries = found if found is not None else (CacheState(), memoryview(b""))
        self._packs = PackWriter(self.bodies)
        self.used_entries: set[str] = set()
        self._read_entries: dict[str, ParsedEntry] = {}
        """Entries unpickled from the cache, as they were read."""
        self._new_entries: dict[str, ParsedEntry] = {}
        """Entries this build parsed, to be pickled when it saves."""
        self._pickled: dict[str, tuple[ParsedEntry, bytes]] = {}
        """New entries pickled ahead of save (pickle_new_entries), with the entry each was made from."""
        self._changed = False
        self._pack_states: dict[str, FileState | None] = {}
        self._checked_bodies: set[str] = set()
        """Entries whose bodies were checked against their digests in this build."""

    def _index_file(self) -> Path:
        return index_file(self.folder, self.version)

    def known_key(self, rel: str, salt: str, state: FileState) -> str | None:
        """The entry key of a file whose state has not changed since it was last read with this salt."""
        known = self.state.files.get((rel, salt))
        return known[1] if known is not None and known[0] == state else None

    def entry(self, key: str) -> ParsedEntry | None:
        """The entry on record for `key`, when it is intact and its images are as they were."""
        entry = self._read_entries.get(key)
        if entry is None:
            place = self.state.entries.get(key)
            if place is None:
                return None
            entry = self._unpickled_entry(place)
            if entry is None:
                self._drop_damaged(key)
                return None
            self._read_entries[key] = entry
        if not _images_unchanged(entry, self.root):
            return None
        if isinstance(entry.body, PackedBody) and not self._body_intact(key, entry.body):
            self._drop_damaged(key)
            return None
        return entry

    def _unpickled_entry(self, place: EntryPlace) -> ParsedEntry | None:
        offset, size, digest = place
        entry = unpickled(self._entries[offset : offset + size], digest, size)
        return self._from_record(entry) if isinstance(entry, ParsedEntry) else None

    def _drop_damaged(self, key: str) -> None:
        """Forget an entry that failed its check: the file is parsed again, and the build says so."""
        self.damaged.add(key)
        self.state.entries.pop(key, None)
        self._read_entries.pop(key, None)
        self._changed = True

    def _body_intact(self, key: str, stored: PackedBody) -> bool:
        """Whether the body's pack holds it: checked against its digests unless the pack is as it was left."""
        if key in self._checked_bodies:
            return True
        name = _pack_name(stored)
        state = self._pack_state(name)
        if state is None or stored.offset + stored.size + stored.notes_json_size > state.size:
            return False  # gone, or cut short
        if not (self._trust_packs and self.state.packs.get(name) == state) and not packed_body_intact(stored):
            return False
        self._checked_bodies.add(key)
        return True

    def _pack_state(self, name: str) -> FileState | None:
        if name not in self._pack_states:
            state = self._pack_states[name] = current_state(self.bodies / name)
            self._changed |= state != self.state.packs.get(name)  # to record it once its bodies are checked
        return self._pack_states[name]

    def remember(self, rel: str, salt: str, state: FileState, key: str, entry: ParsedEntry) -> None:
        if key in self.state.entries and key not in self._read_entries and self._damaged_on_record(key):
            self._drop_damaged(key)  # found damaged by a worker, which parsed the file again: counted here
        self._changed |= self.state.files.get((rel, salt)) != (state, key) or key not in self.state.entries
        self.state.files[(rel, salt)] = (state, key)
        if self._read_entries.get(key) is not entry:
            self._new_entries[key] = entry
        self.used_entries.add(key)

    def _damaged_on_record(self, key: str) -> bool:
        """Whether the entry on record for `key` fails its check, as a worker found it.

        Cheap when no pack changed: only the entry's digest. A file touched but not
        changed is parsed by a worker, which reuses its entry: here it is not unpickled again."""
        offset, size, digest = self.state.entries[key]
        if digest_of(self._entries[offset : offset + size]) != digest:
            return True
        if self._trust_packs and all(self._pack_state(name) == state for name, state in self.state.packs.items()):
            return False
        return self.entry(key) is None and key in self.damaged

    def store_body(self, entry: ParsedEntry) -> ParsedEntry:
        """The entry with its body kept in the cache's packs: large archives keep bodies out of memory."""
        if not isinstance(entry.body, Body):
            return entry
        return dataclasses.replace(entry, body=self._packs.append(*pickled_body(entry.body)))

    def packed_bodies(self, entries: Iterable[ParsedEntry]) -> PackedBodies:
        """The bodies of these entries (kept by store_body), as the pipeline reads them."""
        places: dict[str, PackedBody] = {}
        for entry in entries:
            if entry.briefing is not None and isinstance(entry.body, PackedBody):
                places[entry.briefing.path] = entry.body
        return PackedBodies(places)

    def pages_in(self, output: Path) -> Mapping[str, PageRecord]:
        """What the last build wrote, when it wrote to `output` and that folder is still the one it wrote."""
        identity = output_identity(output, self.root)
        return self.state.pages if identity and self.state.output == identity else {}

    def compiled_templates(self) -> SealedBytecodeCache:
        """The bytecode cache build.py hands render.py: where Jinja keeps the templates it compiled
        (keyed by their source: never stale), each file checked here.

        Checked once, in this process, before any worker renders: a damaged one is
        removed (and compiled again), and the build counts it."""
        folder = self.folder / COMPILED_TEMPLATES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for file in folder.iterdir():
            if not file.name.endswith(COMPILED_SUFFIX):
                file.unlink(missing_ok=True)  # an older briefgen's, or left by a killed build: quietly
                continue
            try:
                read_sealed(file)
            except DamagedCacheError:
                self.damaged.add(f"{COMPILED_TEMPLATES_DIR}/{file.name}")
                file.unlink(missing_ok=True)
        return SealedBytecodeCache(folder)

    def read_file(self, name: str) -> bytes | None:
        """A small file of the cache (build.py's record of the last build); None when missing or damaged."""
        try:
            data = read_sealed(self.folder / name)
        except DamagedCacheError:
            self.damaged.add(name)
            return None
        return bytes(data) if data is not None else None

    def write_file(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_sealed(self.folder / name, data)

    def damage_notice(self) -> str | None:
        """The one warning for everything in the cache that failed its check in this build, if anything did."""
        where = CACHE_DIR
        if self.index_damaged:
            return f"{where}: its index was damaged; every briefing was parsed again from its file"
        if not self.damaged:
            return None
        count = len(self.damaged)
        return f"{where}: {count} damaged {'entry' if count == 1 else 'entries'} rebuilt from their files"

    def pages_shape(self) -> str:
        """The shape the recorded pages were fingerprinted under."""
        return self.state.shape

    def pickle_new_entries(self) -> None:
        """Pickle the entries this build parsed, ahead of save(): a build calls this while its workers
        render, when the process would otherwise wait, rather than after them (0.1 s for 5,000)."""
        for key, entry in self._new_entries.items():
            self._pickled[key] = (entry, self._pickled_record(entry))

    def _pickled_entry(self, key: str, entry: ParsedEntry) -> bytes:
        ahead = self._pickled.get(key)
        return ahead[1] if ahead is not None and ahead[0] is entry else self._pickled_record(entry)

    def _pickled_record(self, entry: ParsedEntry) -> bytes:
        return pickle.dumps(self._to_record(entry), protocol=pickle.HIGHEST_PROTOCOL)

    def _to_record(self, entry: ParsedEntry) -> ParsedEntry:
        """The entry as the cache keeps it: its body's pack by name, its images relative to the root."""
        briefing, body = entry.briefing, entry.body
        if briefing is None or not (isinstance(body, PackedBody) or briefing.images):
            return entry
        if isinstance(body, PackedBody):
            body = dataclasses.replace(body, path=_pack_name(body))
        images = tuple(
            Image(root_relative(Path(image.source_path), self._real_root), image.output_name)
            for image in briefing.images
        )
        return dataclasses.replace(entry, briefing=dataclasses.replace(briefing, images=images), body=body)

    def _from_record(self, entry: ParsedEntry) -> ParsedEntry:
        """The entry as a build uses it: its body's pack and its images found in this site root."""
        briefing, body = entry.briefing, entry.body
        if briefing is None or not (isinstance(body, PackedBody) or briefing.images):
            return entry
        if isinstance(body, PackedBody):
            body = PackedBody(
                self._bodies_prefix + body.path,
                body.offset,
                body.size,
                body.notes_json_size,
                body.digest,
                body.notes_json_digest,
            )
        if briefing.images:
            images = tuple(Image(str(self._real_root / i.source_path), i.output_name) for i in briefing.images)
            briefing = _with_images(briefing, images)
        return ParsedEntry(briefing, entry.problems, body, entry.images, entry.parsed_on)

    def save(self, pages: Mapping[str, PageRecord], output: Path | None = None, shape: str | None = None) -> None:
        """Keep what this build used; drop the rest, bodies included."""
        output_name = output_identity(output, self.root) if output is not None else self.state.output
        shape = shape if shape is not None else self.state.shape
        unused = len(self.used_entries) != len(self.state.entries)
        if not (
            self._changed
            or unused
            or pages != self.state.pages
            or output_name != self.state.output
            or shape != self.state.shape
        ):
            return  # a build that changed nothing need not spend time writing the same cache
        self.folder.mkdir(parents=True, exist_ok=True)
        self._packs.close()
        used = {k: self._new_entries.get(k) or self._read_entries[k] for k in sorted(self.used_entries)}
        moved, damaged = self._compact(used)
        for key in damaged:  # a body in a small pack failed its check as it was moved: parsed again next time
            self.damaged.add(key)
            del used[key]
        changed = {**{k: v for k, v in self._new_entries.items() if k in used}, **moved}
        used.update(changed)
        entries, places = self._entries_to_write(used, changed)
        self.state.entries = places
        self.state.files = {rel: v for rel, v in self.state.files.items() if v[1] in places}
        self.state.pages = dict(pages)
        self.state.output = output_name
        self.state.shape = shape
        packs = _pack_names(used.values())
        self.state.packs = {name: state for name in sorted(packs) if (state := current_state(self.bodies / name))}
        write_index(self._index_file(), self.state, entries)
        for other in self.folder.iterdir():
            if other.name.startswith((TEMPORARY_PREFIX, INDEX_PREFIX)) and other != self._index_file():
                other.unlink(missing_ok=True)  # left by a build killed while saving; an older briefgen's index
        self._packs.remove_all_but(packs)

    def _compact(self, used: dict[str, ParsedEntry]) -> tuple[dict[str, ParsedEntry], list[str]]:
        """The entries whose bodies PackWriter.compact moved into a new pack, and those found damaged."""
        bodies = {key: entry.body for key, entry in used.items() if isinstance(entry.body, PackedBody)}
        moved, damaged = self._packs.compact(bodies)
        return {key: dataclasses.replace(used[key], body=body) for key, body in moved.items()}, damaged

    def _entries_to_write(
        self, used: Mapping[str, ParsedEntry], changed: Mapping[str, ParsedEntry]
    ) -> tuple[list[bytes | memoryview], dict[str, EntryPlace]]:
        """The entries' bytes, one after another, and where each is: pickled anew, or as they were read."""
        chunks: list[bytes | memoryview] = []
        places: dict[str, EntryPlace] = {}
        offset = 0
        for key in used:
            if key in changed:
                data: bytes | memoryview = self._pickled_entry(key, changed[key])
                digest = digest_of(data)
            else:
                start, size, digest = self.state.entries[key]
                data = self._entries[start : start + size]
            chunks.append(data)
            places[key] = (offset, len(data), digest)
            offset += len(data)
        return chunks, places


def _pack_names(entries: Iterable[ParsedEntry]) -> set[str]:
    return {_pack_name(entry.body) for entry in entries if isinstance(entry.body, PackedBody)}


def _pack_name(stored: PackedBody) -> str:
    return os.path.basename(stored.path)  # noqa: PTH119 - a Path for each of 100,000 bodies costs


def output_identity(output: Path, root: Path) -> str:
    """The output folder's path (relative to the site root, when in it), and the inodes of the folder
    and of its marker file.

    Every build that changes the site puts another folder at its path (a whole
    new site, or the rebuilt twin: write.py), so a build killed after its swap
    but before saving the cache leaves a folder whose identity is not on
    record, and the pages on record are no longer trusted to be the ones there.
    A copied site root has other inodes: its copy of the site is not trusted either.
    """
    folder, marker = folder_identity(output), current_state(output / MARKER)
    if not folder or marker is None:
        return ""
    return f"{root_relative(output.resolve(), root.resolve())}@{folder}:{marker.inode}"


_BRIEFING_FIELDS = tuple(f.name for f in dataclasses.fields(Briefing))
_briefing_values = operator.attrgetter(*_BRIEFING_FIELDS)
_IMAGES = _BRIEFING_FIELDS.index("images")


def _with_images(briefing: Briefing, images: tuple[Image, ...]) -> Briefing:
    """dataclasses.replace(briefing, images=images), in a fifth of its time:
    every entry with images read from the cache goes through here."""
    values = list(_briefing_values(briefing))
    values[_IMAGES] = images
    return Briefing(*values)


def _images_unchanged(entry: ParsedEntry, root: Path) -> bool:
    return all(current_state(root / path) == state for path, state in entry.images)
