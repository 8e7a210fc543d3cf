"""The record of which briefings' text each page showed, as it rendered.

A page that shows a briefing's title, date or takeaways but not its text
stays as it is when only that text is corrected; the build cache records
which briefings' text each page read, and with which fingerprint, and renders
a page again only when one of those changed. The pipeline reads every text
through a model.Bodies; build.py hands render one of these instead, wrapping
the archive's own, and reads the record after each page:

    reads.start()
    ...render one page...
    reads.read  # briefing path -> fingerprint
"""

from __future__ import annotations

from briefgen.model import Bodies, Body, Briefing


class RecordingBodies:
    """model.Bodies that notes each briefing whose text is read, then asks the archive's own."""

    def __init__(self, inner: Bodies) -> None:
        self.inner = inner
        self.read: dict[str, str] = {}

    def start(self) -> None:
        """Begin the record of one page (a process renders one page at a time)."""
        self.read = {}

    def body(self, briefing: Briefing) -> Body:
        self.read[briefing.path] = briefing.fingerprint
        return self.inner.body(briefing)

    def notes_json(self, briefing: Briefing) -> str:
        self.read[briefing.path] = briefing.fingerprint
        return self.inner.notes_json(briefing)

    def shown(self, briefing: Briefing) -> None:
        self.read[briefing.path] = briefing.fingerprint
