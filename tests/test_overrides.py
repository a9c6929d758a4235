"""Hand corrections: each kind takes effect, each mistake gets a file:line:col error."""
import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, cases, expect_lines, run_build, tree_digest

CASES = cases("overrides.yaml")
ERRORS = cases("override_errors.yaml")
PLACEHOLDER = re.compile(r"\{([se]):([^:{}]+):([^{}]+)\}")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """timeline.json of the demo built without overrides, to fill placeholders from."""
    out = tmp_path_factory.mktemp("plain") / "site"
    assert run_build("--content", ROOT / "content", "--out", out).returncode == 0
    return json.loads((out / "timeline.json").read_text(encoding="utf-8"))


def fill(text: str, timeline: dict) -> str:
    def one(m):
        kind, key, word = m.groups()
        for e in timeline["events"]:
            if kind == "e" and e["value"] == key and any(word in s["text"] for s in e["statements"]):
                return e["id"]
            for s in e["statements"]:
                if kind == "s" and s["article"] == key and s["expression"] == word:
                    return s["id"]
        raise AssertionError(f"no {kind} for {m.group()}")
    return PLACEHOLDER.sub(one, text)


def build_with(demo_content, tmp_path, overrides: str, *extra):
    (demo_content / "overrides.yaml").write_text(overrides, encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("--content", demo_content, "--out", out, *extra)
    return result, out


def statements_of(timeline):
    return {s["id"]: s for e in timeline["events"] for s in e["statements"]}


def check(expectation: dict, timeline: dict, plain: dict):
    events = {e["id"]: e for e in timeline["events"]}
    statements = statements_of(timeline)
    x = {k: fill(v, plain) if isinstance(v, str) else v for k, v in expectation.items()}
    if "statement" in x:
        s = statements[x["statement"]]
        for key in ("value", "note", "original_value", "role"):
            if key in x:
                assert s.get(key) == str(x[key]), (key, s)
        if "overridden" in x:
            assert s["overridden"] == x["overridden"]
    elif "statement_absent" in x:
        assert x["statement_absent"] not in statements
    elif "no_event_on" in x:
        assert all(e["value"] != str(x["no_event_on"]) for e in timeline["events"])
    elif "event" in x or "event_of" in x:
        e = events[x["event"]] if "event" in x else next(
            e for e in timeline["events"] if x["event_of"] in {s["id"] for s in e["statements"]})
        for key in ("title", "value", "precision", "tags", "overridden", "key", "role"):
            if key in x:
                assert e.get(key) == (str(x[key]) if key == "value" else x[key]), (key, e.get(key))
        if "disagreements" in x:
            assert len(e["disagreements"]) == x["disagreements"]
        if "has_statement" in x:
            assert x["has_statement"] in {s["id"] for s in e["statements"]}
        if "sources_include" in x:
            assert set(x["sources_include"]) <= set(e["sources"])
    elif "event_absent" in x:
        assert x["event_absent"] not in events
    elif "added_title" in x:
        added = [e for e in timeline["events"] if e["title"] == x["added_title"]]
        assert added and added[0]["value"] == str(x["value"]) and added[0]["overridden"] == ["added"]
    elif "article" in x:
        a = next(a for a in timeline["articles"] if a["id"] == x["article"])
        assert a["published"] == str(x["published"])
    elif "article_statement" in x:
        article, expression = x["article_statement"]
        values = [s["value"] for s in statements.values() if s["article"] == article and s["expression"] == expression]
        assert values == [str(x["value"])]
    elif "article_absent" in x:
        assert x["article_absent"] not in {a["id"] for a in timeline["articles"]}
    else:
        raise AssertionError(f"unknown expectation {expectation}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_override_takes_effect(case, demo_content, tmp_path, plain):
    result, out = build_with(demo_content, tmp_path, fill(case["overrides"], plain))
    assert result.returncode == 0, result.stderr
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    for expectation in case["expect"]:
        check(expectation, timeline, plain)
    page = (out / "index.html").read_text(encoding="utf-8")
    for text in case.get("page", []):
        assert text in page
    for text in case.get("page_lacks", []):
        assert text not in page
    # the page shows exactly what timeline.json says: the same events, the same statements
    assert set(re.findall(r'<li class="entry[^"]*" id="([^"]+)"', page)) == {e["id"] for e in timeline["events"]}
    assert set(re.findall(r'#(s-[0-9a-f]{12})"', page)) == set(statements_of(timeline))
    for e in timeline["events"]:
        label = re.search(rf'id="{re.escape(e["id"])}".*?<time datetime="([^"]+)"', page, re.S).group(1)
        assert label.startswith(e["start"][:4])


@pytest.mark.parametrize("case", ERRORS, ids=[c["name"] for c in ERRORS])
def test_override_error(case, demo_content, tmp_path, plain):
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    before = tree_digest(out)
    (demo_content / "overrides.yaml").write_text(fill(case["overrides"], plain), encoding="utf-8")
    result = run_build("--content", demo_content, "--out", out)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = expect_lines(case, result.stderr)
    assert len(lines) <= case.get("lines", len(lines)), lines
    assert tree_digest(out) == before


def test_override_of_an_edited_sentence_is_reanchored_not_dropped(demo_content, tmp_path, plain):
    target = fill("{s:dna-putin-visits-belarus:Friday}", plain)
    result, out = build_with(demo_content, tmp_path, f"statements:\n  {target}:\n    note: checked\n")
    assert result.returncode == 0
    article = demo_content / "articles" / "dna-putin-visits-belarus.md"
    article.write_text(article.read_text(encoding="utf-8").replace("70 missiles were fired", "76 missiles were fired"),
                       encoding="utf-8")
    again = run_build("--content", demo_content, "--out", out)
    assert again.returncode == 0
    moved = re.search(rf"overrides.yaml:2:3: warning: statement '{target}' was re-anchored by its quote to "
                      r"'(s-[0-9a-f]{12})' in 'dna-putin-visits-belarus' \(\"Following one of Russia's", again.stderr)
    assert moved, again.stderr
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    assert statements_of(timeline)[moved.group(1)]["note"] == "checked"
    strict = run_build("--content", demo_content, "--out", out, "--strict")
    assert strict.returncode == 1


def test_a_quote_found_among_many_alike_sentences_lands_on_the_same_one_in_every_process(tmp_path):
    # 150 copies of one article hold the quoted sentence alike: which one the override lands
    # on must not follow the hash seed, which orders sets differently in each process
    source = (ROOT / "content" / "articles" / "dna-putin-visits-belarus.md").read_text(encoding="utf-8")
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for k in range(150):
        text = re.sub(r"^published:\s*(\S+)", lambda m: "published: " + str(
            dt.date.fromisoformat(m.group(1)[:10]) - dt.timedelta(days=53 * k)), source, count=1, flags=re.M)
        (content / "articles" / f"copy-{k:03d}.md").write_text(text, encoding="utf-8")
    sentence = next(line for line in source.splitlines() if line.startswith("Vladimir Putin, president of Russia,"))
    (content / "overrides.yaml").write_text(
        "statements:\n  s-000000000000:\n    article: gone\n"
        f"    quote: {json.dumps(sentence)}\n    expression: Monday\n    hide: true\n", encoding="utf-8")
    digests = []
    for seed in ("1", "2", "3", "4"):
        out = tmp_path / f"site-{seed}"
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                                 "--no-cache", "--jobs", "1"], capture_output=True, text=True, timeout=300,
                                env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=seed))
        assert result.returncode == 0, result.stderr
        assert "re-anchored" in result.stderr, result.stderr
        digests.append(tree_digest(out))
    assert digests[1:] == digests[:1] * 3


def test_readme_example_overrides(demo_content, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Corrections"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    result, out = build_with(demo_content, tmp_path, example)
    assert result.returncode == 0, result.stderr
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    changed = [e for e in timeline["events"] if e.get("overridden")] + \
              [s for s in statements_of(timeline).values() if s.get("overridden")]
    assert len(changed) >= 3


def test_overrides_survive_unrelated_edits(demo_content, tmp_path, plain):
    overrides = fill("""statements:
  {s:dna-putin-visits-belarus:Friday}:
    note: "Checked"
events:
  {e:2022-12-19:drone}:
    title: "Drone attack on Kyiv"
""", plain)
    result, out = build_with(demo_content, tmp_path, overrides)
    assert result.returncode == 0, result.stderr
    (demo_content / "articles" / "late-report.md").write_text(
        "---\ntitle: Late\npublished: 2022-12-22\n---\nThe grid was repaired on Wednesday, officials said.\n")
    bloomberg = demo_content / "articles" / "bloomberg-drones-kyiv-putin-belarus.md"
    bloomberg.write_text(bloomberg.read_text(encoding="utf-8").replace("Lukashenko greeted Putin", "Lukashenko met Putin"),
                         encoding="utf-8")
    again = run_build("--content", demo_content, "--out", out, "--strict")
    assert again.returncode == 0, again.stderr
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    friday = statements_of(timeline)[fill("{s:dna-putin-visits-belarus:Friday}", plain)]
    assert friday["note"] == "Checked"
    assert any(e["title"] == "Drone attack on Kyiv" for e in timeline["events"])


# ---------------------------------------------------------------- overrides across edits

EDITS = cases("override_edits.yaml")
BY_TEXT = re.compile(r"\{([SE]):([^{}]+)\}")
ANCHOR_LINE = re.compile(r"^( *)\{(anchor|members):([^{}]+)\}$", re.M)


def by_text(timeline: dict, text: str, article: str | None = None) -> tuple[dict, dict]:
    """(event, statement) of the one statement whose sentence contains `text` (`TEXT|EXPRESSION`
    where the sentence holds more than one)."""
    text, _, expression = text.partition("|")
    found = [(e, s) for e in timeline["events"] for s in e["statements"]
             if text in s["text"] and expression in ("", s["expression"]) and article in (None, s["article"])]
    assert len(found) == 1, (text, [s["id"] for _, s in found])
    return found[0]


def fill_by_text(text: str, timeline: dict) -> str:
    def lines(m):
        indent, kind, fragment = m.groups()
        event, s = by_text(timeline, fragment)
        if kind == "members":
            return f"{indent}members: [{', '.join(x['id'] for x in event['statements'])}]"
        return "\n".join(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in
                         (("article", s["article"]), ("quote", s["text"]), ("expression", s["expression"])))
    text = ANCHOR_LINE.sub(lines, text)
    return BY_TEXT.sub(lambda m: by_text(timeline, m.group(2))[0 if m.group(1) == "E" else 1]["id"], text)


def edit(content, step, plain):
    if step == "build":
        return
    kind, arg = next(iter(step.items()))
    if kind == "overrides":
        (content / "overrides.yaml").write_text(fill_by_text(arg, plain), encoding="utf-8")
    elif kind == "replace":
        path = content / "articles" / f"{arg[0]}.md"
        text = path.read_text(encoding="utf-8")
        assert arg[1] in text, arg
        path.write_text(text.replace(arg[1], arg[2]), encoding="utf-8")
    elif kind == "remove":
        (content / "articles" / f"{arg}.md").unlink()
    elif kind == "copy":        # copies named to come first among articles published the same day
        for article in arg:
            n = len(list((content / "articles").glob("aa-*")))
            (content / "articles" / f"aa-{n}-{article}.md").write_bytes(
                (content / "articles" / f"{article}.md").read_bytes())
    else:
        raise AssertionError(step)


def check_after_edit(expectation: dict, timeline: dict):
    kind, text = next(iter(expectation.items()))
    if kind == "statement":
        _, s = by_text(timeline, text, expectation.get("in"))
        for key in ("value", "note"):
            if key in expectation:
                assert s.get(key) == str(expectation[key]), (key, s)
    elif kind == "event":
        candidates = [e for e in timeline["events"] if any(text in s["text"] for s in e["statements"])]
        assert len(candidates) == 1, [e["id"] for e in candidates]
        e = candidates[0]
        for key in ("title", "tags"):
            if key in expectation:
                assert e.get(key) == expectation[key], (key, e.get(key))
        for other in expectation.get("with", []):
            assert any(other in s["text"] for s in e["statements"]), other
        for other in expectation.get("without", []):
            assert not any(other in s["text"] for s in e["statements"]), other
    elif kind == "no_statement":
        assert not any(text in s["text"] for e in timeline["events"] for s in e["statements"])
    else:
        raise AssertionError(f"unknown expectation {expectation}")


@pytest.mark.parametrize("case", EDITS, ids=[c["name"] for c in EDITS])
def test_overrides_survive_edits(case, demo_content, tmp_path, plain):
    out = tmp_path / "site"
    (demo_content / "overrides.yaml").write_text(fill_by_text(case["overrides"], plain), encoding="utf-8")
    if not case.get("fresh_only"):
        first = run_build("--content", demo_content, "--out", out)
        assert first.returncode == 0, first.stderr
    for step in case["edit"]:
        edit(demo_content, step, plain)
        if step == "build" and not case.get("fresh_only"):
            again = run_build("--content", demo_content, "--out", out)
            assert again.returncode == 0, again.stderr
    outs = ([] if case.get("fresh_only") else [out]) + ([tmp_path / "fresh"] if case.get("fresh") or
                                                          case.get("fresh_only") else [])
    for target in outs:
        result = run_build("--content", demo_content, "--out", target)
        assert "Traceback" not in result.stderr
        assert result.returncode == case.get("rc", 0), result.stderr
        lines = result.stderr.strip().splitlines()
        for pattern in case.get("stderr", []):
            assert any(re.search(pattern, line) for line in lines), (pattern, lines)
        if result.returncode == 0:
            timeline = json.loads((target / "timeline.json").read_text(encoding="utf-8"))
            for expectation in case.get("expect", []):
                check_after_edit(expectation, timeline)
