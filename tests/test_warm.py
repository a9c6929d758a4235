"""What `serve` keeps between its builds (pipeline.Warm) changes nothing in the site, from
tests/cases/warm_rebuilds.yaml."""
import json
import re
import shutil
from dataclasses import replace

import yaml

from conftest import cases, tree_digest
from dateline import cli, pipeline, render
from dateline.buildstate import StatementPack
from dateline.cache import Cache

STEPS = cases("warm_rebuilds.yaml")


def change(content, kind: str, fixes: dict, n: int, site, cache) -> None:
    """Make the change `kind` names, the overrides in `fixes` kept from step to step; ids come
    from the last build's timeline.json."""
    events = json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
    middle = events[len(events) // 2]
    articles = sorted((content / "articles").glob("*.md"))
    if kind == "cache removed":
        shutil.rmtree(cache)
    if kind in ("event title", "cache removed"):
        fixes["events"].setdefault(middle["id"], {})["title"] = f"Retitled in step {n}"
    elif kind == "event hidden":
        fixes["events"][events[0]["id"] if events[0] is not middle else events[1]["id"]] = {"hide": True}
    elif kind == "statement note":
        fixes["statements"][middle["statements"][0]["id"]] = {"note": "Checked by hand"}
    elif kind == "article text":
        articles[2].write_text(articles[2].read_text(encoding="utf-8") + "\nMore talks would follow on Friday.\n",
                               encoding="utf-8")
    elif kind == "article title":
        text = articles[3].read_text(encoding="utf-8")
        articles[3].write_text(re.sub(r"^title: .*$", "title: A headline an editor wrote", text, count=1, flags=re.M),
                               encoding="utf-8")
    elif kind == "article image":
        text = articles[1].read_text(encoding="utf-8")
        image = f"image: https://example.org/step-{n}.jpg"
        text = re.sub(r"^image: .*$", image, text, count=1, flags=re.M) if re.search(r"^image: ", text, re.M) \
            else text.replace("---\n", f"---\n{image}\n", 1)
        articles[1].write_text(text, encoding="utf-8")
    elif kind == "article removed":     # one that no override is about
        cited = {s["article"] for e in events if e["id"] in fixes["events"] for s in e["statements"]}
        next(a for a in reversed(articles) if a.stem not in cited).unlink()
    else:
        assert kind == "none"
    (content / "overrides.yaml").write_text(yaml.safe_dump(fixes), encoding="utf-8")


def test_builds_that_keep_the_last_one_give_the_site_a_build_from_scratch_gives(demo_content, tmp_path, monkeypatch):
    made = []
    build_events = pipeline.build_events
    monkeypatch.setattr(pipeline, "build_events", lambda *a, **k: made.append(1) or build_events(*a, **k))
    warm_site = tmp_path / "warm"
    args = cli.parser().parse_args(["build", "--content", str(demo_content), "--out", str(warm_site),
                                    "--cache", str(tmp_path / "cache"), "--jobs", "1"])
    warm, fixes = pipeline.Warm(), {"events": {}, "statements": {}}
    for n, step in enumerate(STEPS):
        if n:
            change(demo_content, step["change"], fixes, n, warm_site, tmp_path / "cache")
        made.clear()
        assert cli.run(args, "build", None, warm) == 0, step["step"]
        assert bool(made) == (step["events"] == "made"), step["step"]
        assert any(StatementPack(Cache(tmp_path / "cache")).shelf.stamps()), step["step"]
        scratch = tmp_path / f"scratch-{n}"
        assert cli.main(["build", "--content", str(demo_content), "--out", str(scratch), "--no-cache", "--jobs", "1"]) == 0
        assert tree_digest(warm_site) == tree_digest(scratch), step["step"]


def test_an_event_made_again_that_shows_the_same_keeps_its_digest(demo_content, monkeypatch):
    # after an article edit serve makes every event again: those that show the same are not
    # encoded again, and one that shows anything new is
    first, again = pipeline.run(demo_content), pipeline.run(demo_content)
    assert all(a is not b for a, b in zip(first.events, again.events))
    kept = {}
    digests = render.event_fingerprints(first, set(), kept)
    encoded = []
    digest = render.values_digest
    monkeypatch.setattr(render, "values_digest", lambda value: encoded.append(value) or digest(value))
    assert render.event_fingerprints(again, set(), kept) == digests and not encoded
    retitled = replace(again, events=(replace(again.events[0], title="Retitled"), *again.events[1:]))
    changed = render.event_fingerprints(retitled, set(), kept)
    assert len(encoded) == 1 and changed[again.events[0].id] != digests[again.events[0].id]
    assert {k: v for k, v in changed.items() if k != again.events[0].id} == \
        {k: v for k, v in digests.items() if k != again.events[0].id}
