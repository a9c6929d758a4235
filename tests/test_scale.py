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
