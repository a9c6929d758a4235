"""How the build scales: the same site whatever runs it (one process, several, Dask), rebuilds
that redo only what changed, and the progress line."""
import datetime as dt
import io
import json
import os
import re
import shutil
import sys

import pytest

from conftest import ROOT, tree_digest
from dateline import cli, dask_executor, events, exports, render
from dateline.progress import Progress

COPIES = 6      # of the demo's five articles: enough that extraction is shared out too


@pytest.fixture
def corpus(tmp_path):
    """The demo articles, COPIES times over, each round moved 53 days earlier under new ids."""
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for round_ in range(COPIES):
        for source in sorted((ROOT / "content" / "articles").glob("*.md")):
            text = source.read_text(encoding="utf-8")
            text = re.sub(r"^published:\s*(\S+)", lambda m: "published: " + str(
                dt.date.fromisoformat(m.group(1)[:10]) - dt.timedelta(days=53 * round_)), text, count=1, flags=re.M)
            (articles / f"{source.stem}-r{round_}.md").write_text(text, encoding="utf-8")
    return tmp_path / "content"


def build(content, out, *options, cache=None):
    assert cli.main(["build", "--content", str(content), "--out", str(out),
                     *(["--cache", str(cache)] if cache else ["--no-cache"]), *options]) == 0


def test_one_process_several_and_dask_build_the_same_site(corpus, tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install -r requirements-dask.txt")
    monkeypatch.setattr(events, "PARALLEL_FROM", 1)     # share clustering and rendering out too
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    build(corpus, tmp_path / "one", "--jobs", "1")
    expected = tree_digest(tmp_path / "one")
    assert len(expected) > 4 * COPIES
    runs = {"two processes": ["--jobs", "2"],
            "dask, synchronous scheduler": ["--scheduler", "synchronous"],
            "dask, two-worker local cluster": ["--executor", "dask", "--jobs", "2"]}
    for name, options in runs.items():
        out = tmp_path / name.replace(" ", "-").replace(",", "")
        build(corpus, out, *options, cache=tmp_path / f"cache-{out.name}")
        assert tree_digest(out) == expected, name


def test_dask_results_fill_the_cache(corpus, tmp_path):
    pytest.importorskip("dask", reason="Dask is an optional extra: pip install -r requirements-dask.txt")
    build(corpus, tmp_path / "site", "--scheduler", "synchronous", cache=tmp_path / "cache")
    shutil.rmtree(tmp_path / "site")
    from dateline.articles import load_articles
    from dateline.cache import Cache
    articles, _ = load_articles(corpus)
    cache = Cache(tmp_path / "cache")
    assert all(cache.get(a) is not None for a in articles)


def test_a_dask_worker_that_reads_another_text_fails_the_build(corpus, tmp_path, monkeypatch, capsys):
    pytest.importorskip("dask", reason="Dask is an optional extra: pip install -r requirements-dask.txt")
    read = dask_executor.parse_article

    def read_an_older_copy(*args, **kwargs):
        article = read(*args, **kwargs)
        return article.__class__(**{**article.__dict__, "body": article.body + "\nAn older draft."})

    monkeypatch.setattr(dask_executor, "parse_article", read_an_older_copy)
    assert cli.main(["build", "--content", str(corpus), "--out", str(tmp_path / "site"), "--no-cache",
                     "--scheduler", "synchronous"]) == 2
    assert "must see the content folder at the same path" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_an_unreachable_scheduler_is_a_one_line_usage_error(corpus, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install -r requirements-dask.txt")
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 1)
    assert cli.main(["build", "--content", str(corpus), "--out", str(tmp_path / "site"), "--no-cache",
                     "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err and "\n" not in err


def test_without_dask_the_dask_options_say_what_to_install(corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dask_executor, "available", lambda: False)
    assert cli.main(["build", "--content", str(corpus), "--out", str(tmp_path / "site"),
                     "--executor", "dask"]) == 2
    assert "pip install -r requirements-dask.txt" in capsys.readouterr().err


def count_clustered_dates(monkeypatch) -> list:
    clustered = []
    cluster = events._cluster

    def counting(group, vectors, threshold):
        clustered.append(events.canonical_value(group[0].value))
        return cluster(group, vectors, threshold)

    monkeypatch.setattr(events, "_cluster", counting)
    return clustered


def test_a_rebuild_clusters_only_dates_that_changed_and_gives_the_site_a_cold_build_gives(corpus, tmp_path,
                                                                                          monkeypatch):
    clustered = count_clustered_dates(monkeypatch)
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    dates = len(set(clustered))
    assert dates > 10

    clustered.clear()       # an override of an event's title changes no statement
    first = re.search(r'"id": "(e-[^"]+)"', (tmp_path / "site" / "timeline.json").read_text()).group(1)
    (corpus / "overrides.yaml").write_text(f"events:\n  {first}:\n    title: Edited by hand\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert clustered == []

    clustered.clear()       # one article gains a sentence: its dates, and those its words reach
    article = sorted((corpus / "articles").glob("*.md"))[7]
    article.write_text(article.read_text(encoding="utf-8") + "\nOfficials said more talks would follow on "
                       "Friday.\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert 0 < len(clustered) < dates

    build(corpus, tmp_path / "cold", "--jobs", "1")
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "cold")


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_shows_the_time_left_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    screen, clock = Terminal(), Clock()
    progress = Progress("clustering", 400, stream=screen, clock=clock)
    clock.now += 10
    progress.step(100)           # a quarter in ten seconds: thirty to go
    assert screen.getvalue().split("\r")[-1].split()[:4] == ["clustering", "[#######.......................]",
                                                              "100/400", "30"]
    assert "30 s left" in screen.getvalue()
    clock.now += 80
    progress.step(300)
    assert screen.getvalue().endswith("\n") and "1:30 in all" in screen.getvalue()


def test_progress_is_silent_off_a_terminal_in_ci_and_for_quick_stages(monkeypatch):
    clock = Clock()
    monkeypatch.delenv("CI", raising=False)
    pipe = io.StringIO()
    Progress("rendering", 10, stream=pipe, clock=clock).step(10)
    quick = Terminal()
    progress = Progress("rendering", 10, stream=quick, clock=clock)
    clock.now += 0.1
    progress.step(5)
    progress.step(5)
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    progress = Progress("rendering", 10, stream=ci, clock=clock)
    clock.now += 10
    progress.step(5)
    assert pipe.getvalue() == quick.getvalue() == ci.getvalue() == ""


def test_a_bar_that_falls_short_of_its_total_is_finished_once(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    screen, clock = Terminal(), Clock()
    progress = Progress("titling", 10, stream=screen, clock=clock)
    clock.now += 5
    progress.step(4)             # events merged as they went: 4 of 10 statements counted
    progress.finish()
    progress.step(3)
    assert screen.getvalue().endswith("\n") and screen.getvalue().count("\n") == 1
    assert "10/10" in screen.getvalue().split("\r")[-1]


def test_every_long_stage_of_a_build_shows_a_bar_on_a_terminal(corpus, tmp_path, monkeypatch):
    from dateline import progress
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "FIRST_DRAW", 0)     # the demo's stages are over in a moment
    monkeypatch.setattr(progress, "REDRAW", 0)
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    build(corpus, tmp_path / "site", "--jobs", "2")
    lines = [line.split()[0] for line in screen.getvalue().replace("\r", "\n").splitlines() if line.strip()]
    for stage in ("reading", "extracting", "clustering", "titling", "assembling", "rendering"):
        assert stage in lines, stage


def test_a_rebuild_opens_no_unchanged_article_and_sees_every_change(corpus, tmp_path, monkeypatch):
    """The article index (by stat signature) and the statement pack: an override rebuild parses
    no article and reads no cache entry; an edit, even one that keeps the file's size, is read
    again; the site is the one a cold build gives."""
    from dateline import articles as articles_module
    from dateline.cache import Cache
    hour_ago = dt.datetime.now().timestamp() - 3600
    files = sorted((corpus / "articles").glob("*.md"))
    for f in files:     # settled files: one changed a moment ago is read again whatever its signature
        os.utime(f, (hour_ago, hour_ago))
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    parsed, entries = [], []
    parse, get = articles_module.parse_article, Cache.get
    monkeypatch.setattr(articles_module, "parse_article", lambda path, *a, **k: parsed.append(path) or parse(path, *a, **k))
    monkeypatch.setattr(Cache, "get", lambda self, article: entries.append(article.id) or get(self, article))

    first = re.search(r'"id": "(e-[^"]+)"', (tmp_path / "site" / "timeline.json").read_text()).group(1)
    (corpus / "overrides.yaml").write_text(f"events:\n  {first}:\n    title: Edited by hand\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert parsed == [] and entries == []

    text = files[3].read_text(encoding="utf-8")
    at = text.rindex("the")
    files[3].write_text(text[:at] + "THE" + text[at + 3:], encoding="utf-8")      # the same size
    os.utime(files[3], (hour_ago + 7, hour_ago + 7))
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert parsed == [files[3]]

    build(corpus, tmp_path / "cold", "--jobs", "1")
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "cold")


def test_a_change_within_the_same_timestamp_is_not_skipped(corpus, tmp_path, capsys):
    """The no-change check goes by the articles' stat signatures; a file changed a moment before
    the build could change again with the same size and time: its bytes are checked next time."""
    out = tmp_path / "site"
    build(corpus, out, "--jobs", "1")                     # the corpus was written a moment ago
    build(corpus, out, "--jobs", "1")
    assert "is up to date" in capsys.readouterr().out     # fresh, but unchanged
    article = sorted((corpus / "articles").glob("*.md"))[4]
    info = article.stat()
    text = article.read_text(encoding="utf-8")
    at = text.rindex("the")
    article.write_text(text[:at] + "THE" + text[at + 3:], encoding="utf-8")
    os.utime(article, ns=(info.st_atime_ns, info.st_mtime_ns))     # the same size, time and inode
    build(corpus, out, "--jobs", "1")
    assert "is up to date" not in capsys.readouterr().out
    build(corpus, tmp_path / "cold", "--jobs", "1")
    assert tree_digest(out) == tree_digest(tmp_path / "cold")


def statement(aid: str, k: int, value: str, role: str, words: tuple):
    from dateline.statements import Statement
    from dateline.temporal import period_of
    period = period_of(value)
    return Statement(id=f"{aid}-{k}", article=aid, sentence=f"Sentence {k} of {aid} about {' '.join(words[::2])}.",
                     context="", previous="", expression=value, start=0, end=1, value=value, type="DATE", mod=None,
                     period_start=period.start.isoformat(), period_end=period.end.isoformat(),
                     precision=period.precision, rule="test", direction=0, position=k, words=words, role=role)


def synthetic(seed: int, extra: int = 0, fresh: bool | None = None):
    """A small collection of articles and statements: reports of days and references to months
    and years, some articles copies of others a week later (as alike as candidates get, so that
    scores tie), and `extra` statements more (the idf levels of their words move). With `fresh`,
    the first statement's words are its own, and become other words of its own."""
    import random
    from itertools import chain
    from dateline.articles import Article
    rng = random.Random(seed)
    vocab = [f"word{i}" for i in range(30)]
    articles, statements = {}, []

    originals = []
    for a in range(24):
        aid = f"a{a:02d}"
        copy = a >= 16
        first = originals[a - 16] if copy else None
        published = first[0] + dt.timedelta(days=7) if copy else dt.date(2022, 1, 3) + dt.timedelta(days=rng.randrange(330))
        articles[aid] = Article(id=aid, path=f"{aid}.md", title=" ".join(rng.sample(vocab, 4)), published=published,
                                source=f"outlet{a % 5}", url="", author="", language="en", body=f"Body {a}.{' New.' * (a == 0 and bool(fresh))}",
                                body_line=5)    # statements are read from the body: a new statement, a new body
        rows = []
        for k in range(rng.randrange(3, 8)) if not copy else range(len(first[1])):
            if copy:
                value, role, words = first[1][k]
                if len(value) == 10:
                    value = (dt.date.fromisoformat(value) + dt.timedelta(days=7)).isoformat()
            else:
                coarse = rng.random() < 0.3
                value = rng.choice(["2022", f"2022-{rng.randrange(1, 13):02d}"]) if coarse else \
                    (published - dt.timedelta(days=rng.randrange(3))).isoformat()
                role = "reference" if coarse else "report"
                words = tuple(chain.from_iterable((w, rng.randrange(1, 4) * 100) for w in rng.sample(vocab, 5)))
            if fresh is not None and a == k == 0:
                words = tuple(chain.from_iterable((f"{'new' if fresh else 'old'}{i}", 100) for i in range(5)))
            rows.append((value, role, words))
            statements.append(statement(aid, k, value, role, words))
        originals.append((published, rows))
    for k in range(extra):
        aid = f"a{rng.randrange(16):02d}"
        articles[aid] = articles[aid].__class__(**{**articles[aid].__dict__, "body": articles[aid].body + f" More {k}."})
        words = tuple(chain.from_iterable((w, 200) for w in rng.sample(vocab, 5)))
        statements.append(statement(aid, 100 + k, articles[aid].published.isoformat(), "report", words))
    return statements, articles


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("change", ["statements added", "words of one statement"])
def test_events_kept_between_builds_are_the_events_a_cold_build_makes(seed, change, tmp_path, monkeypatch):
    """The plan, the folding of month and year references into days (compared again only
    against candidates that changed), each event as assembled, and the distinct titles and
    order: a build after another gives what a build with nothing kept gives."""
    from dateline.cache import Cache
    compared = []
    dot = events.dot
    monkeypatch.setattr(events, "dot", lambda a, b: compared.append(1) or dot(a, b))
    if change == "statements added":     # common words: most idf levels move, most is compared again
        (before, before_articles), (after, after_articles) = synthetic(seed), synthetic(seed, extra=2)
    else:                               # only one statement's own words move
        (before, before_articles), (after, after_articles) = synthetic(seed, fresh=False), synthetic(seed, fresh=True)
    cold = events.build_events(after, after_articles)
    cold_comparisons = len(compared)
    cache = Cache(tmp_path / "cache")
    events.build_events(before, before_articles, cache)
    compared.clear()
    assert events.build_events(after, after_articles, cache) == cold
    if change == "words of one statement":
        assert len(compared) < cold_comparisons / 2      # what did not change was not compared again
    compared.clear()
    assembled = []
    monkeypatch.setattr(events, "assemble", lambda *a, **k: assembled.append(1))
    assert events.build_events(after, after_articles, cache) == cold
    assert compared == [] and assembled == []


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("change", ["statements added", "statements removed", "words of one statement",
                                    "article retitled"])
def test_a_process_that_keeps_its_events_stage_makes_the_events_a_cold_build_makes(seed, change, tmp_path,
                                                                                     monkeypatch):
    """serve's EventsMemo: the next build is handed the very statements and articles that did not
    change (as serve's article index and statement pack hand them out); it updates the document
    frequencies by the statements that came and went, takes again the keys of dates and events
    made of the very same statements and articles, and each event as assembled whose key is the
    same. The events are a cold build's, with a cache or without; an article given a headline
    that titles an event is seen."""
    from dateline.cache import Cache
    from dateline.headlines import article_title
    if change == "statements added":
        (before, before_articles), (after, after_articles) = synthetic(seed), synthetic(seed, extra=2)
    elif change == "statements removed":
        (before, before_articles), (after, after_articles) = synthetic(seed, extra=2), synthetic(seed)
    elif change == "words of one statement":
        (before, before_articles), (after, after_articles) = synthetic(seed, fresh=False), synthetic(seed, fresh=True)
    else:   # a report on its article's day, its article now headlined with the report's words
        (before, before_articles), (after, after_articles) = synthetic(seed), synthetic(seed)
        lead = next(s for s in after if s.position == 0 and s.role == "report" and
                    s.value == after_articles[s.article].published.isoformat())
        headline = " ".join(lead.words[::2])
        after_articles[lead.article] = after_articles[lead.article].__class__(
            **{**after_articles[lead.article].__dict__, "title": headline})
    kept = {s.id: s for s in before}
    after = [kept[s.id] if kept.get(s.id) == s else s for s in after]
    after_articles = {a: before_articles[a] if before_articles.get(a) == x else x for a, x in after_articles.items()}
    cold = events.build_events(after, after_articles)
    if change == "article retitled":
        assert article_title(headline) in {e.title for e in cold}
    counted, keyed, read = [], [], []
    counts_for, group_key, from_row = events.Vectors.counts_for, events.group_key, events.AssembledEvents.event
    monkeypatch.setattr(events.Vectors, "counts_for", lambda self, s: counted.append(1) or counts_for(self, s))
    monkeypatch.setattr(events, "group_key", lambda *a: keyed.append(1) or group_key(*a))
    monkeypatch.setattr(events.AssembledEvents, "event", lambda self, row, by_id: (
        row is not None and read.append(1)) or from_row(self, row, by_id))
    for cache in (None, Cache(tmp_path / "cache")):
        memo = events.EventsMemo()
        events.build_events(before, before_articles, cache, memo=memo)
        keyed.clear(), counted.clear(), read.clear()
        assert events.build_events(after, after_articles, cache, memo=memo) == cold
        assert counted and 0 < len(keyed) < len(memo.keys["dates"]) + len(memo.keys["events"])
        assert not read         # an event whose key is the same is the one assembled last time


def test_the_same_statements_and_articles_again_take_the_last_events_whole(tmp_path, monkeypatch):
    """A build that reads what the last one read (stage_key: the code, every article, which
    statements there are and each field an override changed) takes the last build's events,
    titled and in order, without grouping statements by date again. A statement an override
    changed, one it hid and an article's new source are each seen, and give a cold build's events."""
    from dataclasses import replace
    from dateline.cache import Cache
    statements, articles = synthetic(0)
    cache = Cache(tmp_path / "cache")
    grouped = []
    by_date = events.by_date
    monkeypatch.setattr(events, "by_date", lambda *a: grouped.append(1) or by_date(*a))
    first = events.build_events(statements, articles, cache)
    grouped.clear()
    assert events.build_events(list(statements), dict(articles), cache) == first and not grouped
    variants = {
        "a statement's note": ([replace(s, note="Checked", changed=("note",)) if k == 3 else s
                                for k, s in enumerate(statements)], articles),
        "a statement hidden": (statements[:5] + statements[6:], articles),
        "an article's source": (statements, {**articles, "a01": replace(articles["a01"], source="another")}),
    }
    for name, (changed_statements, changed_articles) in variants.items():
        events.build_events(statements, articles, cache)        # each change from the first build
        grouped.clear()
        again = events.build_events(changed_statements, changed_articles, cache)
        assert grouped, name
        assert again == events.build_events(changed_statements, changed_articles), name


def test_a_rebuild_assembles_only_the_events_that_changed(corpus, tmp_path, monkeypatch):
    assembled = []
    assemble = events.assemble
    monkeypatch.setattr(events, "assemble", lambda *a, **k: assembled.append(a[0]) or assemble(*a, **k))
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    made = len(assembled)
    assert made > 20
    assembled.clear()
    first = re.search(r'"id": "(e-[^"]+)"', (tmp_path / "site" / "timeline.json").read_text()).group(1)
    (corpus / "overrides.yaml").write_text(f"events:\n  {first}:\n    title: Edited by hand\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert assembled == []
    article = sorted((corpus / "articles").glob("*.md"))[7]
    article.write_text(article.read_text(encoding="utf-8") + "\nOfficials said more talks would follow on "
                       "Friday.\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert 0 < len(assembled) < made / 2
    build(corpus, tmp_path / "cold", "--jobs", "1")
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "cold")


def test_plans_and_events_another_version_made_are_removed(corpus, tmp_path):
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    plans, assembled = sorted((cache / "events").iterdir()), sorted((cache / "assembled").iterdir())
    # the assembled events are in this build's shards (those that hold any: which do depends on
    # the keys' checksums, and so on the code's digest)
    assert len(plans) == 1 and assembled
    assert all(p.name.startswith(plans[0].name.removesuffix(".entry") + "-") for p in assembled)
    stale = [cache / "events" / ("0" * 64 + ".entry"), cache / "assembled" / ("0" * 64 + "-3.entry")]
    for path in stale:
        path.write_bytes(b"left by another version")
    (corpus / "overrides.yaml").write_text("articles: {}\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--jobs", "1", cache=cache)
    assert not any(path.exists() for path in stale)
    assert sorted((cache / "events").iterdir()) == plans and sorted((cache / "assembled").iterdir()) == assembled


def test_a_compiled_grammar_is_kept_sealed_and_comes_back_whole(tmp_path, monkeypatch):
    """The store gives back the grammar compiling gives (every field, patterns included), is
    read instead of compiling, and a damaged or forged copy is compiled again."""
    from dateline.cache import Cache
    from dateline.temporal import grammar
    store = Cache(tmp_path / "cache")
    monkeypatch.setattr(grammar, "_store", store)
    compiled = grammar.load.__wrapped__("en")
    kept = sorted((tmp_path / "cache" / "grammar").iterdir())
    assert [p.name.split("-")[0] for p in kept] == ["en"]
    compiling = []
    real = grammar._compile
    monkeypatch.setattr(grammar, "_compile", lambda *a: compiling.append(a) or real(*a))
    restored = grammar.load.__wrapped__("en")
    assert compiling == [] and restored == compiled
    assert grammar._plain(restored) == grammar._plain(compiled)      # lookup, numbers, triggers too
    assert [r.regex for r in restored.rules] == [r.regex for r in compiled.rules]
    header, payload = kept[0].read_bytes().split(b"\n", 1)
    kept[0].write_bytes(header + b"\n" + payload.replace(b"yesterday", b"yesterdax"))
    assert grammar.load.__wrapped__("en") == compiled and len(compiling) == 1
    (tmp_path / "cache" / "grammar" / "en-stale.entry").write_bytes(b"another version's")
    (tmp_path / "cache" / "grammar" / "fr-other.entry").write_bytes(b"another language's")
    kept[0].unlink()
    grammar.load.__wrapped__("en")
    assert sorted(p.name for p in (tmp_path / "cache" / "grammar").iterdir()) == [kept[0].name, "fr-other.entry"]


def test_a_reference_whose_best_match_changed_is_compared_with_every_candidate_again(tmp_path):
    """A month reference was folded into the report most like it; that report changes and is
    no longer the most like it: the next best, unchanged, takes it, as in a cold build."""
    from dateline.articles import Article
    from dateline.cache import Cache

    def collection(closest: tuple):
        said = {"a": ("2022-05-10", "report", closest), "b": ("2022-05-12", "report", ("alpha", 100, "beta", 100,
                                                                                      "bone", 100)),
                "c": ("2022-05", "reference", ("alpha", 100, "beta", 100))}
        said.update({f"f{i}": ("2022-08-0" + str(i + 1), "report", (f"filler{i}", 100, "alpha", 100, "beta", 100))
                     for i in range(3)})
        articles = {aid: Article(id=aid, path=f"{aid}.md", title=f"Title {aid}", published=dt.date(2022, 5, 10) +
                                 dt.timedelta(days=i * 9), source=aid, url="", author="", language="en",
                                 body=repr(said[aid]), body_line=5) for i, aid in enumerate(said)}
        return [statement(aid, 0, *said[aid]) for aid in said], articles

    def holder(timeline: list) -> str:
        return next(e.headline for e in timeline if "c-0" in {s.id for s in e.statements})

    before = collection(("alpha", 100, "beta", 100))
    after = collection(("alpha", 100, "beta", 100, "zeta", 100, "eta", 100, "theta", 100))
    assert holder(events.build_events(*before)) == "a-0"
    cold = events.build_events(*after)
    assert holder(cold) == "b-0"
    cache = Cache(tmp_path / "cache")
    events.build_events(*before, cache)
    assert events.build_events(*after, cache) == cold


def test_a_rebuild_renders_only_the_pages_and_export_entries_that_changed(corpus, tmp_path, monkeypatch):
    """On a timeline of many pages, an override re-renders the page of its entry and encodes
    only that entry again (the other lines of timeline.json and the other exports' entries are
    copied from the last files); an added entry re-renders its page and the front page, not every
    page (only the front page's navigation counts entries). Each site is the one a cold build gives,
    with one process or two."""
    monkeypatch.setattr(render, "PAGE_EVENTS", 4)
    monkeypatch.setattr(render, "NAV_FLAT", 3)
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)     # two processes render and splice the exports
    rendered, encoded, made = [], [], []
    page_parts, event_data, cut = render.story_and_background, render.event_data, exports.cut_at_word
    monkeypatch.setattr(render, "story_and_background", lambda events: rendered.append(events) or page_parts(events))
    monkeypatch.setattr(render, "event_data", lambda e, *a, **k: encoded.append(e.id) or event_data(e, *a, **k))
    monkeypatch.setattr(exports, "cut_at_word", lambda text, limit: made.append(text) or cut(text, limit))
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(corpus, site, "--jobs", "1", cache=cache)
    pages = len(list((site / "years").glob("*.html"))) + 1
    events = json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert pages > 20 and len(encoded) == len(events) > 60

    edited = []     # this override's entry, and the last one's, whose title is its own again
    for n, jobs in enumerate(("1", "2", "1")):
        rendered.clear(), encoded.clear(), made.clear()
        target = events[len(events) // 2 + n]
        edited = [target["id"], *edited[:1]]
        (corpus / "overrides.yaml").write_text(f"events:\n  {target['id']}:\n    title: Edited {n}\n",
                                               encoding="utf-8")
        build(corpus, site, "--jobs", jobs, cache=cache)
        if jobs == "1":     # with two, the counting happens in the workers
            assert sorted(encoded) == sorted(edited)
            assert len(made) <= 3 * len(edited)     # the feed's, the calendar's and TimelineJS's entries
            assert 1 <= len(rendered) <= 2 + len(edited)    # their pages, the front page and embed
        build(corpus, tmp_path / f"cold-{n}", "--jobs", "1")
        assert tree_digest(site) == tree_digest(tmp_path / f"cold-{n}")

    rendered.clear(), encoded.clear()
    article = sorted((corpus / "articles").glob("*.md"))[7]
    article.write_text(article.read_text(encoding="utf-8") + "\nOn 12 January 2021 the mayor opened a new bridge "
                       "over the river.\n", encoding="utf-8")
    build(corpus, site, "--jobs", "1", cache=cache)
    after = json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert len(after) == len(events) + 1
    assert len(list((site / "years").glob("*.html"))) + 1 == pages
    assert 3 <= len(rendered) <= pages // 4
    assert 1 <= len(encoded) <= len(after) // 10, len(encoded)
    build(corpus, tmp_path / "cold", "--jobs", "1")
    assert tree_digest(site) == tree_digest(tmp_path / "cold")


def test_a_page_made_again_renders_only_its_entries_that_changed(corpus, tmp_path, monkeypatch):
    """The front page and the embed hold every entry of a small timeline (hundreds on a large
    one's pages): made again for one entry, each renders that entry and takes the others as
    the last build rendered them. An entry renders again when an article it cites changes what
    a citation shows (its address here), and not otherwise. Each site is the one a cold build
    gives."""
    rendered = []
    part = render.FragmentStore.part
    monkeypatch.setattr(render.FragmentStore, "part", lambda self, values, caller: part(
        self, values, lambda: rendered.append(re.search(r'id="(e-[^"]+)"', html := caller()).group(1)) or html))
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(corpus, site, "--jobs", "1", cache=cache)
    events = json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert sorted(rendered) == sorted(2 * [e["id"] for e in events])     # the front page and the embed

    target = events[len(events) // 2]["id"]
    rendered.clear()
    (corpus / "overrides.yaml").write_text(f"events:\n  {target}:\n    title: Edited by hand\n", encoding="utf-8")
    build(corpus, site, "--jobs", "1", cache=cache)
    assert rendered == [target, target]
    build(corpus, tmp_path / "cold-1", "--jobs", "1")
    assert tree_digest(site) == tree_digest(tmp_path / "cold-1")

    article = sorted((corpus / "articles").glob("*.md"))[3]
    citing = sorted(e["id"] for e in events if article.stem in e["sources"])
    assert 0 < len(citing) < len(events) // 2
    rendered.clear()
    article.write_text(re.sub(r"^url: .*$", "url: https://example.org/moved", article.read_text(encoding="utf-8"),
                              count=1, flags=re.M), encoding="utf-8")
    build(corpus, site, "--jobs", "1", cache=cache)
    assert sorted(rendered) == sorted(2 * citing)
    build(corpus, tmp_path / "cold-2", "--jobs", "1")
    assert tree_digest(site) == tree_digest(tmp_path / "cold-2")


def test_a_dateline_that_shows_dates_labels_or_snippets_otherwise_renders_every_page_again(tmp_path, monkeypatch):
    # pages and export entries are kept under a digest of the code that writes them: it must
    # cover the code they call to label dates and roles and write override snippets too
    from dateline import cache
    copy = tmp_path / "dateline"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", copy)
    try:
        cache.package_digest.cache_clear()
        before = render.code_fingerprint()
        for name in ("temporal/periods.py", "overrides.py", "roles.py", "statements.py", "yamlio.py"):
            with (copy / name).open("a", encoding="utf-8") as fh:
                fh.write("\n# changed\n")
            cache.package_digest.cache_clear()
            assert render.code_fingerprint() != before, name
            before = render.code_fingerprint()
    finally:
        cache.package_digest.cache_clear()      # the next test digests the real package


def test_exports_are_copied_only_from_the_file_their_kept_index_describes(corpus, tmp_path):
    """The index of an export's entries in the cache is used only with the very file it was made
    with (by its digest, as the site's manifest records it): not with an export edited in the
    site by hand, nor once the site is gone."""
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(corpus, site, "--jobs", "1", cache=cache)
    first = re.search(r'"id": "(e-[^"]+)"', (site / "timeline.json").read_text()).group(1)

    def override(title):
        (corpus / "overrides.yaml").write_text(f"events:\n  {first}:\n    title: {title}\n", encoding="utf-8")

    def same_as_cold(name):
        build(corpus, tmp_path / name, "--jobs", "1")
        assert tree_digest(site) == tree_digest(tmp_path / name)

    feed = (site / "feed.xml").read_text(encoding="utf-8")
    (site / "feed.xml").write_text(feed.replace("<entry>", "<entry>  ", 1), encoding="utf-8")     # by hand
    override("Edited once")
    build(corpus, site, "--jobs", "1", cache=cache)
    same_as_cold("cold-1")
    shutil.rmtree(site)
    override("Edited twice")
    build(corpus, site, "--jobs", "1", cache=cache)
    same_as_cold("cold-2")


def test_a_rebuild_loads_compiled_templates_from_the_cache_and_compiles_an_edited_one(corpus, tmp_path,
                                                                                      monkeypatch):
    import jinja2
    compiled = []
    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or compile_(self, source, name, *a, **k))
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "article.html").write_text((ROOT / "templates" / "article.html").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "site", "--templates", str(templates), cache=cache)
    assert "index.html" in compiled and "article.html" in compiled
    compiled.clear()
    (corpus / "overrides.yaml").write_text("events: {}\n", encoding="utf-8")
    build(corpus, tmp_path / "site", "--templates", str(templates), cache=cache)
    assert compiled == []
    (templates / "article.html").write_text((templates / "article.html").read_text(encoding="utf-8")
                                            .replace("{% block main %}", "{% block main %}<p>Edited template</p>"), encoding="utf-8")
    build(corpus, tmp_path / "site", "--templates", str(templates), cache=cache)
    assert compiled == ["article.html"]
    article = next((tmp_path / "site" / "articles").glob("*.html")).read_text(encoding="utf-8")
    assert "Edited template" in article
