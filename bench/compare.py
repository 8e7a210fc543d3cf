# ruff: noqa: E501 - the Hugo templates are kept as Hugo writes them, one element a line
"""briefgen against Hugo and Pelican on the same archive, side by side in one run.

    python bench/compare.py [--briefings 5000] [--runs 3] [--memory-briefings 10000] [--work DIR]

Writes the synthetic corpus with the project's generator (bench/corpus.py),
converts it for Hugo (content plus small equivalent templates: a page per
briefing with its takeaways and notes rendered as Markdown, taxonomy pages
per source, tag, place, author and date, and for the site and each source,
tag, place and author an RSS feed and a JSON Feed of its newest 50 briefings
in full, as briefgen writes them: 112 of each for the 5,000 briefings) and
for Pelican (its default theme), then times, run by run and interleaved:

- briefgen first build: no output, no cache, no search index (Hugo makes
  none); the cache is written, as `briefgen build --no-search` does on a
  fresh checkout: the headline cold figure. Every cold build of every tool
  writes into a new folder, and outputs are removed after the last run, so
  that no build is timed just after the benchmark removed a large tree
  (which slows file creation on this disk);
- briefgen cold with --no-cache beside it (no cache read or written);
- briefgen no-op: the same build again;
- briefgen first rebuild: one briefing's text changed, then built; the first
  rebuild after a cold build also makes the site's twin (write.py), by hard
  links to every file;
- briefgen one edit: the same again, as an editor's every later rebuild;
- briefgen cold with search: the same as the first build, and Pagefind's
  index (the default build, what the publishing workflow runs); then one
  briefing edited and built again with search; then built with search into
  a new folder, the cache as that build left it: what the Pages workflow
  does on a fresh checkout with its cache restored;
- Hugo 0.168 cold; Hugo followed by `pagefind --site` over its output (the
  binary of the pagefind_bin package), what a Hugo user with search runs:
  the peer of the builds with search; Pelican 4.12 cold (content cache off).
  Beside them, Hugo with the pages only (no feed, no author page), the peer
  of the figures before 2026-12-02: the feeds are 46% of the bytes briefgen
  writes (389 of 846 MB at 5,000 briefings) and doubled Hugo's time.

briefgen's modules are compiled to bytecode first, as pip does when it
installs a package: an editable install where PYTHONDONTWRITEBYTECODE is
set would otherwise time Python compiling them on every run.

Every build starts after a sync of the disk, so that none is timed while the
kernel writes out what the one before it wrote. A first round measures peak
memory (the summed proportional set size of the process and its children,
sampled every 50 ms) and is not timed: on 2 cores the sampler's reads of
/proc took a share of the CPU from the build it watched. The timed rounds
follow without it. It prints medians of wall time and of CPU time (user and
system, of the build and its children: less sensitive than wall time to
other work on a shared machine; note the load, `uptime`), ratios to the
peer (Hugo cold for builds without search, Hugo + Pagefind for builds with
it) and the peaks, and checks that the one-edit builds, without search and
with it, are byte-identical to a cold build of the same input.
Needs the bench extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import hashlib
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml
from corpus import write_corpus  # bench/corpus.py, beside this script


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float = 0.0
    """User and system seconds of the command and its children."""


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(command: list[str], cwd: Path | None = None, *, sample_memory: bool = False) -> Run:
    """Run a command to its end: wall time, and with `sample_memory` the peak of the summed PSS of its process tree.

    The disk is synced first, so that no build is timed while the kernel writes out
    what the one before it wrote.
    """
    os.sync()
    started, cpu = time.perf_counter(), children_cpu()
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            total = 0
            try:
                for proc in [process, *process.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += proc.memory_full_info().pss
            except psutil.NoSuchProcess:
                pass
            peak = max(peak, total)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    stop.set()
    if sample_memory:
        sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return Run(elapsed, peak / 2**20, children_cpu() - cpu)


def pagefind_binary() -> str:
    """The binary of the pagefind_bin package (the bench extra installs it with briefgen)."""
    from pagefind_bin import get_executable  # noqa: PLC0415 - only the benchmark needs it

    return str(get_executable())


def make_corpus(out: Path, briefings: int) -> Path:
    """The corpus in `out`, written unless a run before this one left it there."""
    if not (out / "briefings").is_dir():
        write_corpus(out, briefings)
    return out


def split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=yaml.CSafeLoader), body


def hugo_config(*, feeds: bool) -> str:
    """hugo.toml: with `feeds`, author pages and the feeds briefgen writes; without, no feed at all."""
    taxonomies = ["source", "tag", "place", *(["author"] if feeds else []), "day"]
    config = (
        'baseURL = "https://example.github.io/archive/"\n'
        'title = "Synthetic briefing archive"\n'
        + ("" if feeds else 'disableKinds = ["RSS"]\n')
        + "[pagination]\n  pagerSize = 20\n[taxonomies]\n"
        + "".join(f'  {name} = "{name}s"\n' for name in taxonomies)
    )
    return config + HUGO_FEEDS if feeds else config


HUGO_FEEDS = """[services.rss]
  limit = 50
[mediaTypes."application/feed+json"]
  suffixes = ["json"]
[outputFormats.jsonfeed]
  mediaType = "application/feed+json"
  baseName = "feed"
  isPlainText = true
[outputFormats.rss]
  baseName = "feed"
[outputs]
  home = ["html", "rss", "jsonfeed"]
  section = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss", "jsonfeed"]
"""

HUGO_DAYS = """---
title: Days
cascade:
  outputs: ["html"]
---
"""
"""A day's page has no feed, as briefgen's date pages have none."""

HUGO_FEED_CONTENT = """{{ with .Params.takeaways }}<h2>Key takeaways</h2><ul>{{ range . }}<li>{{ . | markdownify }}</li>{{ end }}</ul>{{ end }}{{ .Content }}{{ with .Params.notes }}<h2>Notes</h2><ol>{{ range . }}<li>{{ . | markdownify }}</li>{{ end }}</ol>{{ end }}
"""

HUGO_RSS = """{{- $pages := cond .IsHome site.RegularPages .Pages -}}
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
{{ range first 50 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate><guid>{{ .Permalink }}</guid>
<description>{{ .Params.summary }}</description>
<content>{{ partial "feed-content.html" . | html }}</content></item>
{{ end }}</channel></rss>
"""

HUGO_JSON_FEED = """{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{- $items := slice -}}
{{- range first 50 $pages -}}
{{- $items = $items | append (dict "id" .Permalink "url" .Permalink "title" .Title "summary" .Params.summary "date_published" (.Date.Format "2006-01-02T15:04:05Z07:00") "content_html" (partial "feed-content.html" .)) -}}
{{- end -}}
{{- dict "version" "https://jsonfeed.org/version/1.1" "title" .Title "home_page_url" .Permalink "items" $items | jsonify -}}
"""

HUGO_BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
"""

HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "January 2, 2006" }}</time> {{ range .GetTerms "sources" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
{{ with .Params.takeaways }}<section><h2>Key takeaways</h2><ul>{{ range . }}<li>{{ . | markdownify }}</li>{{ end }}</ul></section>{{ end }}
{{ .Content }}
{{ with .Params.notes }}<section><h2>Notes</h2><ol>{{ range . }}<li>{{ . | markdownify }}</li>{{ end }}</ol></section>{{ end }}
</article>{{ end }}
"""

HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Params.summary }}</p></article>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
"""


def convert_for_hugo(corpus: Path, out: Path, *, feeds: bool = True) -> Path:
    """The corpus as a Hugo site in `out`: with `feeds`, what briefgen makes of it (pages, author pages, and
    an RSS and a JSON feed of the newest 50 briefings, in full, for the site and each source, tag, place and
    author); without, the pages only (no feed, no author page): the peer of the figures before 2026-12-02."""
    if (out / "hugo.toml").is_file():
        return out
    files = [
        ("layouts/_default/baseof.html", HUGO_BASEOF),
        ("layouts/_default/single.html", HUGO_SINGLE),
        ("layouts/_default/list.html", HUGO_LIST),
    ]
    if feeds:
        files += [
            ("layouts/_default/rss.xml", HUGO_RSS),
            ("layouts/_default/list.jsonfeed.json", HUGO_JSON_FEED),
            ("layouts/partials/feed-content.html", HUGO_FEED_CONTENT),
            ("content/days/_index.md", HUGO_DAYS),
        ]
    files.append(("hugo.toml", hugo_config(feeds=feeds)))
    for folder, text in files:
        (out / folder).parent.mkdir(parents=True, exist_ok=True)
        (out / folder).write_text(text, encoding="utf-8")
    content = out / "content" / "briefings"
    content.mkdir(parents=True, exist_ok=True)
    for path in sorted((corpus / "briefings").rglob("*.md")):
        meta, body = split(path)
        front = {
            "title": meta["title"],
            "date": str(meta["date"]),
            "slug": path.stem,
            "url": f"/briefings/{meta['date']:%Y/%m/%d}/{path.stem}/",
            "summary": meta.get("summary", ""),
            "sources": [meta["source"]],
            "tags": meta.get("tags", []),
            "places": meta.get("places", []),
            **({"authors": meta.get("authors", [])} if feeds else {}),
            "days": [str(meta["date"])],
            "takeaways": meta.get("takeaways", []),
            "notes": [meta["footnotes"][n] for n in sorted(meta.get("footnotes", {}))],
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body
        (content / f"{path.stem}.md").write_text(text, encoding="utf-8")
    return out


PELICAN_CONFIG = """AUTHOR = "bench"
SITENAME = "Synthetic briefing archive"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 20
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
ARTICLE_URL = "briefings/{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "briefings/{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "sources/{slug}/feed.xml"
"""


def convert_for_pelican(corpus: Path, out: Path) -> Path:
    if (out / "pelicanconf.py").is_file():
        return out
    (out / "content").mkdir(parents=True, exist_ok=True)
    (out / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    for path in sorted((corpus / "briefings").rglob("*.md")):
        meta, body = split(path)
        takeaways = "".join(f"- {t}\n" for t in meta.get("takeaways", []))
        notes = "".join(f"{n}. {meta['footnotes'][n]}\n" for n in sorted(meta.get("footnotes", {})))
        lines = [
            f"Title: {meta['title']}",
            f"Date: {meta['date']}",
            f"Category: {meta['source']}",
            f"Tags: {', '.join(meta.get('tags', []))}",
            f"Slug: {path.stem}",
            f"Summary: {meta.get('summary', '')}",
        ]
        text = "\n".join(lines) + f"\n\n## Key takeaways\n\n{takeaways}\n{body}\n\n## Notes\n\n{notes}"
        (out / "content" / f"{path.stem}.md").write_text(text, encoding="utf-8")
    return out


def tree_digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hasher.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def edit_one_briefing(corpus: Path, run: int) -> None:
    path = sorted((corpus / "briefings").rglob("*.md"))[len(list((corpus / "briefings").rglob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n\nEdited in run", 1)[0]
    path.write_text(text + f"\n\nEdited in run {run}.\n", encoding="utf-8")


def compile_briefgen() -> None:
    """Compile the installed briefgen's modules, wherever they are, as pip's install does."""
    found = subprocess.run(
        [sys.executable, "-c", "import briefgen, pathlib; print(pathlib.Path(briefgen.__file__).parent)"],
        check=True,
        capture_output=True,
        text=True,
    )
    compileall.compile_dir(found.stdout.strip(), quiet=1)


def tool(name: str) -> str:
    """A command installed with the bench extra: beside this Python first, so an inactive venv works too."""
    return (
        shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])) or name
    )


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefings", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-briefings", type=int, default=10000, help="0 to skip the memory build")
    parser.add_argument("--work", type=Path, default=Path("/tmp/briefgen-bench"))
    parser.add_argument("--no-pelican", action="store_true", help="leave Pelican out (it is slow)")
    parser.add_argument("--no-search", action="store_true", help="leave out the cold build with search")
    args = parser.parse_args()

    work = args.work / str(args.briefings)
    compile_briefgen()
    corpus = make_corpus(work / "corpus", args.briefings)
    hugo_site = convert_for_hugo(corpus, work / "hugo-with-feeds")
    hugo_pages_site = convert_for_hugo(corpus, work / "hugo", feeds=False)
    pelican_site = convert_for_pelican(corpus, work / "pelican")
    # Hugo builds no search index, so the side-by-side builds leave Pagefind out;
    # a cold build with search is timed on its own row.
    # Every cold build writes into a folder of its own, and the outputs are removed only after
    # the last run: on this machine's disk, creating files right after removing a large tree is
    # several times slower for tens of seconds, which would time the benchmark's own clean-up.
    outputs = work / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)

    def briefgen(name: str, *extra: str) -> list[str]:
        site = outputs / f"briefgen-{name}" / "site"
        return [sys.executable, "-m", "briefgen", "build", "--root", str(corpus), "--output", str(site), *extra]

    hugo_site_out = [tool("hugo"), "--quiet", "--source", str(hugo_site), "--destination"]
    hugo_pages_out = [tool("hugo"), "--quiet", "--source", str(hugo_pages_site), "--destination"]
    pelican = [tool("pelican"), "content", "-s", "pelicanconf.py", "-q", "-o"]

    kinds = (
        "cold",
        "nocache",
        "noop",
        "first",
        "edit",
        "search",
        "search-edit",
        "restored",
        "hugo",
        "hugo-pages",
        "hugo-pagefind",
        "pelican",
    )
    results: dict[str, list[Run]] = {k: [] for k in kinds}
    peaks: dict[str, float] = {}

    def record(kind: str, run: int, command: list[str], cwd: Path | None = None, after: Run | None = None) -> Run:
        # Round 0 samples memory and is not timed: reading every process's smaps each 50 ms
        # took a share of a 2-core machine's CPU (5 ms a read for a 300 MB process), and more
        # of a tool with more memory. The timed rounds run without the sampler.
        measured = measure(command, cwd, sample_memory=run == 0)
        if after is not None:  # the second of two commands timed as one build (Hugo, then Pagefind)
            measured = Run(
                after.seconds + measured.seconds, max(after.peak_mb, measured.peak_mb), after.cpu + measured.cpu
            )
        if run == 0:
            peaks[kind] = measured.peak_mb
        else:
            results[kind].append(measured)
        return measured

    for run in range(args.runs + 1):
        shutil.rmtree(corpus / ".briefgen-cache", ignore_errors=True)  # a few files: bodies are packed
        record("cold", run, briefgen(str(run), "--no-search"))
        record("noop", run, briefgen(str(run), "--no-search"))
        edit_one_briefing(corpus, 4 * run)
        record("first", run, briefgen(str(run), "--no-search"))
        edit_one_briefing(corpus, 4 * run + 1)
        record("edit", run, briefgen(str(run), "--no-search"))
        record("nocache", run, briefgen(f"nocache-{run}", "--no-search", "--no-cache"))
        if not args.no_search:
            shutil.rmtree(corpus / ".briefgen-cache", ignore_errors=True)
            record("search", run, briefgen(f"search-{run}"))
            edit_one_briefing(corpus, 4 * run + 2)
            briefgen_search_first = briefgen(f"search-{run}")  # the first rebuild also makes the site's twin
            measure(briefgen_search_first)
            edit_one_briefing(corpus, 4 * run + 3)
            record("search-edit", run, briefgen(f"search-{run}"))
            record("restored", run, briefgen(f"restored-{run}"))  # the cache as the last build left it, no site
        shutil.rmtree(hugo_site / "resources", ignore_errors=True)
        shutil.rmtree(hugo_pages_site / "resources", ignore_errors=True)
        record("hugo-pages", run, [*hugo_pages_out, str(outputs / f"hugo-pages-{run}")])
        hugo = record("hugo", run, [*hugo_site_out, str(outputs / f"hugo-{run}")])
        if not args.no_search:
            pagefind = [pagefind_binary(), "--site", str(outputs / f"hugo-{run}"), "--quiet"]
            record("hugo-pagefind", run, pagefind, after=hugo)
        if not args.no_pelican:
            record("pelican", run, [*pelican, str(outputs / f"pelican-{run}")], cwd=pelican_site)
        print(f"round {run + 1}/{args.runs + 1} done ({'memory' if run == 0 else 'timed'})", file=sys.stderr)

    last = outputs / f"briefgen-{args.runs}" / "site"
    if not args.no_search:  # the builds with search edited the corpus after the last build of `last`: its input now
        measure(briefgen(str(args.runs), "--no-search"))
    verify = outputs / "verify"
    verify_command = [sys.executable, "-m", "briefgen", "build", "--root", str(corpus), "--no-cache"]
    subprocess.run([*verify_command, "--no-search", "--output", str(verify)], check=True, capture_output=True)
    identical = tree_digest(verify) == tree_digest(last)
    if not args.no_search:  # the last edit was made with search: a cold build with search of that input
        subprocess.run([*verify_command, "--output", str(outputs / "verify-search")], check=True, capture_output=True)
        identical_search = tree_digest(outputs / "verify-search") == tree_digest(
            outputs / f"briefgen-search-{args.runs}" / "site"
        )
        identical_restored = tree_digest(outputs / "verify-search") == tree_digest(
            outputs / f"briefgen-restored-{args.runs}" / "site"
        )
    shutil.rmtree(outputs, ignore_errors=True)

    memory = None
    if args.memory_briefings:
        big = make_corpus(args.work / str(args.memory_briefings) / "corpus", args.memory_briefings)
        for made in ("site", ".site.briefgen-twin", ".briefgen-cache"):
            shutil.rmtree(big / made, ignore_errors=True)
        memory = measure(
            [sys.executable, "-m", "briefgen", "build", "--root", str(big), "--no-search"], sample_memory=True
        )

    hugo_cold = median(results["hugo"])
    hugo_search = median(results["hugo-pagefind"]) if results["hugo-pagefind"] else 0.0
    print(
        f"\n{args.briefings:,} briefings, medians of {args.runs} runs; {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average {load()}\n"
    )
    print("| build | median s | CPU s | peer | ratio to the peer | peak MB |")
    print("|---|---:|---:|---|---:|---:|")
    rows = [
        ("briefgen first build, no search (cache written)", "cold", "Hugo", hugo_cold),
        ("briefgen cold, no search, --no-cache", "nocache", "Hugo", hugo_cold),
        ("briefgen no-op rebuild", "noop", "Hugo", hugo_cold),
        ("briefgen after one edit", "edit", "Hugo", hugo_cold),
        ("briefgen first rebuild after a cold build (one edit)", "first", "Hugo", hugo_cold),
        ("briefgen cold, with search (cache written)", "search", "Hugo + Pagefind", hugo_search),
        ("briefgen after one edit, with search", "search-edit", "Hugo + Pagefind", hugo_search),
        (
            "briefgen with search, its cache restored, no site (the Pages workflow)",
            "restored",
            "Hugo + Pagefind",
            hugo_search,
        ),
        ("Hugo 0.168 cold (the same pages and feeds)", "hugo", "Hugo", hugo_cold),
        ("Hugo 0.168 cold, pages only (no feeds, no author pages)", "hugo-pages", "Hugo", hugo_cold),
        ("Hugo 0.168 cold, then pagefind --site", "hugo-pagefind", "Hugo + Pagefind", hugo_search),
        ("Pelican 4.12 cold", "pelican", "Hugo", hugo_cold),
    ]
    for name, kind, peer, peer_seconds in rows:
        if results[kind]:
            seconds = median(results[kind])
            cpu = statistics.median(r.cpu for r in results[kind])
            print(f"| {name} | {seconds:.2f} | {cpu:.1f} | {peer} | {seconds / peer_seconds:.3f} | {peaks[kind]:.0f} |")
    if memory is not None:
        print(
            f"| briefgen cold, {args.memory_briefings:,} briefings | {memory.seconds:.2f} | | | | {memory.peak_mb:.0f} |"
        )
    # This machine's speed drifts by a third over minutes: the ratio within each round,
    # where both builds ran a few seconds apart, shows how much of a median is drift.
    rounds = [cold.seconds / hugo.seconds for cold, hugo in zip(results["cold"], results["hugo"], strict=True)]
    print(f"\nfirst build / Hugo cold, round by round: {' '.join(f'{r:.3f}' for r in rounds)}", end="")
    print(f" (median {statistics.median(rounds):.3f})")
    if results["search"]:
        pairs = zip(results["search"], results["hugo-pagefind"], strict=True)
        searched = [ours.seconds / peer.seconds for ours, peer in pairs]
        print(f"cold with search / Hugo + Pagefind, round by round: {' '.join(f'{r:.3f}' for r in searched)}")
    print(f"one-edit build byte-identical to a cold build: {'yes' if identical else 'NO'}")
    if not args.no_search:
        print(f"one-edit build with search byte-identical to a cold build: {'yes' if identical_search else 'NO'}")
        print(f"build with the cache restored byte-identical to a cold build: {'yes' if identical_restored else 'NO'}")
        identical = identical and identical_search and identical_restored
    if not identical:
        raise SystemExit(1)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
