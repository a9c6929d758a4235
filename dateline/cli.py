"""Command line: `python build.py [build|check|explain ID] [options]`.

Exit codes: 0 success, 1 content errors (one `path:line: message` line each on stderr),
2 usage errors.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import pipeline, render
from .cache import Cache
from .errors import ContentError, Problem
from .overrides import read_previous
from .parallel import unsettle
from .review import print_review

COMMANDS = ("build", "check", "explain", "review", "serve", "import")
DIRECTIONS = {-1: "past tense: the latest such date on or before publication",
              0: "no tense cue: read as past", 1: "future cue: the next such date after publication",
              2: "present tense: the nearer such date, either side"}
STATEMENT_ROLES = {"report": "tells what happened then, written within days of it",
                   "reference": "refers back to it from later; counts toward the date, titles nothing",
                   "plan": "a plan, schedule or forecast",
                   "background": "history or biography",
                   "furniture": "page furniture (dateline, credit, caption, blurb): makes no entry"}
EVENT_ROLES = {"report": "a happening of the story, told first-hand",
               "reference": "known only from later references",
               "plan": "planned or expected",
               "background": "no first-hand report, and over before the story began: shown apart"}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python build.py", description="Build a source-cited timeline site from news articles.")
    ap.add_argument("command", nargs="?", default="build", choices=COMMANDS,
                    help="build (default): write the site; check: validate, write nothing; explain ID: how a "
                         "statement or event got its date; review: the statements most likely to be wrong; "
                         "serve: build, serve on localhost, rebuild and reload on every change; "
                         "import SOURCE...: articles in from pages, URLs, feeds, WordPress exports "
                         "(python build.py import --help)")
    ap.add_argument("target", nargs="?", help="with explain: a statement or event id")
    ap.add_argument("--content", default="content", type=Path, help="the content folder (default: content)")
    ap.add_argument("--out", default="site", type=Path, help="the output folder (default: site)")
    ap.add_argument("--templates", type=Path, help="a folder of templates that override the built-in ones")
    ap.add_argument("--strict", action="store_true", help="treat warnings as errors")
    ap.add_argument("--keep-going", action="store_true", help="skip bad articles, build the rest, list what was skipped")
    ap.add_argument("--review", action="store_true", help="show statement and event ids on the site, with copy buttons")
    ap.add_argument("--cache", default=".dateline-cache", type=Path,
                    help="where extraction results are kept between builds (default .dateline-cache)")
    ap.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    ap.add_argument("--port", type=int, default=8000, help="with serve: the port on 127.0.0.1 (default 8000; 0 picks a free one)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="processes for extraction, clustering and rendering (default: the number of cores)")
    return ap


def input_digest(args) -> str:
    """A digest of everything a build reads: the content, the templates, dateline's own code and
    data, the options, and today's date (for the future-date warning)."""
    digest = hashlib.sha256(json.dumps([dt.date.today().isoformat(), args.review, args.keep_going,
                                        str(args.templates)]).encode())
    package = Path(__file__).resolve().parent
    roots = [args.content, render.DEFAULT_TEMPLATES, package] + ([args.templates] if args.templates else [])
    for root in roots:
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def report(problems, stream=sys.stderr) -> None:
    for p in problems:
        print(p, file=stream)


def explain(timeline: pipeline.Timeline, target: str) -> int:
    articles = {a.id: a for a in timeline.articles}
    renamed = [new for new, old in timeline.aliases.items() if target in old]
    if renamed:         # an old id that overrides.yaml still uses
        print(f"{target} is now {renamed[0]} (overrides.yaml found it again after an edit)")
        target = renamed[0]
    for e in timeline.events:
        if e.id == target:
            print(f"event {e.id}: {e.value} ({e.precision}), {len(e.statements)} statements from "
                  f"{counted(e.outlets, 'source')} ({counted(len(e.sources), 'article')}), salience {e.salience}")
            print(f"  title:      {e.title}")
            print(f"  role:       {e.role}: {EVENT_ROLES[e.role]}")
            if e.changed:
                print(f"  changed by {timeline.overrides.path}: {', '.join(e.changed)}")
            for s in e.statements:
                print(f"  {s.id}  {s.value:<12} {s.role:<10} {articles[s.article].source or s.article}: {s.sentence[:80]}")
            return 0
    in_event = {s.id: e.id for e in timeline.events for s in e.statements}
    for x in timeline.extractions.values():
        for s in x.statements:
            if s.id == target:
                explain_statement(timeline, articles[s.article], s, in_event.get(s.id))
                return 0
    print(f"{target}: no statement or event has this id (ids are listed in timeline.json)", file=sys.stderr)
    return 1


def explain_statement(timeline: pipeline.Timeline, a, s, event_id: str | None) -> None:
    print(f"statement {s.id} in {a.path}")
    print(f"  sentence:   {s.sentence}")
    print(f"  expression: {s.expression!r} (rule {s.rule})")
    print(f"  anchor:     {anchor_of(timeline, s, a)}")
    print(f"  tense:      {DIRECTIONS[s.direction]}")
    print(f"  value:      {s.original_value or s.value}  ->  {s.period_start} .. {s.period_end} ({s.precision})")
    print(f"  role:       {s.role}: {STATEMENT_ROLES[s.role]}")
    if s.changed:
        print(f"  override:   {timeline.overrides.path} changes {', '.join(s.changed)} -> {s.value}")
    print(f"  event:      {event_id or 'none (furniture and hidden statements make no entry)'}")


def anchor_of(timeline: pipeline.Timeline, s, article) -> str:
    """What the statement's date counts from: a date its article named before it, or the
    publication date."""
    extraction = timeline.extractions.get(s.article)
    timex = next((t for t in extraction.timexes if (t.start, t.end) == (s.start, s.end)), None) if extraction else None
    published = f"published {article.published.isoformat()} ({article.published:%A})"
    if timex and timex.anchor:
        return f"{timex.anchor}, the date the article told before it (it was {published})"
    return published


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:          # its own options: several sources, no build
        from .importer import main as import_main
        return import_main(argv[1:])
    args = parser().parse_args(argv)
    if args.command == "explain" and not args.target:
        parser().error("explain needs a statement or event id")
    if args.command != "explain" and args.target:
        parser().error(f"unexpected argument {args.target!r}")
    if not args.content.is_dir():
        print(f"{args.content}: no such content folder (give --content DIR)", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .serve import serve
        return serve(args, lambda: run(args, "build"))
    return run(args, args.command)


def run(args, command: str) -> int:
    """One command, with every error turned into `path:line: message` lines and an exit code."""
    try:
        return _run(args, command)
    except ContentError as e:
        report(e.problems)
        return 1
    except BrokenPipeError:          # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        print("interrupted: the previous site is untouched", file=sys.stderr)
        return 130
    except BrokenProcessPool:
        print("a worker process died (out of memory?): the previous site is untouched; "
              "try again with fewer --jobs", file=sys.stderr)
        return 1
    except OSError as e:
        report([Problem(e.filename or "?", 1, f"cannot read or write: {e.strerror}")])
        return 1
    finally:
        unsettle()


def _run(args, command: str) -> int:
    inputs = ""
    env = render.environment(args.templates) if command in ("build", "check") else None   # before the work
    if command == "build":
        render.recover(args.out)
        render.check_output_folder(args.out, args.content)
        inputs = input_digest(args)
        last = render.up_to_date(args.out, inputs)
        if last is not None:
            for line in last.get("warnings", []):
                print(line, file=sys.stderr)
            if args.strict and last.get("warnings"):
                print(f"{len(last['warnings'])} warning(s), and --strict makes them errors", file=sys.stderr)
                return 1
            print(f"{args.out}/ is up to date")
            return 0
    cache = Cache(None if args.no_cache else args.cache)
    timeline = pipeline.run(args.content, keep_going=args.keep_going, previous=lambda: read_previous(args.out / "timeline.json"),
                            today=dt.date.today(), cache=cache, jobs=max(1, args.jobs))
    report(timeline.problems)
    warnings = [p for p in timeline.problems if p.warning]
    if args.strict and warnings:
        print(f"{len(warnings)} warning(s), and --strict makes them errors", file=sys.stderr)
        return 1
    if command == "explain":
        return explain(timeline, args.target)
    if command == "review":
        return print_review(timeline)
    previous = {rel: record for rel, record in render.read_marker(args.out).get("files", {}).items()
                if (args.out / rel).is_file()} if command == "build" else {}
    files = render.render_pages(timeline, env, review=args.review, previous=previous,
                                jobs=max(1, args.jobs))
    if command == "check":
        for _ in files:     # render everything, so template errors show, but write nothing
            pass
        print(f"ok: {counted(len(timeline.articles), 'article')}, {counted(len(timeline.events), 'event')}, "
              f"{counted(len(warnings), 'warning')}")
        return 0
    render.write_site(files, args.out, inputs, [str(p) for p in warnings])
    skipped = [p for p in timeline.problems if not p.warning]
    print(f"built {args.out}/: {counted(len(timeline.articles), 'article')} ({timeline.cached} from the cache), "
          f"{counted(len(timeline.events), 'event')}"
          + (f", {len(skipped)} problem(s) skipped with --keep-going" if skipped else ""))
    return 0
