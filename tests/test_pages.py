"""How a large timeline is split into pages, and how those pages link to each other."""
import re

from dateline import render
from dateline.render import Page, navigation


def pages(*paths_and_sizes):
    return [Page("index.html", "Key events", "Key events", ())] + [
        Page(path, path[6:-5], path[6:-5], (None,) * n) for path, n in paths_and_sizes]


def test_a_few_pages_are_one_unlabelled_group(monkeypatch):
    monkeypatch.setattr(render, "NAV_FLAT", 5)
    groups = navigation(pages(("years/1998.html", 2), ("years/2009-06.html", 7)))
    assert groups == [("", 9, (("1998", "years/1998.html", 2), ("2009-06", "years/2009-06.html", 7)))]


def test_many_pages_fold_by_century_in_order(monkeypatch):
    monkeypatch.setattr(render, "NAV_FLAT", 2)
    groups = navigation(pages(("years/1881.html", 3), ("years/1899.html", 1), ("years/1999.html", 4),
                              ("years/2009-06.html", 7), ("years/2009-07.html", 5)))
    assert [(century, entries, len(links)) for century, entries, links in groups] == \
        [("1800s", 4, 2), ("1900s", 4, 1), ("2000s", 12, 2)]


def test_a_page_opens_the_century_it_is_in(paged_site):
    year_pages = sorted(str(p.relative_to(paged_site)) for p in (paged_site / "years").glob("*.html"))
    assert year_pages == [f"years/{y}.html" for y in (1881, 1899, 1999, 2009, 2021)]
    for path in year_pages:
        nav = re.search(r'<nav class="pages".*?</nav>', (paged_site / path).read_text(encoding="utf-8"), re.S).group()
        opened = re.findall(r'<details class="century" open>\s*<summary>(\d+s) ', nav)
        folded = re.findall(r'<details class="century">\s*<summary>(\d+s) ', nav)
        # its own century and the latest are open, the others folded
        assert set(opened) == {f"{path[6:8]}00s", "2000s"}, path
        assert set(folded) == {"1800s", "1900s", "2000s"} - set(opened), path
        own = re.search(rf'<summary>{path[6:8]}00s .*?</details>', nav, re.S).group()
        assert f'href="../{path}" aria-current="page"' in own
