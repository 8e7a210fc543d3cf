"""How an archive's Pages workflow installs briefgen: one pinned requirement, checked, as a shell-safe pip command.

`briefgen init` writes the workflow's install step. By default it pins exactly the
version that is writing it (`briefgen==X.Y.Z`, from the package index); with
`--install-from` a team names another source: a git tag, a wheel's address, or a
wheel committed in the archive's own repository. Whatever is given becomes a line
that CI runs on every push, so only those forms are accepted, each pinned to one
version, and the line is quoted for the shell here (and for YAML by the scaffold).
"""

from __future__ import annotations

import enum
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from briefgen import __version__

EXAMPLE_WHEEL = f"vendor/briefgen-{__version__}-py3-none-any.whl"
EXAMPLE_GIT = f"git+https://github.com/ORG/briefgen@v{__version__}"
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip")
"""A wheel, or an sdist: what pip installs from a single file."""
SECURE_SCHEMES = ("https", "git+https", "git+ssh")
PLAIN_SCHEMES = ("http", "git+http", "git+git", "git")
"""Fetched without encryption: anyone on the way could change the briefgen that CI runs."""
PINNED_RELEASE = re.compile(r"briefgen\s*==\s*(?P<version>[0-9][0-9A-Za-z.!+_-]*)", re.IGNORECASE)
DIRECT_REFERENCE = re.compile(r"briefgen\s*@\s*(?P<url>\S+)", re.IGNORECASE)
PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# What RFC 3986 lets an address hold unescaped. `{` is not among them, so no
# `${{ ... }}` GitHub expression can ride in on an address.
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
PATH_CHARS = re.compile(r"[A-Za-z0-9._+/-]+")


class InstallSource(enum.Enum):
    RELEASE = "release"
    """`briefgen==X.Y.Z` from the package index."""
    URL = "url"
    """A git tag or commit, or a wheel or sdist at an https address."""
    PATH = "path"
    """A wheel, sdist or source folder in the archive's repository, relative to its root."""


@dataclass(frozen=True, slots=True)
class InstallSpec:
    """What the workflow hands pip, as one argument."""

    requirement: str
    """Exactly what pip is given: a pinned requirement, an address or a path."""
    source: InstallSource

    @property
    def command(self) -> str:
        """The shell command the workflow runs."""
        return f"pip install {shlex.quote(self.requirement)}"


def default_spec() -> InstallSpec:
    """This very version, from the package index: the briefgen that wrote the workflow is the one it runs."""
    return InstallSpec(f"briefgen=={__version__}", InstallSource.RELEASE)


def parse_spec(text: str) -> InstallSpec:
    """`text` from `--install-from`, checked; ValueError with a message saying what to write instead."""
    spec = text.strip()
    if not spec:
        raise ValueError(f"is empty: give briefgen=={__version__}, {EXAMPLE_GIT} or {EXAMPLE_WHEEL}")
    if not spec.isprintable():
        raise ValueError(f"{spec!r} holds a line break or another control character: give it on one line")
    if spec.startswith("-"):
        raise ValueError(f"'{spec}' starts with '-', which pip reads as an option: give a requirement, address or path")
    if reference := DIRECT_REFERENCE.fullmatch(spec):
        return InstallSpec(f"briefgen @ {_checked_url(reference['url'])}", InstallSource.URL)
    if "://" in spec or spec.lower().startswith("git+"):
        return InstallSpec(_checked_url(spec), InstallSource.URL)
    if "/" in spec or "\\" in spec or spec.startswith((".", "~")) or spec.lower().endswith(ARCHIVE_SUFFIXES):
        return InstallSpec(_checked_path(spec), InstallSource.PATH)
    return InstallSpec(_checked_release(spec), InstallSource.RELEASE)


def _checked_release(spec: str) -> str:
    if pinned := PINNED_RELEASE.fullmatch(spec):
        return f"briefgen=={pinned['version']}"
    name = PROJECT_NAME.match(spec)
    if name is None or re.sub(r"[-_.]+", "-", name[0]).lower() != "briefgen":
        # A misspelt name would install whatever someone registers under it, on every push.
        raise ValueError(f"'{spec}' does not name briefgen: give briefgen=={__version__}, an address or a path")
    raise ValueError(
        f"'{spec}' is not one version: write briefgen=={__version__} (==, one version), "
        "so that every publication runs the briefgen the archive was checked with"
    )


def _checked_url(url: str) -> str:
    bad = _first_outside(URL_CHARS, url)
    if bad is not None:
        raise ValueError(f"'{url}' holds {bad!r}, which an address cannot hold unescaped (percent-encode it)")
    scheme, separator, _ = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        raise ValueError(f"'{url}' is not an address: write one whole, as in {EXAMPLE_GIT}")
    if scheme in PLAIN_SCHEMES:
        raise ValueError(f"'{url}' is fetched without encryption: use https (git+https://... for a repository)")
    if scheme not in SECURE_SCHEMES:
        raise ValueError(
            f"'{url}': pip cannot install from '{scheme}://' here: use git+https://, git+ssh:// or https://"
        )
    path = urlsplit(url.removeprefix("git+")).path
    if scheme.startswith("git+"):
        ref = path.rpartition("@")[2] if "@" in path else ""
        if not ref:
            raise ValueError(
                f"'{url}' names no tag or commit, so every push would install whatever the branch holds then: "
                f"add one, as in {EXAMPLE_GIT}"
            )
    elif not path.lower().endswith(ARCHIVE_SUFFIXES):
        raise ValueError(f"'{url}' is not a wheel or an sdist (.whl, .tar.gz): for a repository write {EXAMPLE_GIT}")
    return url


def _checked_path(spec: str) -> str:
    if "\\" in spec:
        raise ValueError(f"'{spec}': write the path with '/', as in {EXAMPLE_WHEEL}")
    path = PurePosixPath(spec)
    if path.is_absolute() or spec.startswith("~") or ".." in path.parts:
        raise ValueError(
            f"'{spec}' is outside the archive's repository: the workflow runs in a fresh checkout of it, "
            f"so commit the wheel there and give its path from the repository's root, as in {EXAMPLE_WHEEL}"
        )
    bad = _first_outside(PATH_CHARS, spec)
    if bad is not None:
        raise ValueError(f"'{spec}' holds {bad!r}: rename the file with letters, digits and . _ + - only")
    if spec.lower().endswith(ARCHIVE_SUFFIXES) and not path.name.lower().startswith("briefgen-"):
        raise ValueError(f"'{spec}' is not a briefgen wheel or sdist (their names start with briefgen-)")
    return spec


def _first_outside(allowed: re.Pattern[str], text: str) -> str | None:
    return next((char for char in text if not allowed.fullmatch(char)), None)


def origin(spec: InstallSpec, root: Path) -> str:
    """Where the workflow gets briefgen, and what the team must do for it: for `init`'s next steps."""
    if spec.source is InstallSource.PATH:
        file = root / spec.requirement
        missing = "" if file.exists() else f" ({file} is not there yet)"
        return f"from a file in the archive's repository, which must be committed with it{missing}"
    if spec.source is InstallSource.URL:
        return "from that address"
    if spec == default_spec():
        return "from the package index, pinned to the version that wrote it"
    return "from the package index"
