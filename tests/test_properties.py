"""Properties of the temporal engine that must hold for any input (hypothesis)."""
import datetime as dt
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.temporal import EARLIEST_YEAR, LATEST_YEAR, period_of, tag

DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
# every publication date tag() accepts, edges included
ANY_DATES = st.dates(min_value=dt.date(EARLIEST_YEAR, 1, 1), max_value=dt.date(LATEST_YEAR, 12, 31)) \
    | st.sampled_from([dt.date(EARLIEST_YEAR, 1, 1), dt.date(LATEST_YEAR, 12, 31)])
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September",
          "October", "November", "December"]
PAST_CLAUSES = ["The talks ended on {}.", "Officials said the strike came on {}.",
                "It rained heavily {}, residents said.", "The minister resigned on {} after the vote."]


@settings(max_examples=300, deadline=None)
@given(text=st.text(), dct=ANY_DATES)
def test_tag_never_raises_and_offsets_index_the_text(text, dct):
    for t in tag(text, dct):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(["on", "Monday", "in", "March", "2021", "last", "next", "week",
                                       "ago", "three", "years", "the", "since", "Oct.", "10", ",", "morning",
                                       "early", "mid-2021", "1990s", "will", "said", "summer",
                                       "9999", "quarters", "earlier", "centuries", "winter", "0600"]), max_size=12),
       dct=ANY_DATES)
def test_tag_never_raises_on_temporal_word_salad(words, dct):
    text = " ".join(words)
    for t in tag(text, dct):
        assert text[t.start:t.end] == t.text


@settings(max_examples=200, deadline=None)
@given(dct=DATES, weekday=st.sampled_from(WEEKDAYS), clause=st.sampled_from(PAST_CLAUSES))
def test_past_tense_weekday_is_within_the_week_ending_on_publication(dct, weekday, clause):
    text = clause.format(weekday)
    found = [t for t in tag(text, dct) if t.text.endswith(weekday)]
    assert found, text
    day = dt.date.fromisoformat(found[0].value[:10])
    assert day.strftime("%A") == weekday
    assert 0 <= (dct - day).days < 7


@settings(max_examples=200, deadline=None)
@given(dct=DATES, month=st.sampled_from(MONTHS), lead=st.sampled_from(["in", "since", "early", "late", "by"]))
def test_month_level_expression_is_never_a_day(dct, month, lead):
    found = [t for t in tag(f"Prices rose {lead} {month} and fell later.", dct) if month in t.text]
    assert found
    for t in found:
        period = period_of(t.value)
        assert period and period.precision == "month"


class AbsurdClock(dt.date):
    @classmethod
    def today(cls):
        raise AssertionError("the engine read the clock")


class AbsurdDatetime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        raise AssertionError("the engine read the clock")

    @classmethod
    def today(cls):
        raise AssertionError("the engine read the clock")


@settings(max_examples=50, deadline=None)
@given(dct=DATES, phrase=st.sampled_from(["on Monday", "next year", "a year ago", "in March",
                                          "later this week", "yesterday", "the upcoming winter"]))
def test_resolution_never_depends_on_the_clock(monkeypatch_session, dct, phrase):
    text = f"The report, published today, says it happens {phrase}."
    expected = [(t.start, t.value) for t in tag(text, dct)]
    with monkeypatch_session.context() as m:
        m.setattr(dt, "date", AbsurdClock)
        m.setattr(dt, "datetime", AbsurdDatetime)
        m.setattr(time, "time", lambda: 4_102_444_800.0 * 3)     # the year 2370
        m.setattr(time, "localtime", lambda *a: time.gmtime(0))
        assert [(t.start, t.value) for t in tag(text, dct)] == expected


SALAD_WORDS = ["on", "Monday", "in", "March", "2021", "last", "next", "week", "ago", "three", "years",
               "the", "since", "Oct.", "10", "morning", "early", "mid-2021", "1990s", "will", "said",
               "summer", "quarter", "Q3", "FY2019", "12/05/2003", "14:30", "GMT", "0600", "p.m.", "5",
               "earlier", "later", "from", "now", "to", "until", "a", "day", "of", "Sunday", "Times"]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(SALAD_WORDS), max_size=16),
       gaps=st.lists(st.sampled_from([" ", " ", " ", ", ", "\n\n", "   ", " - ", ". ", " " * 12, "\n" + " " * 30 + "\n"]),
                     min_size=16, max_size=16))
def test_finding_near_triggers_finds_what_scanning_everywhere_finds(words, gaps):
    from conftest import found_scanning_everywhere, mentions
    from dateline.temporal.grammar import load
    grammar = load("en")
    text = "".join(w + g for w, g in zip(words, gaps))
    assert mentions(text, grammar) == found_scanning_everywhere(text, grammar)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab \n", max_size=80))
def test_squeezed_positions_count_long_runs_short_and_map_back(text):
    """Finding measures a rule's reach with each long run of white space counted as
    UNBOUNDED_RUN characters; the way back to the text must find the widest stretch."""
    from dateline.temporal.finder import _Squeeze
    from dateline.temporal.grammar import LONG_SPACE, UNBOUNDED_RUN
    runs = [m.span() for m in LONG_SPACE.finditer(text)]
    squeeze = _Squeeze(runs)
    places = [squeeze.squeezed(at) for at in range(len(text) + 1)]
    assert all(a <= b <= a + 1 for a, b in zip(places, places[1:]))
    for a, b in runs:
        assert places[b] - places[a] == UNBOUNDED_RUN
    assert places[-1] == len(text) - sum(b - a - UNBOUNDED_RUN for a, b in runs)
    for target in range(places[-1] + 1):
        assert squeeze.first_at_or_after(target) == next((at for at, p in enumerate(places) if p >= target))
        assert squeeze.last_at_or_before(target) == max(at for at, p in enumerate(places) if p <= target)
