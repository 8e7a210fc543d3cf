"""Languages: a briefing's own language on everything that carries it, translations linked both ways,
the theme's labels from catalogues in the page's language, a site's own labels, and the problems an
editor can make with them, each at its line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from briefgen import languages
from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.index import build_index
from briefgen.load import load_archive
from briefgen.plan import SitePlan
from briefgen.render import SiteRenderer
from tests.sites import REPO_ROOT, SOURCES_YAML, MakeSite, briefing_text
from tests.sitetools import snapshot

BASE_URL = "https://example.org/archive/"
ARABIC = briefing_text(
    "language: ar\ntakeaways: [نقطة أولى]\nfootnotes:\n  1: مصدر\n",
    "نص الإحاطة.[1]\n",
    title="إحاطة عن غزة",
    source="wilson-center",
)
ENGLISH = briefing_text("translation_key: gaza-report\ntakeaways: [First point]\n", title="A report on Gaza")
ARABIC_VERSION = briefing_text(
    "language: ar\ntranslation_of: 2025/06/26/gaza-report.md\n", title="تقرير عن غزة", source="wilson-center"
)


def build(root: Path, output: Path) -> Path:
    build_site(root, output=output, base_url=BASE_URL, use_cache=False, search=False)
    return output


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_right_to_left_briefing_carries_lang_and_dir_on_its_page_card_feeds_and_json(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/2025/06/26/gaza.md": ARABIC})
    site = build(root, tmp_path / "out")

    briefing = page(site, "briefings/2025/06/26/gaza")
    assert '<html lang="ar" dir="rtl">' in briefing
    home = page(site, "")
    assert '<html lang="en" dir="ltr">' in home
    assert '<article class="card" lang="ar" dir="rtl">' in home
    assert 'dir="auto">إحاطة عن غزة</a>' in home  # the title, in a listing of another language
    day = page(site, "briefings/2025/06/26")
    assert re.search(r'<article class="day-briefing" [^>]*lang="ar" dir="rtl">', day)
    atom = (site / "feed.xml").read_text(encoding="utf-8")
    assert re.search(r'<entry xml:base="[^"]+" xml:lang="ar">', atom)
    [item] = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["language"] == "ar"
    [record] = json.loads((site / "briefings.json").read_text(encoding="utf-8"))["briefings"]
    assert record["language"] == "ar"


def test_a_translated_pair_links_both_ways_with_hreflang(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/26/gaza-report.md": ENGLISH,
            "briefings/2025/06/26/gaza-report-ar.md": ARABIC_VERSION,
        }
    )
    site = build(root, tmp_path / "out")
    english, arabic = page(site, "briefings/2025/06/26/gaza-report"), page(site, "briefings/2025/06/26/gaza-report-ar")
    english_url, arabic_url = (f"{BASE_URL}briefings/2025/06/26/{slug}/" for slug in ("gaza-report", "gaza-report-ar"))
    for html in (english, arabic):
        assert f'<link rel="alternate" hreflang="en" href="{english_url}">' in html
        assert f'<link rel="alternate" hreflang="ar" href="{arabic_url}">' in html
    assert 'hreflang="ar" lang="ar" dir="rtl">العربية</a>' in english
    assert "Also in:" in english
    assert 'hreflang="en" lang="en" dir="ltr">English</a>' in arabic
    assert "متوفرة أيضًا بـ:" in arabic


def test_a_source_in_parentheses_keeps_them_in_its_own_direction(make_site: MakeSite, tmp_path: Path) -> None:
    """On the Arabic page, 'Also published' lists an English title and its source in parentheses.
    Parentheses outside the name took the page's direction: a name wrapped over two lines read
    'Institute for the)' and '(Study of War'. Inside the name's own direction they stay round it."""
    isw = briefing_text(title="A report on Gaza", source="isw")
    root = make_site(
        {"sources.yaml": SOURCES_YAML, "briefings/2025/06/26/gaza.md": ARABIC, "briefings/2025/06/26/isw.md": isw}
    )
    arabic = page(build(root, tmp_path / "out"), "briefings/2025/06/26/gaza")
    assert re.search(
        r'dir="auto">A report on Gaza</a> <span class="muted" dir="auto">\(Institute for the Study of War\)</span>',
        arabic,
    )


@pytest.mark.parametrize(
    ("language", "takeaways", "date", "latest"),
    [
        ("ar", "أبرز النقاط", "26 يونيو 2025", "الأحدث"),
        ("fr", "Points clés", "26 juin 2025", "Récents"),
        ("uk", "Головні висновки", "26 червня 2025\u202fр.", "Останні"),
    ],
)
def test_labels_and_dates_are_in_the_pages_language(
    make_site: MakeSite, tmp_path: Path, language: str, takeaways: str, date: str, latest: str
) -> None:
    root = make_site(
        {
            "briefgen.yaml": f"language: {language}\n",
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/26/a.md": briefing_text("takeaways: [One]\n"),
        }
    )
    site = build(root, tmp_path / "out")
    briefing = page(site, "briefings/2025/06/26/a")
    assert f">{takeaways}</h2>" in briefing
    assert f">{date}</a></time>" in briefing
    assert f">{latest}</a></li>" in briefing
    assert "Key takeaways" not in briefing
    assert "Latest" not in briefing


def test_a_briefing_in_another_language_has_its_labels_inside_an_english_site(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/2025/06/26/gaza.md": ARABIC})
    site = build(root, tmp_path / "out")
    briefing = page(site, "briefings/2025/06/26/gaza")
    assert ">أبرز النقاط</h2>" in briefing and ">الملاحظات</h2>" in briefing
    # The feeds' content is in the briefing's language too.
    assert "&lt;h2&gt;أبرز النقاط&lt;/h2&gt;" in (site / "feed.xml").read_text(encoding="utf-8")
    assert ">Latest</a></li>" in page(site, "")


def test_a_sites_label_overrides_the_catalogue(make_site: MakeSite, tmp_path: Path) -> None:
    settings = "labels:\n  Key takeaways: Main points\n  ar:\n    Notes: المراجع\n"
    root = make_site(
        {
            "briefgen.yaml": settings,
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/26/gaza.md": ARABIC,
            "briefings/2025/06/26/b.md": briefing_text("takeaways: [One]\n", title="B"),
        }
    )
    site = build(root, tmp_path / "out")
    assert ">Main points</h2>" in page(site, "briefings/2025/06/26/b")
    arabic = page(site, "briefings/2025/06/26/gaza")
    assert ">المراجع</h2>" in arabic
    assert ">أبرز النقاط</h2>" in arabic  # the site's English label is not the Arabic page's


def test_a_sites_label_is_printed_as_text(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "briefgen.yaml": 'labels:\n  Key takeaways: "<b>Main</b> & more"\n  Read the original: \'"Source"\'\n',
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/26/b.md": briefing_text("takeaways: [One]\nurl: https://example.org/r\n"),
        }
    )
    briefing = page(build(root, tmp_path / "out"), "briefings/2025/06/26/b")
    assert ">&lt;b&gt;Main&lt;/b&gt; &amp; more</h2>" in briefing
    assert ">&#34;Source&#34;</a>" in briefing


def test_an_unknown_label_is_a_warning_naming_it(make_site: MakeSite) -> None:
    root = make_site({"briefgen.yaml": "title: T\nlabels:\n  Key takeaway: Main points\n"})
    _, problems = load_archive(root)
    assert [str(p) for p in problems] == [
        "briefgen.yaml:3: warning: 'Key takeaway' is not a label of the theme (did you mean 'Key takeaways'?):"
        " it is ignored"
    ]


def test_a_label_losing_its_placeholder_is_an_error(make_site: MakeSite) -> None:
    root = make_site({"briefgen.yaml": "labels:\n  Briefings of %(date)s: Briefings\n"})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.problems] == [
        "briefgen.yaml:2: the text for 'Briefings of %(date)s' must keep its placeholders (%(date)s)"
    ]


def test_an_unknown_language_tag_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text("language: arabic\n")})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.problems] == [
        "briefings/a.md:5: 'language': 'arabic' is not a language tag Babel knows (did you mean 'ar'?):"
        " write a BCP 47 tag such as en, uk, ar or fr-CA"
    ]


def test_an_unknown_translation_target_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site(
        {
            "briefings/2025/06/26/gaza-report.md": briefing_text(),
            "briefings/2025/06/26/b.md": briefing_text("language: uk\ntranslation_of: gaza-reprt\n"),
        }
    )
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.problems] == [
        "briefings/2025/06/26/b.md:6: 'translation_of: gaza-reprt' names no briefing of the archive"
        " (did you mean 'gaza-report'?): give its path or its slug"
    ]


# ------------------------------------------------------------------- the catalogues

JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}


def template_labels() -> set[str | tuple[str, str]]:
    """Every label the theme's templates print, found by Babel's extractor for Jinja."""
    found: set[str | tuple[str, str]] = set()
    method_map = [("**.html", "jinja2"), ("**.xml", "jinja2")]
    for _, _, message, _, _ in extract_from_dir(
        REPO_ROOT / "templates", method_map, dict.fromkeys(("**.html", "**.xml"), JINJA_OPTIONS)
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalogue_messages(code: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with languages.catalogue_path(code).open("rb") as file:
        catalogue = read_po(file, locale=code)
    return {message.id: message.string for message in catalogue if message.id}  # type: ignore[misc]


@pytest.mark.parametrize("code", languages.CATALOGUE_LANGUAGES)
def test_every_catalogue_has_every_label_of_the_theme_and_no_other(code: str) -> None:
    used = template_labels() | set(languages.LABELS_OUTSIDE_TEMPLATES)
    messages = catalogue_messages(code)
    assert sorted(map(str, used - set(messages))) == [], "labels missing from the catalogue"
    assert sorted(map(str, set(messages) - used)) == [], "labels no template prints any more"


@pytest.mark.parametrize("code", [code for code in languages.CATALOGUE_LANGUAGES if code != languages.SOURCE_LANGUAGE])
def test_every_label_is_translated_with_its_placeholders(code: str) -> None:
    for label, translated in catalogue_messages(code).items():
        forms = translated if isinstance(translated, tuple) else (translated,)
        assert all(forms), f"{code}: {label!r} is not translated"
        wanted = set(re.findall(r"%\([a-z]+\)s|\{[a-z]+\}", label if isinstance(label, str) else label[1]))
        for form in forms:
            # An Arabic plural's forms for none, one and two say the number in words.
            assert set(re.findall(r"%\([a-z]+\)s|\{[a-z]+\}", form)) == wanted, f"{code}: {label!r} -> {form!r}"


def test_the_pages_of_a_site_compile_each_catalogue_once(make_site: MakeSite) -> None:
    files = {f"briefings/2025/06/{day:02d}/b.md": briefing_text(date=f"2025-06-{day:02d}") for day in range(1, 21)}
    files["briefings/2025/06/26/gaza.md"] = ARABIC
    archive, _ = load_archive(make_site({"sources.yaml": SOURCES_YAML, **files}))
    jobs = SitePlan(archive, build_index(archive)).jobs()
    renderer = SiteRenderer(archive, None)
    languages.labels.cache_clear()
    languages._translations.cache_clear()
    rendered = [renderer.render(job) for job in jobs]
    assert len(rendered) > 40
    assert languages._translations.cache_info().misses == 2  # English and Arabic, not once a page


def test_a_cached_rebuild_follows_a_new_translation_and_a_new_label(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/2025/06/26/gaza-report.md": ENGLISH})
    build_site(root, base_url=BASE_URL, search=False)
    (root / "briefings/2025/06/26/gaza-report-ar.md").write_text(ARABIC_VERSION, encoding="utf-8")
    (root / "briefgen.yaml").write_text('labels:\n  "Also in:": "Translations:"\n', encoding="utf-8")
    build_site(root, base_url=BASE_URL, search=False)
    english = page(root / "site", "briefings/2025/06/26/gaza-report")
    assert 'Translations: <a href="/archive/briefings/2025/06/26/gaza-report-ar/" hreflang="ar"' in english
    cold = build(root, tmp_path / "cold")
    assert snapshot(root / "site") == snapshot(cold)


LABELS_TEMPLATE = (
    '{{ _("Key takeaways") }}|{{ _("Notes") }}|{{ _("100%% sure") }}|{{ _("%(who)s wrote", who="<b>") }}'
    '|{{ gettext("Notes") }}|{% trans %}Notes{% endtrans %}|{% trans who="<i>" %}By {{ who }}{% endtrans %}'
    '|{% autoescape false %}{{ _("a %% b") }}|{{ _("%(who)s wrote", who="<b>") }}{% endautoescape %}'
)


@pytest.mark.parametrize("tag", ["fr", "ar", "en"])
def test_labels_print_as_jinjas_own_gettext_prints_them(tag: str) -> None:
    """render._label, which keeps each label and skips Jinja's two calls through the context, gives
    what Jinja's newstyle gettext over the same Labels gives: escaping, '%%' and variables alike."""
    import jinja2  # noqa: PLC0415

    from briefgen.model import BodiesInMemory  # noqa: PLC0415
    from briefgen.render import make_environment  # noqa: PLC0415

    page_labels = languages.labels(tag)
    ours = make_environment(BodiesInMemory({}), None).from_string(LABELS_TEMPLATE)
    jinjas = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinjas.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=page_labels.gettext, ngettext=page_labels.ngettext, newstyle=True
    )
    expected = jinjas.from_string(LABELS_TEMPLATE).render()
    assert ("Key takeaways" in expected) == (tag == "en")  # the catalogue's own words, not the message ids
    assert ours.render(page_labels=page_labels) == expected
    assert ours.render(page_labels=page_labels) == expected  # and again, from what Labels kept
