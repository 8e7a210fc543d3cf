"""Model objects pickled as calls with their fields: the cache and the workers' results unpickle them fast.

The build cache holds hundreds of thousands of model objects (briefings, their
notes, page records), and every parsed briefing crosses from a worker to the
build as a pickle. Python's own unpickling of a frozen slotted dataclass sets
each field through object.__setattr__, three times slower than a call; a named
tuple's runs Python code. Registered with copyreg, so that the model itself
knows nothing of it; imported by the incremental package, which every build
imports. The loader's records (parsecache.ParsedEntry, filestate.FileState,
and the place of each body in the packs, packs.PackedBody) cross from its
workers with them, and are kept in the cache: registered here too.
"""

from __future__ import annotations

import copyreg
import dataclasses
import operator
from collections.abc import Callable
from typing import Any

from briefgen.filestate import FileState
from briefgen.incremental.packs import PackedBody
from briefgen.model import Body, Briefing, Footnote, Image, Source, Term
from briefgen.parsecache import ParsedEntry


def pickled_by_fields(cls: type[Any]) -> None:
    """Pickle instances of this frozen dataclass as a call of the class with its fields, in order."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    get = operator.attrgetter(*names)
    values: Callable[[Any], tuple[Any, ...]] = get if len(names) > 1 else lambda value: (get(value),)
    copyreg.pickle(cls, lambda value: (cls, values(value)))


def _footnote(note: Footnote) -> tuple[type[Footnote], tuple[Any, ...]]:
    return Footnote, tuple(note)


copyreg.pickle(Footnote, _footnote)
for _cls in (Source, Term, Image, Body, Briefing, FileState, ParsedEntry, PackedBody):
    pickled_by_fields(_cls)
