"""python -m dateline.evaluate: one table over several corpora, with pooled and mean rows."""
import json

from dateline.evaluate import main

TEXT = "The talks ended on Monday."
AT = TEXT.index("Monday")


def corpus(path, value):
    doc = {"id": "a", "dct": "2022-12-20", "text": TEXT,
           "timexes": [{"start": AT, "end": AT + 6, "text": "Monday", "type": "DATE", "value": value}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    return str(path)


def test_several_corpora_make_one_table(tmp_path, capsys):
    right = corpus(tmp_path / "news" / "dev.jsonl", "2022-12-19")
    wrong = corpus(tmp_path / "other" / "dev.jsonl", "2022-12-26")   # the same id: kept apart
    assert main([right, wrong]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["corpus", "docs", "gold", "found", "value"]
    value = {line.rsplit(None, 7)[0]: float(line.split()[-4]) for line in lines[1:]}
    assert value == {"news/dev": 100.0, "other/dev": 0.0, "all (pooled)": 50.0, "all (mean)": 50.0}


def test_an_unreadable_corpus_is_one_line(tmp_path, capsys):
    missing = str(tmp_path / "missing.jsonl")
    assert main([missing]) == 1
    assert capsys.readouterr().err.startswith(f"{missing}: cannot read corpus")
