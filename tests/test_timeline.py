"""The built demo timeline against the editor's expectations in tests/cases/seeds_gold.yaml."""
import json

import pytest

from conftest import cases
from test_seeds import body_of

GOLD = cases("seeds_gold.yaml")
PRECISION_OF_VALUE = {10: "day", 7: "month", 4: "year", 8: "week"}


@pytest.fixture(scope="module")
def timeline(demo_site):
    return json.loads((demo_site / "timeline.json").read_text(encoding="utf-8"))


def matching_events(timeline, entry):
    dates = {str(entry["date"])} | {str(d) for d in entry.get("accept", [])}
    return [e for e in timeline["events"]
            if e["value"] in dates and set(entry["sources"]) <= {s["article"] for s in e["statements"]}
            and any(m.lower() in s["text"].lower() for s in e["statements"] for m in entry["mentions"])]


@pytest.mark.parametrize("entry", GOLD["timeline"], ids=[f"{e['date']}:{e.get('id', '')}" for e in GOLD["timeline"]])
def test_entry_on_timeline(timeline, entry):
    found = matching_events(timeline, entry)
    assert found, f"no event on {entry['date']} citing {entry['sources']}"
    for e in found:
        assert e["precision"] == ("season" if "-WI" in e["value"] else PRECISION_OF_VALUE[len(e["value"])])


def test_distinct_events_stay_apart(timeline):
    by_id = {e["id"]: e for e in GOLD["timeline"] if "id" in e}
    for entry in by_id.values():
        for other in entry.get("distinct_from", []):
            mine = {e["id"] for e in matching_events(timeline, entry)}
            theirs = {e["id"] for e in matching_events(timeline, by_id[other])}
            # each must have an event of its own: one that the other does not need
            assert mine - theirs or theirs - mine, f"{entry['id']} and {other} share all their events"
            assert mine and theirs


def test_events_are_sorted_coarse_first(timeline):
    from dateline.temporal import PRECISIONS
    keys = [(e["start"], PRECISIONS.index(e["precision"])) for e in timeline["events"]]
    assert keys == sorted(keys)


def test_no_statement_on_a_wrong_date(timeline):
    for article_id, gold in GOLD["articles"].items():
        body, pos, spans = body_of(article_id), 0, []
        for e in gold["expressions"]:
            start = body.index(e["text"], pos)
            pos = start + len(e["text"])
            spans.append((start, pos, {str(e["value"])} | {str(v) for v in e.get("accept", [])}))
        for event in timeline["events"]:
            for s in event["statements"]:
                if s["article"] != article_id:
                    continue
                for start, end, accepted in spans:
                    if s["offsets"][0] < end and start < s["offsets"][1]:
                        assert s["value"] in accepted, (article_id, s["expression"], s["value"])


def test_drone_attack_shows_the_disagreement(timeline, demo_site):
    entry = next(e for e in GOLD["timeline"] if e.get("id") == "kyiv-drone-attack")
    event = next(e for e in matching_events(timeline, entry) if len(e["statements"]) > 2)
    drones = [d for d in event["disagreements"] if d["quantity"] == "drone"]
    assert drones, event["disagreements"]
    claims = {c["article"]: c["amount"] for c in drones[0]["claims"]}
    assert {"19fortyfive-kamikaze-drones-hit-kyiv", "bloomberg-drones-kyiv-putin-belarus",
            "dhaka-times-putin-leaves-for-belarus"} <= set(claims)
    assert len(set(claims.values())) == len(claims)
    page = (demo_site / "index.html").read_text(encoding="utf-8")
    section = page[page.index(f'id="{event["id"]}"'):]
    section = section[:section.index("</article>")]
    assert "Sources differ" in section
    note = section[section.index("Sources differ"):section.index("</aside>")]
    for c in drones[0]["claims"]:      # each wording once, citing the sentences that give it
        assert note.count(f"“{c['text']}”") == 1
        assert f'href="articles/{c["article"]}.html#{c["statement"]}"' in note


def test_key_events_are_the_leading_event_of_the_salient_dates():
    from types import SimpleNamespace as E

    from dateline.render import key_event_ids
    # two busy dates, each with its most reported event and a stray sentence; ten quiet dates
    events = [E(id="lead-1", value="2009-06", salience=4.6, sources=("a",)),
              E(id="stray-1", value="2009-06", salience=4.0, sources=("b",)),
              E(id="lead-2", value="2011-11-07", salience=3.9, sources=("c",)),
              E(id="stray-2", value="2011-11-07", salience=3.4, sources=("d",)),
              E(id="shared", value="2010-02-08", salience=0.5, sources=("a", "b"))]
    events += [E(id=f"quiet-{i}", value=f"2010-01-{i + 10}", salience=1.0, sources=("e",)) for i in range(10)]
    key = key_event_ids(events)
    assert {"lead-1", "lead-2", "shared"} <= key
    assert not key & {"stray-1", "stray-2"}
    # the cut falls among the ten quiet dates, all alike: none of them is picked by its id
    assert not any(k.startswith("quiet") for k in key)
    # when nothing stands out at all, the most salient fifth is still shown
    alike = [E(id=f"d-{i}", value=f"2010-01-{i + 10}", salience=1.0, sources=("e",)) for i in range(10)]
    assert len(key_event_ids(alike)) == 2
