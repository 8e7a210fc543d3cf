"""Slugs in any script (issue 18): a transliteration per script, and unicode slugs.

The expected ASCII slugs are written from each scheme's rules, not from the
code's output:

- Ukrainian, the national system of 2010: г h, и y, і i, х kh, ц ts, щ shch,
  ь and the apostrophe dropped, зг zgh, and є ї й ю я written ye yi y yu ya at
  a word's start, ie i i iu ia elsewhere;
- Russian, Wikipedia's (BGN/PCGN as English-language Wikipedia writes it):
  г g, ё yo, й y, ы y, я ya, ю yu, щ shch, -ий at a word's end y, ъ dropped;
- Arabic script: each written letter (ا a, ة a, ع and ء silent, ال at a word's
  start al-); no short vowel, since none is written;
- Hebrew: ש sh, א and ע silent, ב כ פ b k p at a word's start, v kh f elsewhere;
- Armenian: ու u, Ե at a word's start ye;
- the rest as anyascii romanises them: Korean by the Revised Romanization,
  Chinese by pinyin without tones, Greek by ELOT 743, Georgian by the national
  system of 2002.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.build import build_site
from briefgen.config import read_settings
from briefgen.errors import ArchiveError
from briefgen.model import Settings
from briefgen.scaffold import briefing_file_slug
from briefgen.slugs import (
    UNICODE_MAX_BYTES,
    WINDOWS_DEVICES,
    SlugStyle,
    is_plain_slug,
    slug_for,
    slug_of,
    unicode_slug,
)
from briefgen.urls import SiteUrls, term_path
from briefgen.write import safe_relative_path
from tests.properties import examples
from tests.sites import SOURCES_YAML, MakeSite, briefing_text
from tests.sitetools import fetch, serve
from tests.test_hostile_paths import HOSTILE_NAMES

TRANSLITERATED = [
    # Ukrainian
    ("Київ", "kyiv"),
    ("Харків", "kharkiv"),
    ("Чернігів", "chernihiv"),
    ("Запоріжжя", "zaporizhzhia"),
    ("Покровськ", "pokrovsk"),
    ("Торецьк", "toretsk"),
    ("Новопавлівка", "novopavlivka"),
    ("Сумська область", "sumska-oblast"),
    ("Знам'янка", "znamianka"),
    ("Єнакієве", "yenakiieve"),
    ("Згурівка", "zghurivka"),
    ("Юріївка", "yuriivka"),
    ("Ізюм", "izium"),
    # Russian
    ("Москва", "moskva"),
    ("Курская область", "kurskaya-oblast"),
    ("Белгород", "belgorod"),
    ("Брянск", "bryansk"),
    ("Суджа", "sudzha"),
    ("Щёкино", "shchyokino"),
    ("Зеленский", "zelensky"),
    ("Объячево", "obyachevo"),
    ("Ростов-на-Дону", "rostov-na-donu"),
    # Arabic
    ("غزة", "ghza"),
    ("خان يونس", "khan-ywns"),
    ("جباليا", "jbalya"),
    ("دمشق", "dmshq"),
    ("الخرطوم", "al-khrtwm"),
    ("الفاشر", "al-fashr"),
    ("صنعاء", "sna"),
    # Arabic with its vowels written: each vowel once, shadda doubling its letter.
    ("غَزَّة", "ghazza"),
    ("خَان يُونُس", "khan-yunus"),
    ("دِمَشْق", "dimashq"),
    ("مُحَمَّد", "muhammad"),
    # Persian
    ("تهران", "thran"),
    ("شیراز", "shyraz"),
    ("کرمانشاه", "krmanshah"),
    # Hebrew
    ("ירושלים", "yrvshlym"),
    ("באר שבע", "br-shv"),
    ("חיפה", "hyfh"),
    # Hebrew with its points: shin and sin dots, dagesh.
    ("בְּאֵר שֶׁבַע", "beer-sheva"),
    ("שָׂרָה", "sarah"),
    # Korean
    ("서울", "seoul"),
    ("평양", "pyeongyang"),
    ("판문점", "panmunjeom"),
    # Chinese
    ("北京", "beijing"),
    ("上海", "shanghai"),
    # Greek
    ("Αθήνα", "athina"),
    ("Θεσσαλονίκη", "thessaloniki"),
    ("Χανιά", "chania"),
    # Georgian
    ("თბილისი", "tbilisi"),
    ("ცხინვალი", "tskhinvali"),
    ("სოხუმი", "sokhumi"),
    # Armenian
    ("Երևան", "yerevan"),
    ("Ստեփանակերտ", "stepanakert"),
    ("Գյումրի", "gyumri"),
]


@pytest.mark.parametrize(("name", "expected"), TRANSLITERATED)
def test_each_script_is_transliterated_by_its_own_rules(name: str, expected: str) -> None:
    assert slug_of(name) == expected
    assert slug_for(name, SlugStyle.ASCII) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Latin names keep the slugs they had before (the example archive's addresses do not move).
        ("Institute for the Study of War", "institute-for-the-study-of-war"),
        ("Kursk Oblast", "kursk-oblast"),
        ("Zürich", "zurich"),
        ("Côte d’Ivoire", "cote-divoire"),
        ("Donets'k", "donets-k"),
        ("???", "x-" + "d3af2ad15d"),
        ("con", "con-"),
        # A name in two scripts: each part by its own.
        ("Kyiv / Київ", "kyiv-kyiv"),
    ],
)
def test_latin_names_and_odd_names_keep_their_slugs(name: str, expected: str) -> None:
    if expected.startswith("x-"):
        assert re.fullmatch(r"x-[0-9a-f]{10}", slug_of(name))
    else:
        assert slug_of(name) == expected


def test_briefgen_new_names_the_file_by_the_transliterated_title() -> None:
    assert briefing_file_slug("isw", "غزة") == "isw-ghza"
    assert briefing_file_slug("isw", "Київ під обстрілом") == "isw-kyiv-pid-obstrilom"
    assert briefing_file_slug("isw", "Russian offensive near Kyiv") == "isw-russian-offensive-near-kyiv"


# ---------------------------------------------------------------- unicode


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("غزة", "غزة"),
        ("Київ", "київ"),
        ("Kursk Oblast", "kursk-oblast"),
        ("خان يونس", "خان-يونس"),
        ("서울 특별시", "서울-특별시"),
        ("ΑΘΗΝΑ", "αθηνα"),
        ("ΚΥΠΡΟΣ", "κυπρος"),  # a final sigma stays final, though case folding writes σ
        ("Σύρος Σας", "σύρος-σας"),
        ("Straße", "strasse"),  # case-folded: ß and SS are one name
        ("Zu\u0308rich", "zürich"),  # NFC: the same address whichever way the ü was typed
        ("\u01f0", "\u01f0"),  # case folding decomposes ǰ: composed again
        ("\u0390", "\u0390"),  # and ΐ
        ("Tel Aviv / תל אביב", "tel-aviv-תל-אביב"),
    ],
)
def test_unicode_slugs_keep_the_letters_of_any_script(name: str, expected: str) -> None:
    assert unicode_slug(name) == expected
    assert unicodedata.is_normalized("NFC", unicode_slug(name))


@pytest.mark.parametrize(
    "name",
    [
        "\u202egnp.exe",  # right-to-left override
        "غز\u200dة",  # zero-width joiner
        "غز\u200cة",  # zero-width non-joiner
        "a\u2066b\u2069",  # isolates
        "..",
        "../../etc/passwd",
        "a/b\\c",
        "a\x00b",
        "\ufeffbom",
        "x\u034f\ufe0fy",  # combining grapheme joiner, variation selector
        "CON",
        "com\u00b9",  # Windows reads COM¹ as the device COM1
        "   ",
        "\u200b\u200b",
    ],
)
def test_hostile_names_give_a_safe_segment(name: str) -> None:
    slug = unicode_slug(name)
    assert_safe_segment(slug)


def test_invisible_characters_do_not_make_a_second_address() -> None:
    assert unicode_slug("غز\u200dة") == unicode_slug("غزة") == unicode_slug("غ\u200bزة")
    assert unicode_slug("\u202egnp") == "gnp"
    # Default-ignorable letters and marks: combining grapheme joiner, variation selector, Hangul filler.
    assert unicode_slug("x\u034f\ufe0fy\u3164") == "xy"


def test_long_names_are_cut_in_bytes_at_a_word() -> None:
    name = " ".join(["مدينة"] * 40)
    slug = unicode_slug(name)
    assert len(slug.encode("utf-8")) <= UNICODE_MAX_BYTES
    assert set(slug.split("-")) == {"مدينة"}


def test_slugs_are_stable() -> None:
    for name, _ in TRANSLITERATED:
        assert slug_of.__wrapped__(name) == slug_of.__wrapped__(name) == slug_of(name)
        assert unicode_slug.__wrapped__(name) == unicode_slug(name)


def assert_safe_segment(slug: str) -> None:
    assert slug
    assert slug not in {".", ".."}
    assert not set(slug) & set("/\\.\x00")
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"} for c in slug)
    assert unicodedata.normalize("NFKC", slug) not in WINDOWS_DEVICES
    assert len(slug.encode("utf-8")) <= UNICODE_MAX_BYTES
    assert unicodedata.is_normalized("NFC", slug)
    assert urllib.parse.unquote(urllib.parse.quote(slug, safe="")) == slug


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_safe_segment(name: str) -> None:
    assert_safe_segment(unicode_slug(name))
    ascii_slug = slug_of(name)
    assert is_plain_slug(ascii_slug) or re.fullmatch(r"x-[0-9a-f]{10}|[a-z0-9][a-z0-9-]*-", ascii_slug)
    assert len(ascii_slug) <= 80


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(("written", "style"), [("", SlugStyle.ASCII), ("slugs: ascii\n", SlugStyle.ASCII),
                                                ("slugs: unicode\n", SlugStyle.UNICODE)])  # fmt: skip
def test_the_setting_chooses_the_style(make_site: MakeSite, written: str, style: SlugStyle) -> None:
    root = make_site({"briefgen.yaml": "title: T\n" + written})
    problems: list = []
    assert read_settings(root, problems).slugs is style
    assert not problems


def test_a_wrong_setting_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefgen.yaml": "title: T\nslugs: arabic\n"})
    problems: list = []
    read_settings(root, problems)
    assert [str(p) for p in problems] == ["briefgen.yaml:2: 'slugs' must be ascii or unicode, not 'arabic'"]
    assert problems[0].is_error


def test_unicode_paths_are_percent_encoded_in_urls() -> None:
    from briefgen.model import Term  # noqa: PLC0415

    term = Term(name="غزة", slug=unicode_slug("غزة"))
    urls = SiteUrls(Settings(base_url="https://example.org/archive/", slugs=SlugStyle.UNICODE))
    assert term_path("places", term) == "places/غزة/"
    assert urls.term("places", term) == "/archive/places/%D8%BA%D8%B2%D8%A9/"
    assert urls.absolute_term("places", term) == "https://example.org/archive/places/%D8%BA%D8%B2%D8%A9/"
    assert urls.term_feeds("places", term).atom == "/archive/places/%D8%BA%D8%B2%D8%A9/feed.xml"


# ---------------------------------------------------------------- sites

UNICODE_SITE = {
    "briefgen.yaml": "title: Archive\nbase_url: /\nslugs: unicode\n",
    "sources.yaml": SOURCES_YAML,
    "briefings/غزة-اليوم.md": briefing_text("places: [غزة, Київ]\ntags: [مساعدات]\n", title="غزة اليوم"),
    "briefings/kyiv.md": briefing_text("places: [Київ, Kursk Oblast]\n", title="Kyiv today", date="2025-06-27"),
}


def test_a_unicode_site_has_unicode_folders_and_links_that_resolve(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(UNICODE_SITE)
    output = tmp_path / "site"
    build_site(root, output=output, search=False)
    assert (output / "places" / "غزة" / "index.html").is_file()
    assert (output / "places" / "київ" / "index.html").is_file()
    assert (output / "tags" / "مساعدات" / "index.html").is_file()
    assert (output / "briefings" / "2025" / "06" / "26" / "غزة-اليوم" / "index.html").is_file()
    page = (output / "briefings" / "2025" / "06" / "26" / "غزة-اليوم" / "index.html").read_bytes()
    hrefs = [str(h) for h in lxml.html.fromstring(page).xpath("//a/@href | //link/@href")]
    assert "/places/%D8%BA%D8%B2%D8%A9/" in hrefs
    assert all(h.isascii() for h in hrefs), [h for h in hrefs if not h.isascii()]
    with serve(output) as address:
        for href in [h for h in hrefs if h.startswith("/") and "%" in h]:
            status, body, _ = fetch(address.rstrip("/") + href)
            assert status == 200, href
            assert body


def test_a_unicode_site_is_served_by_briefgen_serve(make_site: MakeSite, tmp_path: Path) -> None:
    from tests.test_serve import request, serving_here  # noqa: PLC0415

    root = make_site(UNICODE_SITE)
    with serving_here(root, tmp_path / "out" / "site") as (_, origin):
        status, _, body = request(origin, "/places/%D8%BA%D8%B2%D8%A9/")
        assert status == 200
        assert "غزة" in body.decode("utf-8")
        status, headers, _ = request(origin, "/places/%D8%BA%D8%B2%D8%A9")
        assert (status, headers.get("Location")) == (302, "/places/%D8%BA%D8%B2%D8%A9/")


def test_a_registry_key_wins_in_a_unicode_site(make_site: MakeSite, tmp_path: Path) -> None:
    site = {
        **UNICODE_SITE,
        "briefgen.yaml": UNICODE_SITE["briefgen.yaml"] + "taxonomies:\n  places: {registry: places.yaml}\n",
        "places.yaml": "kyiv:\n  name: Kyiv\n",
    }
    output = tmp_path / "site"
    build_site(make_site(site), output=output, search=False)
    assert (output / "places" / "kyiv" / "index.html").is_file()
    assert not (output / "places" / "київ").exists()
    assert (output / "places" / "غزة" / "index.html").is_file()


def test_changing_the_setting_moves_the_addresses_of_a_cached_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = {**UNICODE_SITE, "briefgen.yaml": "title: Archive\nbase_url: /\n"}
    root = make_site(site)
    output = tmp_path / "site"
    build_site(root, output=output, search=False, use_cache=True)
    assert (output / "places" / "ghza").is_dir()
    (root / "briefgen.yaml").write_text(UNICODE_SITE["briefgen.yaml"], encoding="utf-8")
    build_site(root, output=output, search=False, use_cache=True)
    assert (output / "places" / "غزة").is_dir()
    assert not (output / "places" / "ghza").exists()


def test_feeds_and_sitemap_write_unicode_addresses_percent_encoded(make_site: MakeSite, tmp_path: Path) -> None:
    site = {**UNICODE_SITE, "briefgen.yaml": "title: A\nbase_url: https://example.org/a/\nslugs: unicode\n"}
    output = tmp_path / "site"
    build_site(make_site(site), output=output, search=False)
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/a/places/%D8%BA%D8%B2%D8%A9/</loc>" in sitemap
    feed = (output / "places" / "غزة" / "feed.xml").read_text(encoding="utf-8")
    assert 'href="https://example.org/a/places/%D8%BA%D8%B2%D8%A9/"' in feed
    briefing = output / "briefings" / "2025" / "06" / "26" / "غزة-اليوم" / "index.html"
    canonical = lxml.html.fromstring(briefing.read_bytes()).xpath("//link[@rel='canonical']/@href")
    assert canonical == [
        "https://example.org/a/briefings/2025/06/26/%D8%BA%D8%B2%D8%A9-%D8%A7%D9%84%D9%8A%D9%88%D9%85/"
    ]
    index = (output / "briefings.json").read_text(encoding="utf-8")
    for text in (sitemap, feed, index):
        urls_written = re.findall(r"https://example\.org/[^\"<\s]*", text)
        assert urls_written
        assert all(url.isascii() for url in urls_written)


def test_an_ascii_site_transliterates_its_addresses(make_site: MakeSite, tmp_path: Path) -> None:
    site = {**UNICODE_SITE, "briefgen.yaml": "title: Archive\nbase_url: /\n"}
    root = make_site(site)
    output = tmp_path / "site"
    build_site(root, output=output, search=False)
    assert (output / "places" / "ghza" / "index.html").is_file()
    assert (output / "places" / "kyiv" / "index.html").is_file()
    assert (output / "briefings" / "2025" / "06" / "26" / "ghza-al-ywm" / "index.html").is_file()


@pytest.mark.parametrize("given", ["غزة-اليوم", "kyiv_today", "kyiv-today"])
def test_a_unicode_site_accepts_a_slug_in_any_script(make_site: MakeSite, tmp_path: Path, given: str) -> None:
    root = make_site({**UNICODE_SITE, "briefings/kyiv.md": briefing_text(f"slug: {given}\n", date="2025-06-27")})
    build_site(root, output=tmp_path / "site", search=False)
    assert (tmp_path / "site" / "briefings" / "2025" / "06" / "27" / given / "index.html").is_file()


def test_a_slug_given_in_a_unicode_site_must_be_a_slug(make_site: MakeSite, tmp_path: Path) -> None:
    site = {
        **UNICODE_SITE,
        "briefings/kyiv.md": briefing_text("slug: Київ/..\n", title="Kyiv today"),
    }
    root = make_site(site)
    with pytest.raises(ArchiveError) as raised:
        build_site(root, output=tmp_path / "site", search=False)
    messages = [str(p) for p in raised.value.problems]
    assert (
        "briefings/kyiv.md:5: slug 'Київ/..' is not a plain name: use lowercase letters of any script,"
        " digits and '-' (as 'київ')" in messages
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_hostile_name_is_one_segment_in_unicode_too(name: str) -> None:
    slug = unicode_slug(name)
    assert_safe_segment(slug)
    assert safe_relative_path(f"tags/{slug}/index.html").parts == ("tags", slug, "index.html")


def test_hostile_names_stay_inside_the_output_of_a_unicode_site(make_site: MakeSite, tmp_path: Path) -> None:
    names = [n for n in HOSTILE_NAMES if n.strip() and "\x00" not in n] + ["\u202eغزة", "غز\u200dة"]
    quoted = ", ".join("'" + n.replace("'", "''").replace("\\", "\\\\") + "'" for n in names)
    files = {
        "briefgen.yaml": "title: A\nslugs: unicode\n",
        **{
            f"briefings/{name}.md": briefing_text(
                f"tags: [{quoted}]\nplaces: [{quoted}]\n", source="'" + name.replace("'", "''") + "'"
            )
            for name in ["con", "nul.txt", "LPT1", "…", "Київ", "a\\b", "%2e%2e", "\u202eغزة", "..."]
        },
    }
    out = tmp_path / "deep" / "out"
    build_site(make_site(files), output=out, search=False)
    written = [p for p in out.parent.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    for folder in ("tags", "places", "sources", "briefings/2025/06/26"):
        for segment in (p.name for p in (out / folder).iterdir() if p.is_dir()):
            assert_safe_segment(segment)
    assert (out / "places" / "غزة").is_dir()
