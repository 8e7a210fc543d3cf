"""What templates print with, and the build's own time.

Dates as Atom writes them (a page's, in its language, are languages.py's), a summary's excerpt, a
loop numbered, a feed entry's id: the filters and functions render.py gives
every template, also used by the page plan (plan.py) and the JSON exports.
SOURCE_DATE_EPOCH, the reproducible-builds convention, is read here once for
all of them: feeds carry it as their time, and the build cache sees it.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from briefgen import urls as paths
from briefgen.errors import BriefgenError
from briefgen.model import Briefing


def numbered(items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    """(1, first), (2, second)...: a template's loop numbered without Jinja's `loop`, which costs in a long list."""
    return enumerate(items, 1)


def excerpt(text: str, words: int = 60) -> str:
    """The first `words` words of a summary, ending with an ellipsis when cut."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + "…"


def atom_time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def entry_id(briefing: Briefing) -> str:
    # Derived from the briefing's own address, never from base_url, so that
    # moving the site does not make feed readers show every entry again.
    return uuid.uuid5(uuid.NAMESPACE_URL, "briefgen:" + paths.briefing_path(briefing)).urn


def source_date_epoch() -> str:
    """The SOURCE_DATE_EPOCH setting as given: feeds carry it, so the build cache must see it."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip()


def build_time_override() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH, the reproducible-builds convention, when set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:  # beyond year 9999, or what the C library can hold
        raise BriefgenError(f"SOURCE_DATE_EPOCH={value[:30]} is not a time briefgen can use: {exc}") from exc
