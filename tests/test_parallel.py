"""Work shared out between processes gives exactly what one process gives."""
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from conftest import ROOT
from dateline import events, pipeline, render
from dateline.errors import ContentError, Problem
from dateline.parallel import fork_map


def test_results_come_back_in_the_order_of_the_items():
    assert list(fork_map(lambda n: n * n, range(100), jobs=2, chunksize=3)) == [n * n for n in range(100)]


def fail_on_seven(n):
    if n == 7:
        raise ContentError(Problem("templates/index.html", 3, "template error: unexpected '}'"))
    return n


def test_a_problem_found_in_a_worker_reaches_the_build_whole():
    with pytest.raises(ContentError) as raised:
        list(fork_map(fail_on_seven, range(20), jobs=2))
    assert [str(p) for p in raised.value.problems] == ["templates/index.html:3: template error: unexpected '}'"]


def die_on_three(n):
    if n == 3:
        os._exit(1)      # as the kernel's out-of-memory killer would end it
    return n


def test_a_worker_that_dies_fails_the_build_rather_than_hanging_it():
    with pytest.raises(BrokenProcessPool):
        list(fork_map(die_on_three, range(20), jobs=2, chunksize=1))


def test_events_and_pages_made_in_parallel_equal_those_made_in_one_process(monkeypatch):
    monkeypatch.setattr(events, "PARALLEL_FROM", 1)
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)

    def site(jobs):
        timeline = pipeline.run(ROOT / "content", jobs=jobs)
        return [(path, content) for path, content, *_ in
                render.render_pages(timeline, render.environment(None), jobs=jobs)]

    serial = site(1)
    assert len(serial) > 10
    assert site(2) == serial
