"""The quick path for plain articles gives exactly Markdown's HTML (hypothesis)."""
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dateline.markup import _converter, plain_paragraphs_html

# prose, and the characters and line starts that mean something to Markdown
PIECES = st.sampled_from(["Officials", "said", "on", "Monday", "1990", "3.", "12)", "11.00am", "4. ", "-", "+", "=",
                          "*", "_", "#", ">", "&", "&amp;", "&#169;", "&#x41;", "&copy;", "&A", ";", "<b>",
                          "[a](b)", "`x`", "!", "!”", "\\", "/", "(", "{", "'", '"', ",", ".", "  ", " ",
                          "\n", "\n\n", "\n \n", " \n", "\n ", "    ", "\t", "Oct. 10", "e-mail", "U.S.", "é",
                          "\u00a0", "|", "~", "BBC", "\\*", "\\_"])


@settings(max_examples=1000, deadline=None)
@given(pieces=st.lists(PIECES, max_size=30))
@example(pieces=["&", "#", "1990"])    # Markdown writes "&#1990;"
@example(pieces=["BBC", "_", "said", " ", "é", "_", "1990", "|", "~"])      # plain: see markup.NOT_PLAIN
@example(pieces=["\\*", "said", "\\_", "\n", "\\*", " ", "\\", "\\*", "\\_", "_"])
def test_plain_paragraphs_are_what_markdown_makes_of_them(pieces):
    text = "".join(pieces)
    quick = plain_paragraphs_html(text)
    if quick is not None:
        assert quick == _converter().reset().convert(text)


def test_plain_text_takes_the_quick_path_and_markup_does_not():
    assert plain_paragraphs_html("Strikes came on Monday.\n\nMore followed.") == \
        "<p>Strikes came on Monday.</p>\n<p>More followed.</p>"
    assert plain_paragraphs_html("# Heading\n\nText") is None
    assert plain_paragraphs_html("1990. A year") is None
    # an ampersand and a backslash before no Markdown character are still plain text
    text = "AT&T works 24\\/7, &copy; Q&A;\n\n11.00am: # 100,000 pledged"
    assert plain_paragraphs_html(text) == "<p>AT&amp;T works 24\\/7, &copy; Q&A;</p>\n" \
        "<p>11.00am: # 100,000 pledged</p>" \
        == _converter().reset().convert(text)
    # "\*" and "\_" are a literal "*" and "_", unless the backslash is itself escaped
    text = "Not \\*bold\\*, not \\_emphatic\\_\n\n\\* nor a list"
    assert plain_paragraphs_html(text) == "<p>Not *bold*, not _emphatic_</p>\n<p>* nor a list</p>" \
        == _converter().reset().convert(text)
    assert plain_paragraphs_html("Not \\\\*bold*") is None
    assert plain_paragraphs_html("Not \\*bold*") is None
    # "_" between letters is text, at a word's edge it may be emphasis
    text = "Write to BBC_WHYS | 22:29"
    assert plain_paragraphs_html(text) == "<p>Write to BBC_WHYS | 22:29</p>" == _converter().reset().convert(text)
    assert plain_paragraphs_html("An _emphatic_ word") is None
    assert plain_paragraphs_html("snake__case") is None
    assert plain_paragraphs_html("Markdown completes &#1990 with a semicolon") is None
