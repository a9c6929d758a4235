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
import stat
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import dask_executor, pipeline, render
from .articles import MAX_ARTICLE_BYTES, SETTINGS_FILES, is_article_name
from .buildstate import SETTLED_NS, signature
from .cache import Cache
from .dask_executor import DaskProblem
from .errors import ContentError, Problem, escaped
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
    ap.add_argument("--executor", choices=("processes", "dask"), default="processes",
                    help="what runs extraction: processes on this machine (default), or dask: a Dask cluster of "
                         "--jobs workers on this machine (needs requirements-dask.txt)")
    ap.add_argument("--scheduler", metavar="ADDRESS",
                    help="run extraction on the existing Dask cluster at ADDRESS (tcp://host:8786); implies "
                         "--executor dask. 'synchronous' runs Dask's tasks one by one in this process")
    return ap


def build_inputs(args) -> str:
    """What the output's record is compared with to skip a build: the input digest, and the
    digest of each article file that was too fresh to go by its signature (content_digest). The
    last build's record stands if the digest is the same and so are those files' bytes."""
    digest, fresh = input_digest(args)
    recorded = render.read_state(args.out).get("inputs", "")
    head, _, rest = recorded.partition(" ")
    if head == digest:
        try:
            before = json.loads(rest)
        except ValueError:
            before = None
        if isinstance(before, dict) and all(_file_digest(args.content / rel) == sha for rel, sha in before.items()):
            return recorded
    return f"{digest} {json.dumps(fresh, sort_keys=True)}"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def input_digest(args) -> tuple[str, dict]:
    """A digest of everything a build reads: the content, the templates, dateline's own code and
    data, the options, and today's date (for the future-date warning); and the digests of the
    article files it could only go by the bytes of (content_digest)."""
    digest = hashlib.sha256(json.dumps([dt.date.today().isoformat(), args.review, args.keep_going,
                                        str(args.templates)]).encode())
    package = Path(__file__).resolve().parent
    fresh = content_digest(digest, args.content)
    roots = [render.DEFAULT_TEMPLATES, package] + ([args.templates] if args.templates else [])
    for root in roots:
        files = []
        for folder, subfolders, names in os.walk(root):     # os.walk, not Path.rglob: ten thousand files
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            rel = os.path.relpath(folder, root)
            files += [(os.path.normpath(os.path.join(rel, name)), os.path.join(folder, name)) for name in names]
        for rel, path in sorted(files, key=lambda f: f[0].split(os.sep)):
            if os.path.isfile(path):
                with open(path, "rb") as fh:
                    digest.update(os.fsencode(rel) + b"\0" + fh.read())
    return digest.hexdigest(), fresh


def content_digest(digest, content: Path) -> dict[str, str]:
    """Add the content folder as a build reads it: its settings, its articles, and of anything
    else only its name, kind, size and time (a huge file beside them, a pipe or a link to
    /dev/zero is never read here). Links are not followed into folders. An article counts by its
    stat signature (buildstate.py), as the article index does, so that a rebuild with nothing
    changed opens none of ten thousand articles. One changed a moment ago could change again
    within the same timestamp, unseen by its signature: the digests of such files' bytes are
    returned, by path, for build_inputs to check next time."""
    now, fresh = time.time_ns(), {}
    for here, dirs, names in os.walk(content):
        dirs.sort()
        folder = os.path.relpath(here, content)
        for name in sorted(dirs + names):
            path, rel = os.path.join(here, name), name if folder == "." else os.path.join(folder, name)  # strings, not Paths
            try:
                info = os.stat(path)
                readable = stat.S_ISREG(info.st_mode) and info.st_size <= MAX_ARTICLE_BYTES and \
                    (is_article_name(name) or name in SETTINGS_FILES)
                if readable and is_article_name(name):
                    data = repr(signature(info)).encode()
                    if now - info.st_mtime_ns < SETTLED_NS:
                        fresh[rel] = _file_digest(Path(path))
                else:
                    data = Path(path).read_bytes() if readable else \
                        repr((info.st_mode, info.st_size, info.st_mtime_ns)).encode()
            except (OSError, RuntimeError) as e:
                data = repr(e).encode()
            digest.update(os.fsencode(rel) + b"\0" + data)
    return fresh


def dask_scheduler(args) -> str | None:
    """Where extraction runs on Dask, if it does: an address, a local cluster, or in process."""
    if args.scheduler:
        return args.scheduler
    return dask_executor.LOCAL if args.executor == "dask" else None


def report(problems, stream=sys.stderr) -> None:
    for p in problems:
        print(p, file=stream)


def say(line: str) -> None:
    """Print a line of `explain`: article text may hold escape sequences or line breaks."""
    print(escaped(line))


def explain(timeline: pipeline.Timeline, target: str) -> int:
    articles = timeline.articles_by_id
    renamed = [new for new, old in timeline.aliases.items() if target in old]
    if renamed:         # an old id that overrides.yaml still uses
        say(f"{target} is now {renamed[0]} (overrides.yaml found it again after an edit)")
        target = renamed[0]
    for e in timeline.events:
        if e.id == target:
            say(f"event {e.id}: {e.value} ({e.precision}), {len(e.statements)} statements from "
                f"{counted(e.outlets, 'source')} ({counted(len(e.sources), 'article')}), salience {e.salience}")
            say(f"  title:      {e.title}")
            say(f"  role:       {e.role}: {EVENT_ROLES[e.role]}")
            if e.changed:
                say(f"  changed by {timeline.overrides.path}: {', '.join(e.changed)}")
            for s in e.statements:
                say(f"  {s.id}  {s.value:<12} {s.role:<10} {articles[s.article].source or s.article}: {s.sentence[:80]}")
            return 0
    in_event = {s.id: e.id for e in timeline.events for s in e.statements}
    for x in timeline.extractions.values():
        for s in x.statements:
            if s.id == target:
                explain_statement(timeline, articles[s.article], s, in_event.get(s.id))
                return 0
    print(f"{escaped(target)}: no statement or event has this id (ids are listed in timeline.json)", file=sys.stderr)
    return 1


def explain_statement(timeline: pipeline.Timeline, a, s, event_id: str | None) -> None:
    say(f"statement {s.id} in {a.path}")
    say(f"  sentence:   {s.sentence}")
    say(f"  expression: {s.expression!r} (rule {s.rule})")
    say(f"  anchor:     {anchor_of(timeline, s, a)}")
    say(f"  tense:      {DIRECTIONS[s.direction]}")
    say(f"  value:      {s.original_value or s.value}  ->  {s.period_start} .. {s.period_end} ({s.precision})")
    say(f"  role:       {s.role}: {STATEMENT_ROLES[s.role]}")
    if s.changed:
        say(f"  override:   {timeline.overrides.path} changes {', '.join(s.changed)} -> {s.value}")
    say(f"  event:      {event_id or 'none (furniture and hidden statements make no entry)'}")


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


def main(argv: list[str] | None = None, held: list | None = None) -> int:
    """`held`: a list each build's timeline is added to, for a caller that ends the process right
    after it (build.py): the system frees its millions of objects at once, not one by one."""
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
    if dask_scheduler(args) and not dask_executor.available():
        print("--executor dask and --scheduler need Dask: pip install -r requirements-dask.txt", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .serve import serve
        warm = pipeline.Warm()      # serve's builds take again what the last one made (pipeline.Warm)
        return serve(args, lambda errors: run(args, "build", errors, warm))
    return run(args, args.command, held=held)


def run(args, command: str, errors: list[str] | None = None, warm: pipeline.Warm | None = None,
        held: list | None = None) -> int:
    """One command, with every error turned into `path:line: message` lines and an exit code.
    The error lines are also added to `errors` when it is given (`serve` shows them in the page)."""
    def fail(lines, status: int = 1) -> int:
        lines = [str(line) for line in lines]
        for line in lines:
            print(line, file=sys.stderr)
        if errors is not None:
            errors.extend(lines)
        return status

    try:
        return _run(args, command, warm, held)
    except ContentError as e:
        return fail(e.problems)
    except BrokenPipeError:          # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        return fail(["interrupted: the previous site is untouched"], 130)
    except DaskProblem as e:
        return fail([str(e)], 2)
    except BrokenProcessPool:
        return fail(["a worker process died (out of memory?): the previous site is untouched; "
                     "try again with fewer --jobs"])
    except OSError as e:
        return fail([Problem(e.filename or str(args.out), 1, f"cannot read or write: {e.strerror or e}")])
    finally:
        unsettle()


def _run(args, command: str, warm: pipeline.Warm | None = None, held: list | None = None) -> int:
    if command != "build":
        return _make(args, command, held=held)
    render.check_output_folder(args.out, args.content)
    with render.output_lock(args.out, waiting=lambda: print(f"waiting for another build into {args.out}/ to finish",
                                                            file=sys.stderr, flush=True)):
        render.recover(args.out)
        render.check_output_folder(args.out, args.content)
        return _make(args, command, warm, held)


def _make(args, command: str, warm: pipeline.Warm | None = None, held: list | None = None) -> int:
    inputs = ""
    env = render.environment(args.templates) if command in ("build", "check") else None   # before the work
    if command == "build":
        inputs = build_inputs(args)
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
                            today=dt.date.today(), cache=cache, jobs=max(1, args.jobs),
                            dask=dask_scheduler(args), warm=warm)
    if held is not None:
        held.append(timeline)
    report(timeline.problems)
    warnings = [p for p in timeline.problems if p.warning]
    if args.strict and warnings:
        print(f"{len(warnings)} warning(s), and --strict makes them errors", file=sys.stderr)
        return 1
    if command == "explain":
        return explain(timeline, args.target)
    if command == "review":
        return print_review(timeline)
    previous = render.trusted_files(args.out) if command == "build" else {}
    files = render.render_pages(timeline, env, review=args.review, previous=previous,
                                jobs=max(1, args.jobs), cache=cache if command == "build" else None,
                                out=args.out if command == "build" else None,
                                kept_fingerprints=warm.fingerprints if warm else None)
    if command == "check":
        for _ in files:     # render everything, so template errors show, but write nothing
            pass
        print(f"ok: {counted(len(timeline.articles), 'article')}, {counted(len(timeline.events), 'event')}, "
              f"{counted(len(warnings), 'warning')}")
        return 0
    render.write_site(files, args.out, inputs, [str(p) for p in warnings], previous)
    skipped = [p for p in timeline.problems if not p.warning]
    print(f"built {args.out}/: {counted(len(timeline.articles), 'article')} ({timeline.cached} from the cache), "
          f"{counted(len(timeline.events), 'event')}"
          + (f", {len(skipped)} problem(s) skipped with --keep-going" if skipped else ""))
    return 0
