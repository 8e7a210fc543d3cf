"""Slugs: the path segments of addresses, safe on every file system.

Names come in many scripts (Київ, Курск, غزة, 서울). A site chooses one of two
styles in briefgen.yaml (`slugs:`):

- `ascii` (the default): a transliteration per script, so that an address is
  plain ASCII that reads as the name does (`Київ` -> `kyiv`, `Курск` -> `kursk`,
  `غزة` -> `ghza`);
- `unicode`: the name's own letters, NFC-normalised and case-folded
  (`/places/غزة/`), percent-encoded by urls.py where an address needs it.

Either way a slug is one safe path segment: no '/', '\\', '.', control or
invisible (bidi, zero-width) character, never a Windows device name, never
empty, and of bounded length, so that it can never climb out of the output
folder or show a reader something other than what it is.

Which transliteration for which script (measured on real place names, the
README's "Addresses" section has the table):

- Cyrillic with a letter only Ukrainian has (і ї є ґ): Ukraine's national
  system of 2010 (Cabinet of Ministers resolution 55, used by its government
  and passports), from translitua: Київ -> kyiv, Чернігів -> chernihiv.
- Other Cyrillic: iuliia's Wikipedia scheme, BGN/PCGN as English-language
  Wikipedia and most English-language reporting write Russian names:
  Брянск -> bryansk, Щёкино -> shchyokino, Зеленский -> zelensky.
- Everything else: anyascii (tbilisi, tskhinvali, athina, beijing, seoul), with
  two small tables of our own where it drops letters that are written:
  Arabic-script alif and ta marbuta (so خان يونس gives khan-ywns, not khn-ywns),
  the Hebrew shin and a word's first ב כ פ (ירושלים gives yrvshlym), and the
  Armenian vowel ու and a word's first Ե (Երևան gives yerevan, not erevan).

Unvocalised Arabic, Persian and Hebrew do not write short vowels, so no
transliteration can give `ghazza` for غزة: the slug is the best consonantal
one (`ghza`); where the vowels are written (غَزَّة) they are used (`ghazza`).
A registry (places.yaml) gives a place the key an editor chooses, and a
registry key always wins over a slug.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
import unicodedata

from anyascii import anyascii
from slugify import slugify

PLAIN_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,99})$")
# Windows refuses these names whatever follows the dot; a site built on Linux
# may still be checked out and opened on Windows. It reads the superscript
# digits as digits too ('COM¹'), hence their NFKC form is compared (unicode slugs).
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)

ASCII_MAX_LENGTH = 80
"""Characters (bytes) of an ASCII slug."""
UNICODE_MAX_BYTES = 120
"""UTF-8 bytes of a unicode slug: file systems allow 255 bytes a name; an Arabic letter takes 2, a Korean one 3."""


class SlugStyle(enum.Enum):
    """How names become address segments: briefgen.yaml's `slugs:`."""

    ASCII = "ascii"
    UNICODE = "unicode"


def is_plain_slug(value: str) -> bool:
    """True for a name that is safe as one path segment: lowercase letters, digits, '-', '_'."""
    return bool(PLAIN_SLUG.match(value)) and value not in WINDOWS_DEVICES


def is_slug(value: str, style: SlugStyle) -> bool:
    """True for a value an editor may give as a slug (`slug:`) in this style: a slug of itself."""
    # A plain slug is a unicode slug too ('_' included, which unicode_slug makes a '-').
    return is_plain_slug(value) or (style is SlugStyle.UNICODE and value == unicode_slug(value))


def slug_for(name: str, style: SlugStyle) -> str:
    """The slug of a name in the site's style."""
    return slug_of(name) if style is SlugStyle.ASCII else unicode_slug(name)


# --------------------------------------------------------------------- ASCII


@functools.lru_cache(maxsize=4096)  # tags, places and sources recur in every briefing: transliteration is slow
def slug_of(name: str) -> str:
    """A readable, stable ASCII slug for any name; never empty and never a device name.

    A name with no letters or digits at all (say '???') gets a short hash, so
    that two such names still get distinct pages.
    """
    slug = slugify(transliterate(name), max_length=ASCII_MAX_LENGTH, word_boundary=True)
    return _never_empty_nor_device(slug, name, slug)


# A run of non-ASCII characters, with the apostrophes inside it (Знам'янка): each run
# is transliterated alone, so that ASCII text is left exactly as it was.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+(?:['][^\x00-\x7f]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")
_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
# Ukrainian writes an apostrophe inside a word (Знам'янка) where Russian writes ъ.
_UKRAINIAN_APOSTROPHE = re.compile(r"[\u0400-\u04ff]['\u2019\u02bc][\u0400-\u04ff]")
# Hamza, ain, soft signs and aspiration come out of the transliterations as
# apostrophes; in an address they would only split the word ('pokrovs-k').
_MARKS = str.maketrans("", "", "'`\"\u2019\u02bc\u02bb\u00b4")

_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Written letters anyascii leaves out (alif), or writes as they are not read at a
# word's end (ta marbuta: -a, as in Gaza and Jabalia); hamza and ain are silent here.
_ARABIC_LETTERS = str.maketrans({"ا": "a", "أ": "a", "إ": "i", "ة": "a", "ء": "", "ؤ": "w", "ئ": "y", "ع": ""})
_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])ال(?=[\u0600-\u06ff])")
# Where the vowels are written (غَزَّة): shadda doubles its letter, written in NFC after the
# letter's short vowel; a ta marbuta after a fatha adds nothing to the 'a' written.
_SHADDA = re.compile(r"([\u0621-\u064a])([\u064b-\u0650]?)\u0651")
_FATHA_TA_MARBUTA = re.compile("\u064e\u0629")
# A short vowel written before the long one it lengthens (خَان, يُونُس, فِيل) is that vowel once.
_LONG_VOWEL = re.compile("\u064e(?=[اى])|(?<=\u064f)و(?![\u064b-\u0652])|(?<=\u0650)ي(?![\u064b-\u0652])")

_HEBREW = re.compile(r"[\u0590-\u05ff]")
# Shin is written far more often than sin, which anyascii gives for both (ש: 's');
# a sin dot, where written, makes it s. Alef and ayin are silent here.
_HEBREW_LETTERS = str.maketrans({"ש": "sh", "א": "", "ע": "", "\u05c1": ""})
_HEBREW_SIN = re.compile(r"ש([\u05b0-\u05bb\u05c7]*)\u05c2")
# ב כ פ with a dagesh are b k p (anyascii writes v, kh, f). A word's first one always has
# one; elsewhere only vocalised text shows it. (Points are letters' marks: not a word's end.)
_HEBREW_DAGESH = re.compile(r"(?<![\u0591-\u05c7\u05d0-\u05ea])([בכפ])|([בכפ])([\u05b0-\u05bb\u05c7]*)\u05bc")
_HARD = {"ב": "b", "כ": "k", "פ": "p"}

_ARMENIAN = re.compile(r"[\u0531-\u0587]")
# Armenian ու is one vowel, u (anyascii: 'ow'); Ե begins a word as ye (Yerevan).
_ARMENIAN_U = re.compile("ու", re.IGNORECASE)
_ARMENIAN_INITIAL_YE = re.compile(r"(?<![\u0531-\u0587])([Եե])")


def transliterate(name: str) -> str:
    """The name in ASCII letters: each script by its best transliteration (the module's docstring)."""
    text = unicodedata.normalize("NFC", name)
    if text.isascii():
        return text
    ukrainian = not _UKRAINIAN_ONLY.isdisjoint(text) or bool(_UKRAINIAN_APOSTROPHE.search(text))
    return _NON_ASCII_RUN.sub(lambda run: _run_in_ascii(run.group(), ukrainian=ukrainian), text)


def _run_in_ascii(run: str, *, ukrainian: bool) -> str:
    """One run of non-ASCII text: each script's own rules first, then anyascii for what is left."""
    if _CYRILLIC.search(run):
        # Both schemes leave other scripts as they are.
        run = _ukrainian(run) if ukrainian else _russian(run)
    if _ARABIC.search(run):
        run = _arabic(run)
    if _HEBREW.search(run):
        run = _hebrew(run)
    if _ARMENIAN.search(run):
        run = _armenian(run)
    return anyascii(run).translate(_MARKS)


def _arabic(text: str) -> str:
    text = _FATHA_TA_MARBUTA.sub("\u064e", _SHADDA.sub(r"\1\1\2", text))
    text = _LONG_VOWEL.sub("", text)
    return _ARABIC_ARTICLE.sub("al-", text).translate(_ARABIC_LETTERS)


def _hebrew(text: str) -> str:
    text = _HEBREW_SIN.sub(r"s\1", text)
    text = _HEBREW_DAGESH.sub(lambda m: _HARD[m.group(1)] if m.group(1) else _HARD[m.group(2)] + m.group(3), text)
    return text.translate(_HEBREW_LETTERS)


def _armenian(text: str) -> str:
    text = _ARMENIAN_U.sub("u", text)
    return _ARMENIAN_INITIAL_YE.sub(lambda m: "Ye" if m.group(1) == "Ե" else "ye", text)


def _ukrainian(text: str) -> str:
    import translitua  # noqa: PLC0415 - imported for a site that has Cyrillic names only

    return translitua.translit(text, translitua.UkrainianKMU)


def _russian(text: str) -> str:
    import iuliia  # noqa: PLC0415 - its import reads its schemes: a site with no Cyrillic name need not

    result: str = iuliia.WIKIPEDIA.translate(text)
    return result


# ------------------------------------------------------------------- Unicode

# Letters, marks and digits of any script are kept; anything else separates words.
_KEPT_CATEGORIES = frozenset("LMN")
# Control, format (bidi overrides, zero-width joiners, soft hyphen), surrogate,
# private-use and unassigned characters are dropped: invisible in an address,
# they could make two addresses look alike or one read backwards.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Invisible too, though letters or marks: Unicode's default-ignorable code points
# outside the format category (combining grapheme joiner, Hangul fillers, variation selectors).
_INVISIBLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]")


# Case folding writes a Greek word's final sigma as σ: a word ends in ς (Κύπρος -> κύπρος, not κύπροσ).
_GREEK_FINAL_SIGMA = re.compile(r"(?<=[\u0370-\u03ff\u1f00-\u1fff])σ(?![\u0300-\u036f\u0370-\u03ff\u1f00-\u1fff])")


@functools.lru_cache(maxsize=4096)
def unicode_slug(name: str) -> str:
    """The name's own letters as a slug: NFC, case-folded, words joined by '-', at most UNICODE_MAX_BYTES."""
    folded = unicodedata.normalize("NFC", _INVISIBLE.sub("", unicodedata.normalize("NFC", name).casefold()))
    kept: list[str] = []
    for char in folded:
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        kept.append(char if category[0] in _KEPT_CATEGORIES else "-")
    words = _GREEK_FINAL_SIGMA.sub("ς", "".join(kept)).split("-")
    slug = _shortened("-".join(word for word in words if word))
    return _never_empty_nor_device(slug, name, unicodedata.normalize("NFKC", slug))


def _shortened(slug: str) -> str:
    """At most UNICODE_MAX_BYTES of UTF-8, cut at a whole word where one fits, else at a whole character."""
    if len(slug.encode("utf-8")) <= UNICODE_MAX_BYTES:
        return slug
    cut = slug.encode("utf-8")[:UNICODE_MAX_BYTES].decode("utf-8", errors="ignore")
    whole_words = cut.rsplit("-", 1)[0] if "-" in cut else cut
    # A combining mark cannot begin a word, but may be left at the cut's end: a base letter went before it.
    return whole_words.rstrip("-")


def _never_empty_nor_device(slug: str, name: str, compared: str) -> str:
    if not slug:
        slug = "x-" + hashlib.sha256(name.encode("utf-8", errors="surrogatepass")).hexdigest()[:10]
    elif compared in WINDOWS_DEVICES:
        slug += "-"
    return slug
