"""A synthetic archive of briefings, the same bytes for the same arguments: the benchmarks' and tests' corpus.

    python bench/corpus.py OUT [--briefings 1000] [--sources 6] [--seed 1]

OUT receives a site root: briefgen.yaml, sources.yaml and
briefings/YYYY/MM/DD/<source>-<number>.md, from February 24, 2022 on, most
sources publishing on most days. The reports read like the daily
assessments, analyses and situation reports briefgen publishes: a title,
date, source, address, authors, summary, 3-7 takeaways, headings, lists,
quotes, tables, occasional links and emphasis, tags and places, and notes
cited in reading order. Nine in ten are 800-3,000 words with 10-60 notes;
one in ten is a long report of 5,000-8,000 words with 100-160 notes. Every
note is cited at least once, so a build of the corpus prints no warning.
Some places, authors, titles, sources and quotes are written in Cyrillic or
Arabic; every tag and place has a slug of its own.

The vocabulary is this module's own (the tables below), so that the corpus
needs nothing but the repository. From Python: `write_corpus(out, briefings)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

START = dt.date(2022, 2, 24)
END = dt.date(2025, 12, 31)
"""Briefings are dated from START on, at most at END, so that no date of a large corpus is in the future:
past the point where most sources publishing most days would pass END, sources publish more than once a day."""
PUBLISHING = 0.7
"""The share of days on which a source publishes, when the corpus fits before END."""
LONG_SHARE = 0.1
SHORT_WORDS, SHORT_NOTES = (800, 3000), (10, 60)
LONG_WORDS, LONG_NOTES = (5000, 8000), (100, 160)
SENTENCE_WORDS = 21
"""About the words of an average sentence: how the notes still to cite are spread over the sentences to come."""
CITING = 0.45
"""The share of sentences that end with a citation."""


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    name: str
    url: str
    description: str
    short: str
    """How the body names it ('ISW has not observed ...')."""
    style: str
    """How its titles read: 'daily', 'analysis', 'data', 'relief', 'ukrainian' or 'arabic'."""
    theatres: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Theatre:
    """The words of one war's reporting."""

    name: str
    daily_title: str
    places: tuple[str, ...]
    tags: tuple[str, ...]
    headings: tuple[str, ...]
    sentences: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    quotes: tuple[tuple[str, str], ...]
    """(as said, in English) pairs; the first is in Cyrillic or Arabic."""
    table_header: str
    topics: tuple[str, ...]
    """Subjects of analysis titles."""


SOURCES = (
    Source(
        "isw",
        "Institute for the Study of War",
        "https://www.understandingwar.org",
        "A non-partisan research organisation publishing daily campaign assessments.",
        "ISW",
        "daily",
        ("ukraine", "ukraine", "middle-east"),
    ),
    Source(
        "wilson-center",
        "Wilson Center",
        "https://www.wilsoncenter.org",
        "A non-partisan policy forum for global affairs.",
        "the Wilson Center",
        "analysis",
        ("ukraine", "middle-east"),
    ),
    Source(
        "crisis-group",
        "International Crisis Group",
        "https://www.crisisgroup.org",
        "An independent organisation working to prevent wars and shape policies for a more peaceful world.",
        "Crisis Group",
        "analysis",
        ("ukraine", "middle-east", "middle-east"),
    ),
    Source(
        "ukrinform",
        "Укрінформ",
        "https://www.ukrinform.ua",
        "Ukraine's national news agency.",
        "Ukrinform",
        "ukrainian",
        ("ukraine",),
    ),
    Source(
        "acled",
        "ACLED",
        "https://acleddata.com",
        "Armed Conflict Location and Event Data: disaggregated data on political violence and protest.",
        "ACLED",
        "data",
        ("ukraine", "middle-east"),
    ),
    Source(
        "ajcs",
        "مركز الجزيرة للدراسات",
        "https://studies.aljazeera.net",
        "The Al Jazeera Centre for Studies: research on the Arab world and its neighbours.",
        "the Al Jazeera Centre for Studies",
        "arabic",
        ("middle-east",),
    ),
    Source(
        "reliefweb",
        "ReliefWeb",
        "https://reliefweb.int",
        "The humanitarian information service of the UN Office for the Coordination of Humanitarian Affairs.",
        "OCHA",
        "relief",
        ("ukraine", "middle-east"),
    ),
    Source(
        "rusi",
        "Royal United Services Institute",
        "https://rusi.org",
        "A defence and security think tank.",
        "RUSI",
        "analysis",
        ("ukraine",),
    ),
)

AUTHORS = (
    "Angelica Evans",
    "Christina Harward",
    "Nicole Wolkov",
    "Davit Gasparyan",
    "Kateryna Stepanenko",
    "Grace Mappes",
    "Frederick W. Kagan",
    "Daniel Shats",
    "Karolina Hird",
    "Riley Bailey",
    "Ria Reddy",
    "Brian Carter",
    "Andie Parry",
    "Johanna Moore",
    "Annika Ganzeveld",
    "Samuel Lewis",
    "Margaret Chen",
    "Thomas Whitfield",
    "Hannah Okafor",
    "Lucas Moreau",
    "Олена Коваленко",
    "Андрій Шевченко",
    "Марія Бондаренко",
    "Тарас Мельник",
    "Ірина Ткаченко",
    "Дмитро Кравець",
    "Юлія Литвиненко",
    "ليلى حداد",
    "عمر الخطيب",
    "نور الهدى منصور",
    "يوسف العلي",
    "سارة القاسم",
    "محمود درويش الصغير",
    "رنا عبد الله",
)
CYRILLIC_AUTHORS = tuple(name for name in AUTHORS if "\u0400" <= name[0] <= "\u04ff")
ARABIC_AUTHORS = tuple(name for name in AUTHORS if "\u0600" <= name[0] <= "\u06ff")

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
UKRAINIAN_MONTHS = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)

# Slots every theatre shares; a theatre adds its own, and a report its dates and its source's name.
COMMON_SLOTS: dict[str, tuple[str, ...]] = {
    "number": tuple(str(n) for n in range(2, 61)),
    "count": ("1,200", "3,400", "8,000", "12,500", "27,000", "45,000", "60,000", "110,000", "250,000"),
    "distance": ("0.5", "1", "1.5", "2", "3", "4.5", "6"),
    "adjective": ("slow", "steady", "uneven", "accelerating", "limited", "sustained", "intensified", "reduced"),
    "suggests": ("suggests", "indicates", "likely reflects", "is consistent with the assessment"),
    "season": ("the autumn rains", "the spring thaw", "the end of the year", "the next round of talks", "winter"),
    "link_text": (
        "the original statement",
        "the full report",
        "the footage",
        "the published data",
        "the official transcript",
        "the map of the area",
    ),
    "label": ("Key inflection:", "Assessment:", "Note:", "Context:", "Outlook:"),
}

UKRAINE = Theatre(
    name="ukraine",
    daily_title="Russian Offensive Campaign Assessment",
    places=(
        "Kursk Oblast",
        "Sumy Oblast",
        "Belgorod Oblast",
        "Toretsk",
        "Pokrovsk",
        "Kostyantynivka",
        "Chasiv Yar",
        "Kupyansk",
        "Lyman",
        "Borova",
        "Siversk",
        "Velyka Novosilka",
        "Novopavlivka",
        "Vuhledar",
        "Robotyne",
        "Vovchansk",
        "Orikhiv",
        "Crimea",
        "Kherson Oblast",
        "Київ",
        "Харків",
        "Одеса",
        "Запоріжжя",
        "Дніпро",
        "Миколаїв",
        "Херсон",
        "Львів",
    ),
    tags=(
        "air-defense",
        "ballistic-missiles",
        "drones",
        "electronic-warfare",
        "north-korea",
        "kursk-incursion",
        "ceasefire",
        "sanctions",
        "pow-exchange",
        "mobilization",
        "energy-infrastructure",
        "black-sea",
        "occupied-territories",
        "force-generation",
        "long-range-strikes",
        "glide-bombs",
        "обстріли",
    ),
    headings=(
        "Ukrainian Operations in the Russian Federation",
        "Russian Main Effort: Eastern Ukraine",
        "Russian Supporting Effort: Southern Axis",
        "Russian Air, Missile, and Drone Campaign",
        "Russian Technological Adaptations",
        "Ukrainian Defense Industrial Efforts",
        "Russian Mobilization and Force Generation Efforts",
        "Activities in Russian-Occupied Areas",
        "Ukrainian Defense Industrial Base Efforts",
        "Significant Activity in Belarus",
        "Russian Information Operations and Narratives",
        "Ceasefire Negotiations",
    ),
    sentences=(
        "{actor} {advanced} near {place} on {day}, according to geolocated footage published by {outlet}.",
        "{outlet} claimed on {day} that {actor} seized {part} of {place}, but {we} has not observed confirmation.",
        "{official} stated on {day} that {actor} continue to {operation} in the {place} direction.",
        "Russian forces launched {number} Shahed-type drones and decoys against {target} in {place} overnight.",
        "{we} assesses that {actor} intend to {objective} before {season}.",
        "A Ukrainian brigade operating in the {place} direction reported that Russian forces {tactic}.",
        "Fighting continued near {place} and {place2} on {day}, and neither side made confirmed advances.",
        "{official} claimed that {claim}, a claim that {we} cannot verify.",
        "Ukrainian forces struck {russian_target} in {place}, and footage published on {day} shows a fire at the site.",
        "The {adjective} pace of Russian assaults near {place} {suggests} that {actor} intend to {objective}.",
        "{we} previously assessed that {assessment}.",
        "These reports are consistent with {we}'s assessment that {assessment}.",
        "Ukrainian officials reported that Russian glide bomb strikes damaged {target} in {place} on {day}.",
        "Russian milbloggers complained that {complaint}.",
    ),
    slots={
        "actor": (
            "Russian forces",
            "Ukrainian forces",
            "elements of the Russian 20th Combined Arms Army",
            "Russian airborne (VDV) elements",
            "Ukrainian drone operators",
            "North Korean troops",
            "Russian assault groups",
            "Ukrainian border guards",
        ),
        "advanced": (
            "advanced",
            "recently advanced",
            "marginally advanced",
            "conducted limited attacks",
            "continued offensive operations",
            "attempted to advance",
        ),
        "part": ("the eastern outskirts", "several streets", "a forest area west", "the railway station", "the centre"),
        "operation": (
            "attack in small infantry groups",
            "use motorcycles and light vehicles",
            "strike logistics routes",
            "infiltrate Ukrainian positions",
        ),
        "official": (
            "Ukrainian President Volodymyr Zelensky",
            "Kremlin Spokesperson Dmitry Peskov",
            "Russian Defense Minister Andrei Belousov",
            "Ukrainian Commander-in-Chief Oleksandr Syrskyi",
            "the spokesperson of a Ukrainian brigade",
            "a Ukrainian military observer",
            "Russian Security Council Deputy Chairperson Dmitry Medvedev",
            "Ukrainian Foreign Minister Andrii Sybiha",
        ),
        "outlet": (
            "Reuters",
            "the Associated Press",
            "the Kyiv Independent",
            "Meduza",
            "Mediazona",
            "DeepState",
            "a Russian milblogger",
            "the Russian Ministry of Defense",
            "the Ukrainian General Staff",
            "Українська правда",
            "Суспільне",
        ),
        "target": (
            "energy infrastructure",
            "residential buildings",
            "a hospital",
            "port infrastructure",
            "a railway junction",
            "a thermal power plant",
            "grain storage facilities",
        ),
        "russian_target": (
            "an oil refinery",
            "an ammunition depot",
            "a command post",
            "an airfield",
            "a drone launch site",
            "an air defense system",
        ),
        "objective": (
            "seize the rest of Donetsk Oblast",
            "push Ukrainian forces from Kursk Oblast",
            "establish a buffer zone along the border",
            "reach the administrative border of Dnipropetrovsk Oblast",
            "exhaust Ukrainian air defense interceptors",
            "pressure Ukraine into concessions at the negotiating table",
        ),
        "tactic": (
            "increasingly use fiber-optic drones",
            "attack in groups of two or three soldiers",
            "rely on armored vehicles less often than last year",
            "shell the town daily",
            "disguise infantry as civilians",
        ),
        "claim": (
            "Ukraine is not interested in peace",
            "Russian forces control the whole settlement",
            "Western weapons deliveries prolong the war",
            "the ceasefire was violated by the other side",
        ),
        "assessment": (
            "the Kremlin is unlikely to negotiate in good faith",
            "Russian forces are likely to continue offensive operations through the winter",
            "Ukrainian strikes on refineries are degrading Russian fuel supplies",
            "Russia relies on refurbished Soviet-era armored vehicles",
            "a strong Ukrainian military is the most vital guarantee of a lasting peace",
        ),
        "complaint": (
            "commanders continue to send troops into costly frontal assaults",
            "Ukrainian drones interdict supply routes far behind the front",
            "the Russian military command conceals its losses",
        ),
        "clause": (
            "although the claim could not be independently verified",
            "amid continued strikes against energy infrastructure",
            "as Russian forces regroup after heavy losses",
            "which is consistent with earlier reporting",
            "likely to fix Ukrainian forces in the area",
            "according to footage published on social media",
        ),
    },
    quotes=(
        (
            "Противник продовжує штурмові дії на Покровському напрямку.",
            "The enemy continues assault operations in the Pokrovsk direction.",
        ),
        ("Ми не віддамо жодного метра нашої землі.", "We will not give up a single metre of our land."),
        (
            "Ситуація на фронті складна, але контрольована.",
            "The situation at the front is difficult but under control.",
        ),
        (
            "Наступление будет продолжено до достижения всех целей.",
            "The offensive will continue until every goal is reached.",
        ),
    ),
    table_header="| Direction | Claimed advance (km) | Assessed |\n|---|---|---|",
    topics=(
        "Russia's Winter Campaign",
        "The Battle for Pokrovsk",
        "North Korean Troops in Kursk Oblast",
        "Ukraine's Long-Range Strike Campaign",
        "Russian Force Generation",
        "The Black Sea Grain Corridor",
        "Drone Warfare on the Front Line",
        "Ceasefire Proposals and Their Limits",
    ),
)

MIDDLE_EAST = Theatre(
    name="middle-east",
    daily_title="Iran Update",
    places=(
        "غزة",
        "رفح",
        "خان يونس",
        "دير البلح",
        "جنين",
        "حلب",
        "الفاشر",
        "الخرطوم",
        "صنعاء",
        "الحديدة",
        "West Bank",
        "Southern Lebanon",
        "Red Sea",
        "North Darfur",
        "Idlib",
        "Bab el Mandeb",
        "Tehran",
    ),
    tags=(
        "humanitarian-access",
        "displacement",
        "hostage-negotiations",
        "ceasefire",
        "red-sea-shipping",
        "famine",
        "humanitarian-law",
        "iran",
        "houthis",
        "hezbollah",
        "sanctions",
        "إغاثة",
    ),
    headings=(
        "Gaza Strip",
        "West Bank",
        "Lebanon",
        "Syria",
        "Yemen and the Red Sea",
        "Sudan",
        "Iran",
        "Humanitarian Access",
        "Displacement and Shelter",
        "Food Security",
        "Health",
        "Negotiations",
    ),
    sentences=(
        "{actor} conducted raids in {place} on {day}, according to {outlet}.",
        "{organisation} reported on {day} that {count} people were displaced from {place} in the past week.",
        "Aid convoys reached {place} on {day} for the first time in {number} days, according to {organisation}.",
        "{official} stated on {day} that {claim}.",
        "The Houthis claimed an attack on a commercial vessel near {place} on {day}.",
        "{we} assesses that {actor} intend to {objective}.",
        "{organisation} warned that {warning} in {place}.",
        "Fighting between {actor} and {actor2} continued around {place} and {place2}.",
        "{we} previously assessed that {assessment}.",
        "Satellite imagery from {day} shows damage to {target} in {place}.",
        "The {adjective} pace of strikes in {place} {suggests} that {actor} intend to {objective}.",
        "{count} people crossed from {place} toward {place2} this month, according to {organisation}.",
    ),
    slots={
        "actor": (
            "Israeli forces",
            "the Israel Defense Forces (IDF)",
            "Hamas fighters",
            "Palestinian Islamic Jihad",
            "the Houthis",
            "Hezbollah",
            "Iranian-backed militias",
            "the Rapid Support Forces (RSF)",
            "the Sudanese Armed Forces (SAF)",
        ),
        "actor2": ("local armed groups", "government forces", "rival militias", "tribal fighters"),
        "organisation": (
            "OCHA",
            "the World Food Programme",
            "UNRWA",
            "the World Health Organization",
            "UNHCR",
            "the International Organization for Migration",
            "Médecins Sans Frontières",
        ),
        "official": (
            "the UN Secretary-General",
            "an OCHA spokesperson",
            "the Israeli Prime Minister",
            "a Hamas official",
            "the Houthi military spokesperson",
            "the Iranian Foreign Minister",
            "the WHO representative in the occupied Palestinian territory",
        ),
        "outlet": (
            "Reuters",
            "the Associated Press",
            "Al Jazeera",
            "the Times of Israel",
            "Sudan Tribune",
            "الجزيرة",
            "العربي الجديد",
            "وكالة وفا",
        ),
        "claim": (
            "negotiations on a hostage release were making progress",
            "no fuel had entered the area for two weeks",
            "the attacks would stop once the blockade was lifted",
            "the strikes targeted military infrastructure only",
        ),
        "objective": (
            "disrupt shipping through the Red Sea",
            "consolidate control of the city",
            "deter further strikes on its territory",
            "restrict humanitarian access to the north",
        ),
        "warning": (
            "famine conditions are likely",
            "hospitals have run out of fuel",
            "cholera cases are rising",
            "shelters are overcrowded",
        ),
        "target": ("a hospital", "a water desalination plant", "a school used as a shelter", "a bakery", "a market"),
        "assessment": (
            "Iran seeks to avoid a direct war while arming its partners",
            "the Houthis will continue attacks on shipping",
            "a lasting ceasefire depends on a hostage agreement",
            "the RSF intends to take the last army-held city in Darfur",
        ),
        "clause": (
            "according to local health authorities",
            "although the figures could not be independently verified",
            "as aid deliveries remain restricted",
            "amid renewed negotiations in Doha and Cairo",
            "which aid agencies described as unprecedented",
        ),
    },
    quotes=(
        ("الوضع الإنساني كارثي ولا يمكن وصفه.", "The humanitarian situation is catastrophic and beyond description."),
        ("لن نتوقف حتى يرفع الحصار.", "We will not stop until the blockade is lifted."),
        ("نحتاج إلى ممر آمن لإيصال المساعدات.", "We need a safe corridor to deliver aid."),
    ),
    table_header="| Area | Displaced (thousands) | Access |\n|---|---|---|",
    topics=(
        "Shipping in the Red Sea",
        "Humanitarian Access to the North",
        "The War in Sudan",
        "Iran and Its Partners",
        "Hostage Negotiations",
        "Famine Risk",
    ),
)

THEATRES = {theatre.name: theatre for theatre in (UKRAINE, MIDDLE_EAST)}

ANALYSIS_TITLES = (
    "{topic}: What Comes Next",
    "{topic} and the Battle for {place}",
    "Why {topic} Matters",
    "{topic}: Five Questions",
    "Understanding {topic}",
)
LONG_TITLES = ("Special Report: {topic}", "{topic}: A Six-Month Assessment", "{topic}: The Year in Review")
UKRAINIAN_TITLES = (
    "Ситуація на фронті {date}",
    "Оперативна обстановка: {place}",
    "Огляд подій {date}",
    "Обстріли та евакуація: {place}",
)
ARABIC_TITLES = ("تقرير الوضع: {place}", "موجز يومي {date}", "قراءة في الأزمة الإنسانية: {place}")
DATA_TITLES = ("Regional Overview: {month} {year}", "Conflict Data Update: {place}", "Weekly Data Digest, {date}")
RELIEF_TITLES = ("Situation Report: {place}, {date}", "Flash Update: {place}", "Humanitarian Snapshot, {date}")
TITLES = {
    "daily": ANALYSIS_TITLES,
    "analysis": ANALYSIS_TITLES,
    "data": DATA_TITLES,
    "relief": RELIEF_TITLES,
    "ukrainian": UKRAINIAN_TITLES,
    "arabic": ARABIC_TITLES,
}
"""Titles by source style; a 'daily' source's are mostly its theatre's daily title."""


def yaml_text(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def long_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


class _Slots(dict[str, str]):
    """A template's slots, each drawn on first use and kept, so that a slot named twice says the same."""

    def __init__(self, rng: random.Random, tables: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.rng = rng
        self.tables = tables

    def __missing__(self, key: str) -> str:
        value = self[key] = self.rng.choice(self.tables[key])
        return value


class Citations:
    """Note numbers for the citations of a text, in reading order, so that every note is cited at least once."""

    def __init__(self, rng: random.Random, notes: int) -> None:
        self.rng = rng
        self.notes = notes
        self.next = 1

    def mark(self, words_left: int) -> str:
        """The citations ending a sentence ('[4]', '[5][6]'), or '' for none."""
        if self.notes == 0 or self.rng.random() >= CITING:
            return ""
        uncited = self.notes - self.next + 1
        if uncited <= 0 or (self.next > 1 and self.rng.random() < 0.15):
            return f"[{self.rng.randint(1, self.next - 1)}]"  # a note cited before, cited again
        citing_sentences_left = max(1.0, words_left / SENTENCE_WORDS * CITING)
        numbers = range(self.next, self.next + max(1, math.ceil(uncited / citing_sentences_left)))
        self.next = numbers.stop
        return "".join(f"[{n}]" for n in numbers)

    def rest(self) -> list[int]:
        """The notes not cited yet, which are then taken as cited."""
        numbers = list(range(self.next, self.notes + 1))
        self.next = self.notes + 1
        return numbers


class Report:
    """One briefing's text, written block by block until it has its words."""

    def __init__(
        self, rng: random.Random, theatre: Theatre, source: Source, day: dt.date, words: int, notes: int
    ) -> None:
        self.rng = rng
        self.theatre = theatre
        self.words = words
        self.written = 0
        self.citations = Citations(rng, notes)
        days = [day - dt.timedelta(days=back) for back in range(3)]
        self.tables = {
            **COMMON_SLOTS,
            **theatre.slots,
            "place": theatre.places,
            "place2": theatre.places,
            "day": tuple(f"{MONTHS[d.month - 1]} {d.day}" for d in days),
            "we": (source.short,),
        }
        self.headings = list(theatre.headings)
        rng.shuffle(self.headings)

    def sentence(self, *, cite: bool = True) -> str:
        text = self.rng.choice(self.theatre.sentences).format_map(_Slots(self.rng, self.tables))
        if self.rng.random() < 0.3:
            text = text[:-1] + ", " + self.rng.choice(self.tables["clause"]) + "."
        text = text[0].upper() + text[1:]
        if cite:
            text += self.citations.mark(self.words - self.written)
        return text

    def paragraph(self) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(3, 7))]
        if self.rng.random() < 0.06:
            sentences.insert(0, "**" + self.rng.choice(self.tables["label"]) + "**")
        if self.rng.random() < 0.1:
            link_text = self.rng.choice(self.tables["link_text"])
            sentences.append(f"See [{link_text}](https://example.org/r/{self.rng.randint(1, 10**6)}).")
        return " ".join(sentences)

    def heading(self) -> str:
        level = "###" if self.written and self.rng.random() < 0.3 else "##"
        if not self.headings:  # a long report runs out of sections: their names come round again
            self.headings = [f"{name} (continued)" for name in self.theatre.headings]
        return f"{level} {self.headings.pop()}"

    def bullet_list(self) -> str:
        marker = "1." if self.rng.random() < 0.2 else "-"
        return "\n".join(f"{marker} {self.sentence()}" for _ in range(self.rng.randint(2, 5)))

    def quote(self) -> str:
        said, meaning = self.rng.choice(self.theatre.quotes)
        who = self.rng.choice(self.tables["official"])
        mark = self.citations.mark(self.words - self.written)
        if self.rng.random() < 0.5:
            return f"> “{meaning}”\n> — {who}{mark}"
        return f"> «{said}»\n>\n> “{meaning}” — {who}{mark}"

    def table(self) -> str:
        rows = [self.theatre.table_header]
        for place in self.rng.sample(self.theatre.places, self.rng.randint(2, 5)):
            figure = self.rng.randint(0, 90) if self.theatre is MIDDLE_EAST else self.rng.randint(0, 9)
            rows.append(f"| {place} | {figure} | {self.rng.choice(('yes', 'no', 'partial'))} |")
        return "\n".join(rows)

    def body(self) -> str:
        blocks = [self.paragraph()]
        self.written = len(blocks[0].split())
        while self.written < self.words:
            roll = self.rng.random()
            if roll < 0.08 and not blocks[-1].startswith("#"):  # a section has text before the next
                block = self.heading()
            elif roll < 0.14:
                block = self.bullet_list()
            elif roll < 0.16:
                block = self.quote()
            elif roll < 0.18:
                block = self.table()
            else:
                block = self.paragraph()
            blocks.append(block)
            self.written += len(block.split())
        uncited = self.citations.rest()
        if uncited:  # a closing paragraph cites what the text had no room left for
            groups = [uncited[i : i + 3] for i in range(0, len(uncited), 3)]
            blocks.append(" ".join(self.sentence(cite=False) + "".join(f"[{n}]" for n in g) for g in groups))
        return "\n\n".join(blocks) + "\n"


def note(rng: random.Random, theatre: Theatre, day: dt.date, number: int) -> str:
    outlet = rng.choice(theatre.slots["outlet"])
    opening = outlet[0].upper() + outlet[1:]
    when = long_date(day - dt.timedelta(days=rng.randint(0, 3)))
    address = f"https://example.org/{theatre.name}/{day:%Y%m%d}/{number}-{rng.randint(1000, 99999)}"
    roll = rng.random()
    if roll < 0.55:
        return f"{opening}, {when}, {address}"
    if roll < 0.75:
        official = rng.choice(theatre.slots["official"])
        return f"Statement by {official} on {when}, as reported by {outlet}."
    if roll < 0.9:
        second = f"https://example.com/{rng.randint(1000, 99999)}"
        return f"{opening} report of {when}, {address} and {second}"
    return f"Geolocated footage published on {when}, {address}"


def local_date(day: dt.date, style: str) -> str:
    if style == "ukrainian":
        return f"{day.day} {UKRAINIAN_MONTHS[day.month - 1]} {day.year}"
    if style == "arabic":
        return f"{day:%d/%m/%Y}"
    return long_date(day)


def title(rng: random.Random, source: Source, theatre: Theatre, day: dt.date, *, long: bool) -> str:
    if not long and source.style == "daily" and rng.random() < 0.7:
        return f"{theatre.daily_title}, {long_date(day)}"
    template = rng.choice(LONG_TITLES if long else TITLES[source.style])
    return template.format(
        topic=rng.choice(theatre.topics),
        place=rng.choice(theatre.places),
        date=local_date(day, source.style),
        month=MONTHS[day.month - 1],
        year=day.year,
    )


def authors(rng: random.Random, source: Source) -> list[str]:
    pool = {"ukrainian": CYRILLIC_AUTHORS, "arabic": ARABIC_AUTHORS}.get(source.style, AUTHORS)
    return rng.sample(pool, rng.randint(1, 3))


def briefing(rng: random.Random, number: int, day: dt.date, source: Source, length: float = 1.0) -> str:
    """The Markdown file of one briefing; `length` scales its words and notes (1: as ISW's reports run)."""
    theatre = THEATRES[rng.choice(source.theatres)]
    long = rng.random() < LONG_SHARE
    words = max(1, round(length * rng.randint(*(LONG_WORDS if long else SHORT_WORDS))))
    notes = max(1, round(length * rng.randint(*(LONG_NOTES if long else SHORT_NOTES))))
    report = Report(rng, theatre, source, day, words, notes)
    lines = [
        "---",
        f"title: {yaml_text(title(rng, source, theatre, day, long=long))}",
        f"date: {day.isoformat()}",
        f"source: {source.key}",
        f"url: https://example.org/{source.key}/{day:%Y/%m/%d}/{number}",
        "authors: [" + ", ".join(yaml_text(name) for name in authors(rng, source)) + "]",
        f"summary: {yaml_text(report.sentence(cite=False))}",
        "takeaways:",
        *(f"  - {yaml_text(report.sentence(cite=False))}" for _ in range(rng.randint(3, 7))),
        "footnotes:",
        *(f"  {n}: {yaml_text(note(rng, theatre, day, n))}" for n in range(1, notes + 1)),
        "tags: [" + ", ".join(sorted(rng.sample(theatre.tags, rng.randint(1, 4)))) + "]",
        "places: [" + ", ".join(yaml_text(p) for p in sorted(rng.sample(theatre.places, rng.randint(0, 3)))) + "]",
        "---",
        "",
        report.body(),
    ]
    return "\n".join(lines)


def publishing_rate(briefings: int, sources: int) -> float:
    """Briefings a source publishes on an average day: PUBLISHING, or more when the corpus would pass END."""
    days = (END - START).days + 1
    return max(PUBLISHING, briefings / (sources * days * 0.95))  # a margin: how many a day publishes is drawn


def schedule(briefings: int, sources: tuple[Source, ...], rng: random.Random) -> list[tuple[dt.date, Source]]:
    """The date and source of each briefing, day by day from START: not every source publishes every day."""
    rate = publishing_rate(briefings, len(sources))
    planned: list[tuple[dt.date, Source]] = []
    day = START
    while len(planned) < briefings:
        for source in sources:
            published = int(rate) + (rng.random() < rate - int(rate))
            planned.extend([(day, source)] * published)
        day += dt.timedelta(days=1)
    return planned[:briefings]


def sources_yaml(sources: tuple[Source, ...]) -> str:
    return "".join(
        f"{s.key}:\n  name: {yaml_text(s.name)}\n  url: {s.url}\n  description: {yaml_text(s.description)}\n"
        for s in sources
    )


def write_corpus(out: Path, briefings: int, sources: int = 6, seed: int = 1, length: float = 1.0) -> Path:
    """Write a site root of `briefings` briefings from the first `sources` sources into `out`; returns `out`.

    `length` scales each briefing's words and notes: tests that start and stop
    whole builds many times want many briefings (for the parallel workers)
    more than long ones. The same arguments give the same bytes. Refuses a folder that already has briefings,
    which would mix with the new ones.
    """
    if not 1 <= sources <= len(SOURCES):
        raise ValueError(f"sources must be 1 to {len(SOURCES)}, not {sources}")
    folder = out / "briefings"
    if folder.is_dir() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} already has briefings")
    folder.mkdir(parents=True, exist_ok=True)
    chosen = SOURCES[:sources]
    (out / "sources.yaml").write_text(sources_yaml(chosen), encoding="utf-8", newline="\n")
    (out / "briefgen.yaml").write_text(
        'title: "Synthetic briefing archive"\nbase_url: "https://example.github.io/archive/"\n',
        encoding="utf-8",
        newline="\n",
    )
    # Two generators: the dates stay the same when the text's vocabulary changes.
    text_rng = random.Random(f"text {seed}")
    for number, (day, source) in enumerate(schedule(briefings, chosen, random.Random(f"schedule {seed}"))):
        path = folder / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}" / f"{source.key}-{number:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(briefing(text_rng, number, day, source, length), encoding="utf-8", newline="\n")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the site root to write (its briefings/ must be empty or absent)")
    parser.add_argument("--briefings", type=int, default=1000, help="how many (default: 1000)")
    parser.add_argument(
        "--sources", type=int, default=6, choices=range(1, len(SOURCES) + 1), help="how many sources (default: 6)"
    )
    parser.add_argument("--seed", type=int, default=1, help="another seed, another corpus (default: 1)")
    parser.add_argument(
        "--length", type=float, default=1.0, help="scale of each briefing's words and notes (default: 1, ISW-sized)"
    )
    args = parser.parse_args(argv)
    if args.briefings < 0:
        parser.error("--briefings must be 0 or more")
    if args.length <= 0:
        parser.error("--length must be more than 0")
    try:
        write_corpus(args.out, args.briefings, args.sources, args.seed, args.length)
    except FileExistsError as exc:
        sys.exit(f"corpus: {exc}: write into a new folder")
    print(f"wrote {args.briefings} briefings into {args.out}")


if __name__ == "__main__":
    main()
