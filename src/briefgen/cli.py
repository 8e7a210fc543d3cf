"""Command line: argument parsing, printing, exit codes. No pipeline logic lives here."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
from collections.abc import Sequence
from pathlib import Path

from briefgen import __version__
from briefgen.build import OUTPUT_DIR, build_site
from briefgen.errors import ArchiveError, BriefgenError, Problem, summarised
from briefgen.installspec import InstallSpec, default_spec, origin, parse_spec
from briefgen.interrupts import EXIT_INTERRUPTED
from briefgen.load import load_archive
from briefgen.neighbours import MARKER
from briefgen.progress import build_progress
from briefgen.scaffold import PAGES_WORKFLOW, format_document, init_site, new_briefing, parse_day

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
DEFAULT_PORT = 8000


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.run(args)
    except (KeyboardInterrupt, BriefgenError, OSError) as exc:
        return _stopped_by(exc)
    return code


def _stopped_by(exc: BaseException) -> int:
    """The one line that says why briefgen stopped, and its exit status."""
    if _interrupted(exc):
        print("briefgen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, OSError):  # a full disk, a folder that cannot be written: say which, without a traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"briefgen: {exc.strerror or exc}{where}", file=sys.stderr)
    else:
        print(f"briefgen: {exc}", file=sys.stderr)
    return EXIT_PROBLEMS


def _interrupted(exc: BaseException | None) -> bool:
    """Ctrl-C, or an error raised while a Ctrl-C was unwinding the build (a clean-up that failed
    half-way): the user stopped briefgen, and that is what to tell them."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__context__
    return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Publish conflict briefings (Markdown files with YAML front matter) as a static website.",
        epilog="Start an archive with 'briefgen init DIR', add a report with 'briefgen new', "
        "preview it with 'briefgen serve'. Run 'briefgen COMMAND --help' for the options of one command, "
        "and 'briefgen help format' for how briefings are written.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    check = commands.add_parser(
        "check",
        help="check every briefing and report problems as path:line: message",
        description="Read and validate the whole archive without writing anything. "
        "Exits 1 when there is an error (with --strict, also on a warning).",
        epilog="How briefings, sources.yaml and briefgen.yaml are written: 'briefgen help format'.",
    )
    _add_root(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(run=run_check)

    build = commands.add_parser(
        "build",
        help="check the archive and write the static site",
        description="Check the archive, then write the site to site/ (or --output). "
        "On any error nothing is written and the previous site stays as it was.",
    )
    _add_root(build)
    build.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: ROOT/site)")
    build.add_argument(
        "--base-url",
        metavar="URL",
        help="the address the site is published under, e.g. https://org.github.io/archive/ (overrides briefgen.yaml)",
    )
    build.add_argument("--drafts", action="store_true", help="include briefings marked 'draft: true'")
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="parse and render everything afresh, without reading or writing .briefgen-cache/",
    )
    build.add_argument(
        "--no-search",
        action="store_true",
        help="leave full-text search out: no search box, no search page, no Pagefind index",
    )
    build.set_defaults(run=run_build)
    _add_editor_commands(commands)
    help_command = commands.add_parser(
        "help",
        help="'briefgen help format': how briefings, sources.yaml and briefgen.yaml are written",
        description="Print the format of an archive (the contract between editors and briefgen), "
        "or the help of one command.",
    )
    help_command.add_argument("topic", nargs="?", metavar="TOPIC", help="'format', or a command's name")
    help_command.set_defaults(run=functools.partial(run_help, parser=parser, commands=commands))
    return parser


def _add_editor_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser(
        "new",
        help="start a new briefing file with its front matter filled in",
        description="Write briefings/YYYY/MM/DD/<source>-<title>.md with the title, date and source "
        "filled in and commented hints for the rest, then print its path. Never replaces a file.",
        epilog='example: briefgen new --source isw --title "Russian Offensive Campaign Assessment"',
    )
    new.add_argument("--source", required=True, metavar="KEY", help="the source's key in sources.yaml, e.g. isw")
    new.add_argument("--title", required=True, help="the report's headline, in quotes")
    new.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the report's date (default: today)")
    _add_root(new)
    new.set_defaults(run=run_new)

    serve = commands.add_parser(
        "serve",
        help="preview the site on this computer; it rebuilds and reloads as you edit",
        description="Build the site into a temporary folder and serve it at http://127.0.0.1:PORT/ under its "
        "base path. Every change to briefings/, templates/, static/, briefgen.yaml or sources.yaml rebuilds "
        "it, and the page open in the browser reloads by itself. A change that does not build prints its "
        "path:line problems here and on the page, and the last good site stays. Ctrl-C stops.",
    )
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}; 0 picks a free one")
    serve.add_argument("--drafts", action="store_true", help="include briefings marked 'draft: true'")
    serve.add_argument(
        "--no-search",
        action="store_true",
        help="leave full-text search out of the preview (on by default: a rebuild indexes again only the "
        "briefings that changed)",
    )
    serve.add_argument("--search", action="store_true", help=argparse.SUPPRESS)  # the default; once needed
    _add_root(serve)
    serve.set_defaults(run=run_serve)

    init = commands.add_parser(
        "init",
        help="set up a new archive, ready to publish on GitHub Pages",
        description="Write a new site root into DIR: briefgen.yaml, sources.yaml, an example briefing, "
        f".gitignore and the GitHub Pages workflow {PAGES_WORKFLOW}. DIR may already hold other files "
        "(a fresh git clone, say); briefgen init never replaces one.",
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="the folder to set up; created when missing")
    init.add_argument(
        "--install-from",
        type=_install_spec,
        default=default_spec(),
        metavar="SPEC",
        help=f"what the workflow installs briefgen from (default: {default_spec().requirement}, this version, from "
        "PyPI): briefgen==X.Y.Z, a git address pinned to a tag or commit (git+https://github.com/ORG/briefgen@vX.Y.Z) "
        "or the path of a briefgen wheel in the archive's repository (vendor/briefgen-X.Y.Z-py3-none-any.whl)",
    )
    init.set_defaults(run=run_init)


def _install_spec(value: str) -> InstallSpec:
    try:
        return parse_spec(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _day(value: str) -> dt.date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (0 to 65535)")
    return int(value)


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path(), metavar="DIR", help="the site root (default: the current folder)"
    )


def print_problems(problems: Sequence[Problem]) -> None:
    """Every problem, but those of one kind in one file after the first few, which are counted."""
    for problem in summarised(problems):
        print(problem, file=sys.stderr)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def run_check(args: argparse.Namespace) -> int:
    root: Path = args.root
    try:
        archive, problems = load_archive(root, include_drafts=True)
        checked = len(archive.briefings)
    except ArchiveError as exc:
        problems, checked = exc.problems, exc.files_read
    print_problems(problems)  # every one, warnings too: with --strict they are what failed
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    strict = " (--strict: warnings fail the check)" if args.strict and warnings else ""
    print(f"checked {_count(checked, 'briefing')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}{strict}")
    return EXIT_PROBLEMS if errors or (warnings and args.strict) else EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    output: Path = args.output if args.output is not None else args.root / OUTPUT_DIR
    had_site = (output / MARKER).is_file()
    try:
        with build_progress() as progress:
            report = build_site(
                args.root,
                output=args.output,
                base_url=args.base_url,
                include_drafts=args.drafts,
                progress=progress,
                use_cache=not args.no_cache,
                search=not args.no_search,
            )
    except ArchiveError as exc:
        print_problems(exc.problems)
        kept = "the previous site was left as it was" if had_site else "no site was written"
        print(f"build failed: {_count(len(exc.errors), 'error')}; {kept}", file=sys.stderr)
        return EXIT_PROBLEMS
    print_problems(report.warnings)
    for notice in report.notices:
        print(f"warning: {notice}", file=sys.stderr)
    print(
        f"built {_count(report.briefings, 'briefing')}, {_count(report.pages, 'page')} "
        f"({report.rendered:,} rendered, {report.reused:,} reused; {_count(report.written, 'file')} written) "
        f"in {report.seconds:.1f} s"
    )
    return EXIT_OK


def run_help(
    args: argparse.Namespace,
    *,
    parser: argparse.ArgumentParser,
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> int:
    """`briefgen help format` prints the format (an installed briefgen has no docs/ folder to read)."""
    if args.topic is None:
        parser.print_help()
    elif args.topic == "format":
        print(format_document(), end="")
    elif args.topic in commands.choices:
        commands.choices[args.topic].print_help()
    else:
        print(f"briefgen help: no help on '{args.topic}': try 'format' or a command's name", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    path = new_briefing(args.root, source=args.source, title=args.title, day=args.date or dt.date.today())
    print(path)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from briefgen.serve import serve_site  # noqa: PLC0415 - its server and watcher, only when serving

    return serve_site(args.root, port=args.port, include_drafts=args.drafts, search=not args.no_search)


def run_init(args: argparse.Namespace) -> int:
    written = init_site(args.folder, args.install_from)
    print(f"set up a briefing archive in {args.folder}:")
    for path in written:
        print(f"  {path}")
    print(f"{PAGES_WORKFLOW} installs briefgen {origin(args.install_from, args.folder)}:")
    print(f"  {args.install_from.command}")
    print(
        "to install another briefgen, edit that line (its 'Install briefgen' step): README, Publishing on GitHub Pages"
    )
    print(
        f"next: cd {args.folder}, then 'briefgen serve' to preview it and "
        "'briefgen new --source example-desk --title \"...\"' to add a report;"
        f" push it to GitHub and {PAGES_WORKFLOW} publishes it (README: Publishing on GitHub Pages)."
    )
    return EXIT_OK
