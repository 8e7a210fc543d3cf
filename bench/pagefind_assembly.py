"""What assembling one Pagefind bundle from per-page entries costs: cold, and after one edit.

    python -m bench.pagefind_assembly WORK [--pages 5000] [--chunk-size 20000] [--level 1]

Feeds the corpus's briefing pages (bench/pagefind_phases.py makes them in
WORK) to Pagefind in one run (its bundle kept in WORK/bundle.pickle for the
next run), splits its bundle into entries, and makes
`--pages` entries from them: copies under other addresses (so a copy's
fragment and name differ, its words do not; the words' count is that of the
corpus, their pages' count that of `--pages`). Then prints CPU seconds:
splitting; assembling all; an edit (one page's entry replaced by the entry
of its edited page, indexed alone); a page added at the end; a page added
at the start (every page's number shifts: the worst case). PROFILE=1
profiles the edit's files, PROFILE_INSERT=1 the page put in first.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import resource
import time
from pathlib import Path

from tests.pagefindfeed import bundle_of

from briefgen.pagefindassembly import CHUNK_SIZE, INDEX_LEVEL, Assembly
from briefgen.pagefindformat import PageEntry, entry_digest, run_of, split_bundle


def copy_of(entry: PageEntry, number: int) -> PageEntry:
    url = entry.url.rstrip("/") + f"-copy{number}/"
    fragment = json.loads(entry.fragment)
    fragment["url"] = url
    text = json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    digest = entry_digest(url, entry.language, entry.wasm, text, entry.words)
    return dataclasses.replace(entry, url=url, fragment=text, digest=digest)


def timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.process_time()
    result = action()
    print(f"{label}: {time.process_time() - start:.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", type=Path)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--level", type=int, default=INDEX_LEVEL, help="gzip level of the index chunks (Pagefind's: 9)")
    args = parser.parse_args()
    site = args.work / "corpus" / "site"
    pages = sorted(site.glob("briefings/*/*/*/*/index.html"))
    documents = [("/" + p.parent.relative_to(site).as_posix() + "/", p.read_text(encoding="utf-8")) for p in pages]
    print(f"{len(documents)} pages fed to Pagefind, load {os.getloadavg()}")
    kept = args.work / "bundle.pickle"  # Pagefind's bundle of the corpus, made once
    if kept.is_file():
        files = pickle.loads(kept.read_bytes())
    else:
        files, _times = bundle_of(documents)
        kept.write_bytes(pickle.dumps(files))
    run = run_of(files)
    base = timed(f"split {len(documents)} pages", lambda: split_bundle(files))
    entries = [copy_of(entry, n) if n else entry for n in range(args.pages // len(base) + 1) for entry in base]
    entries = entries[: args.pages]
    pairs = sum(len(entry.words) for entry in entries)
    print(f"{len(entries)} entries, {pairs:,} (word, page) pairs")

    assembly = Assembly(run, args.chunk_size, args.level)
    print(f"chunk size {args.chunk_size}, gzip level {args.level}")
    timed("cold: entries put in", lambda: assembly.update(entries))
    bundle = timed("cold: files encoded, compressed", assembly.files)
    size = sum(len(content) for name, content in bundle.items() if name.startswith(("index/", "fragment/")))
    print(f"{len(bundle)} files, {size / 2**20:.1f} MiB of index and fragments")

    url, html = documents[500]
    edited = html.replace("<p>", "<p>Wholly unheard-of words here, café Київ. ", 1)
    (fresh,) = timed(
        "edit: the page indexed alone by Pagefind, split", lambda: split_bundle(bundle_of([(url, edited)])[0])
    )
    changed = [fresh if entry.url == url else entry for entry in entries]
    timed("edit: entry replaced", lambda: assembly.update(changed))
    if os.environ.get("PROFILE"):
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        profile = cProfile.Profile()
        after = profile.runcall(assembly.files)
        pstats.Stats(profile).sort_stats("tottime").print_stats(8)
    else:
        after = timed("edit: files", assembly.files)
    print(f"edit: {sum(1 for n, c in after.items() if bundle.get(n) != c)} files new or changed")
    added = copy_of(base[0], 99999)
    timed("append: entry added at the end", lambda: assembly.update([*changed, added]))
    timed("append: files", assembly.files)
    if os.environ.get("PROFILE_INSERT"):
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        profile = cProfile.Profile()
        profile.runcall(assembly.update, [added, *changed])
        pstats.Stats(profile).sort_stats("tottime").print_stats(8)
    else:
        timed("insert: entry added at the start", lambda: assembly.update([added, *changed]))
    timed("insert: files", assembly.files)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"peak memory {peak:.0f} MiB; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
