"""The incremental engine: what makes a second build cheap, kept apart from the pipeline it wraps.

`cache` keeps parsed briefings and page records in .briefgen-cache/, `packs`
keeps briefing bodies out of memory and reads them back, `reads` records which
briefings' text each page showed, `fingerprint` digests what an output was made
from, `templates` keeps Jinja's compiled templates and `sealed` checks every
file of the cache before it is read. The pipeline's stages know none of this:
build.py hands them what the engine kept (load.py asks a parsecache.ParseCache,
render.py takes a jinja2.BytecodeCache).
"""

from briefgen.incremental import pickling as _pickling  # noqa: F401 - registers how model objects pickle
