"""Compiled templates kept in the build cache, each file sealed (sealed.py) and checked before Jinja reads it.

render.py's environment takes any jinja2.BytecodeCache; a build with the cache
hands it this one (BuildCache.compiled_templates), so that render.py knows
nothing of the cache's files.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import jinja2

from briefgen.errors import DamagedCacheError
from briefgen.incremental.sealed import read_sealed, write_sealed

COMPILED_SUFFIX = ".compiled"
"""Of each compiled template's file, sealed; the cache removes any other file of their folder."""


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates in `folder`, each file sealed and checked before it is read.

    Jinja's FileSystemBytecodeCache unpickles and unmarshals whatever bytes the
    file holds, and names it by the template's absolute path. Here a file that
    fails its check is compiled again, and files are named by template name
    only: the same in a moved or copied site root. Jinja still compares each
    file with its template's source, so an edited template, or a site's own
    template in place of the theme's, is compiled again.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}{COMPILED_SUFFIX}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = read_sealed(self._file(bucket))
        except DamagedCacheError:
            return  # compiled again from the template, and written over it
        if data is not None:
            bucket.bytecode_from_string(bytes(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a read-only cache: the template is compiled again next time
            write_sealed(self._file(bucket), bucket.bytecode_to_string())
