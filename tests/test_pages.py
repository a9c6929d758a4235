"""How a large timeline is split into pages and how they link to each other; what pages carry
for sharing, embedding and reading (share tags, JSON-LD, the embed, the editor's lines, the legend,
the methodology note)."""
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

from conftest import ROOT, run_build
from dateline import render
from dateline.articles import Article, Site, titled
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
        opened = re.findall(r'<details class="century" open>\s*<summary>(\d+s)<', nav)
        folded = re.findall(r'<details class="century">\s*<summary>(\d+s)<', nav)
        # its own century and the latest are open, the others folded
        assert set(opened) == {f"{path[6:8]}00s", "2000s"}, path
        assert set(folded) == {"1800s", "1900s", "2000s"} - set(opened), path
        own = re.search(rf'<summary>{path[6:8]}00s<.*?</details>', nav, re.S).group()
        assert f'href="../{path}" aria-current="page"' in own


def test_only_the_front_page_counts_the_entries_of_each_page(paged_site):
    """A year page's links carry no counts, so that an entry added to one page changes that page
    and the front page, not every page; the front page counts each page and century."""
    def nav(path):
        return re.search(r'<nav class="pages".*?</nav>', (paged_site / path).read_text(encoding="utf-8"), re.S).group()
    front = nav("index.html")
    assert re.findall(r'<summary>(\d+s) <span class="n">(\d+)</span>', front) == \
        [("1800s", "2"), ("1900s", "1"), ("2000s", "2")]
    assert re.search(r'href="years/1881.html">1881 <span class="n">1</span>', front)
    for path in ("years/1881.html", "years/2021.html"):
        assert 'class="n"' not in nav(path) and 'href="../years/1999.html">1999</a>' in nav(path)


# ---------------------------------------------------------------- publishing: share, embed, read



class Head(HTMLParser):
    """A page's meta tags, canonical link, headings and JSON-LD."""

    def __init__(self, html: str):
        super().__init__()
        self.meta, self.links, self.headings, self.jsonld, self.base = {}, {}, [], [], None
        self._in_jsonld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a.get("name")] = a.get("content")
        if tag == "link":
            self.links[a.get("rel")] = a.get("href")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), a.get("class", "")))
        if tag == "base":
            self.base = a
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(json.loads(data))
            self._in_jsonld = False


def html_pages(site):
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


def test_every_page_has_share_tags(published_site, demo_site):
    for path in html_pages(published_site):
        head = Head((published_site / path).read_text(encoding="utf-8"))
        assert head.meta["og:title"] and head.meta["twitter:title"] == head.meta["og:title"], path
        assert head.meta["og:type"] == ("article" if path.startswith("articles/") else "website")
        assert head.meta["og:image"] == head.meta["twitter:image"] == "https://news.example.org/kyiv/static/site/share.png"
        assert head.meta["twitter:card"] == "summary_large_image"
        assert head.meta["og:image:alt"] == "A drone over Kyiv at night"
        canonical = "https://news.example.org/kyiv/" + ("index.html" if path == "embed.html" else path)
        if path.startswith("articles/"):      # a copy of another outlet's article is shared as the original
            canonical = json.loads((published_site / "timeline.json").read_text(encoding="utf-8"))["articles"]
            canonical = next(a["url"] for a in canonical if f"articles/{a['id']}.html" == path)
        assert head.meta["og:url"] == head.links["canonical"] == canonical, path
        assert (published_site / path).read_text(encoding="utf-8").count('rel="canonical"') == 1
    for path in html_pages(demo_site):       # with no base_url: no addresses of its own, a plain card
        head = Head((demo_site / path).read_text(encoding="utf-8"))
        own = not path.startswith("articles/")
        assert head.meta["og:title"] and ("og:url" not in head.meta and "canonical" not in head.links) == own
        assert head.meta["twitter:card"] == "summary" and not head.jsonld


def test_timeline_pages_carry_an_item_list_of_their_entries(published_site):
    page = (published_site / "index.html").read_text(encoding="utf-8")
    (data,) = Head(page).jsonld
    events = json.loads((published_site / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert data["@type"] == "ItemList" and data["numberOfItems"] == len(events)
    assert [i["position"] for i in data["itemListElement"]] == list(range(1, len(events) + 1))
    for item, e in zip(data["itemListElement"], events):
        assert item["url"] == f"https://news.example.org/kyiv/index.html#{e['id']}" and item["name"] == e["title"]
        assert f'id="{e["id"]}"' in page


def test_item_list_cannot_close_its_script():
    site = Site("T", "", "https://example.org/", "en")
    text = render.item_list(site, "index.html", [SimpleNamespace(id="e-1", title="</script><script>alert(1)")])
    assert "</" not in text and json.loads(text)["itemListElement"][0]["name"] == "</script><script>alert(1)"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def body_of(html: str) -> str:
    return text_of(html.split("<body", 1)[1])


def test_the_title_shows_once_with_the_editors_lines(published_site):
    page = (published_site / "index.html").read_text(encoding="utf-8")
    assert body_of(page).count("Drones over Kyiv and Moscow") == 1            # the heading, no masthead too
    assert 'Last updated <time datetime="2024-09-12">Thursday 12 September 2024</time>' in page
    assert re.search(r'class="corrections">.*On 12 September 2024 we moved', page)
    article = (published_site / "articles" / "dna-putin-visits-belarus.html").read_text(encoding="utf-8")
    assert '<p class="brand"><a href="../index.html">Drones over Kyiv and Moscow</a></p>' in article


def test_a_site_without_site_yaml_is_named_for_what_it_covers(tmp_path, demo_content):
    (demo_content / "site.yaml").unlink()
    assert run_build("--content", demo_content, "--out", tmp_path / "site").returncode == 0
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Timeline of 5 articles, December 2022 – September 2024</title>" in page
    one = Article("a", "a.md", "A", render.dt.date(2011, 8, 15), "", "", "", "en", "", 5)
    assert titled(Site("", "", "", "en"), [one]).title == "Timeline of 1 article, August 2011"
    assert titled(Site("Mine", "", "", "en"), [one]).title == "Mine"


def test_legend_explains_the_markers(demo_site):
    page = (demo_site / "index.html").read_text(encoding="utf-8")
    legend = re.search(r'<ul class="legend".*?</ul>', page, re.S).group()
    for marker in ("marker marker-key", 'marker"', "marker marker-period"):
        assert f'<span class="{marker}' in legend


def test_key_events_index_offers_no_all_events_view(paged_site):
    index = (paged_site / "index.html").read_text(encoding="utf-8")
    assert 'name="view"' not in index and 'data-noun="key events"' in index
    entries = index.count('<li class="entry')
    total = len(json.loads((paged_site / "timeline.json").read_text(encoding="utf-8"))["events"])
    assert f"The {entries} key events of {total} entries." in index
    year = (paged_site / "years" / "1999.html").read_text(encoding="utf-8")
    assert 'name="view" value="all" checked' in year and 'data-noun="entries"' in year


def test_methodology_note_says_what_the_build_did(published_site):
    page = (published_site / "index.html").read_text(encoding="utf-8")
    note = text_of(re.search(r'<section class="method".*?</section>', page, re.S).group())
    data = json.loads((published_site / "timeline.json").read_text(encoding="utf-8"))
    statements = [s for e in data["events"] for s in e["statements"]]
    in_full = sum(1 for s in statements if re.search(r"\d{4}|'\d\d\b", s["expression"]))
    assert "Built by dateline from 5 articles by 5 outlets (19FortyFive, Bloomberg, Dhaka Times, DNA India," in note
    assert f"Its {len(data['events'])} entries come from {len(statements)} dated statements." in note
    assert f"{in_full} named their year" in note and f"the other {len(statements) - in_full} " in note
    days = sum(1 for e in data["events"] if e["precision"] == "day")
    assert f"{days} entries are dated to the day" in note
    assert "An editor corrected 0 statements and 1 entry by hand, and added 0" in note    # the retitled October
    assert "<section class=\"method\"" not in (published_site / "embed.html").read_text(encoding="utf-8")


def test_embed_page_is_the_timeline_without_its_chrome(published_site, demo_site):
    for site, top in ((published_site, 3), (demo_site, 2)):
        embed = (site / "embed.html").read_text(encoding="utf-8")
        head = Head(embed)
        assert head.base == {"href": "index.html", "target": "_top"}      # every link opens in the top window
        for chrome in ('class="masthead"', 'class="colophon"', 'class="skip"', '<nav class="pages"'):
            assert chrome not in embed
        assert head.headings[0] == (top, "page-title") and min(level for level, _ in head.headings) == top
        assert {level for level, cls in head.headings if cls == "year-heading"} == {top + 1}
        index = (site / "index.html").read_text(encoding="utf-8")
        assert re.findall(r'<li class="entry[^>]* id="([^"]+)"', embed) == re.findall(r'<li class="entry[^>]* id="([^"]+)"', index)
        assert 'src="static/embed.js"' in embed and 'src="static/embed.js"' not in index


def test_entries_show_their_tags_as_links_to_the_filtered_view(published_site):
    page = (published_site / "index.html").read_text(encoding="utf-8")
    assert '<a class="tag" href="?tag=kyiv" data-tag="kyiv">kyiv</a> · <a class="tag" href="?tag=energy"' in page
    assert re.search(r'<select name="tag">\s*<option value="">All tags</option>\s*'
                     r'<option value="belarus">belarus</option><option value="energy">energy</option>'
                     r'<option value="kyiv">kyiv</option>', page)


def test_the_editors_guide_corrections_build_as_written(tmp_path, demo_content):
    """docs/editors-guide.md's overrides.yaml, pasted into the demo, builds under --strict and
    does what the guide says."""
    guide = (ROOT / "docs" / "editors-guide.md").read_text(encoding="utf-8")
    block = re.search(r"## 5\. Correct.*?```yaml\n(.*?)```", guide, re.S).group(1)
    (demo_content / "overrides.yaml").write_text(block, encoding="utf-8")
    result = run_build("--content", demo_content, "--out", tmp_path / "site", "--strict")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "site" / "timeline.json").read_text(encoding="utf-8"))
    october = next(e for e in data["events"] if e["id"] == "e-2022-10-93efe7")
    assert october["title"] == "Russian troops arrive in Belarus" and october["tags"] == ["belarus"]
    assert "e-2022-12-19-d5402d" not in {e["id"] for e in data["events"]}
    assert any(e["value"] == "2022-02-24" and e["title"] == "Russia invades Ukraine" for e in data["events"])
