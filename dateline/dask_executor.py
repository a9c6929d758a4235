"""Extraction on Dask (an optional extra: requirements-dask.txt): a Dask bag over the paths of the
articles the cache lacks, each task reading its articles and extracting them. Results come back
to the building machine, which writes them into its cache; events and rendering stay here.

Only paths travel to the workers, so a million-article graph stays small; the workers must see
the content folder at the same path (the same checkout, or a shared file system) and run the
same dateline on the same Python. Both are checked: a worker that read another text, or runs
another version, fails the build with a message rather than filling the cache with entries
this machine would not have made.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

from .articles import Article, parse_article
from .cache import article_key, engine_fingerprint
from .statements import Extraction, extract

PARTITION = 50          # articles per task: large enough that scheduling costs little
CONNECT_TIMEOUT = 20    # seconds to reach a scheduler
SYNCHRONOUS = "synchronous"
LOCAL = "local"


class DaskProblem(Exception):
    """Dask is missing, the scheduler cannot be reached, or the workers differ from this machine."""


def available() -> bool:
    try:
        import dask.bag  # noqa: F401
        return True
    except ImportError:
        return False


def _task(article: Article) -> tuple:
    """What a worker needs to redo the loading of one article: its file, and what the build
    changed after loading (an override's publication date), with the key the result must have."""
    return (str(Path(article.path).resolve()), article.id, article.published.isoformat(), article_key(article))


def _extract_partition(tasks: list[tuple]) -> list[tuple]:
    """On a worker: (engine fingerprint, article key, extraction) for each task's article."""
    out = []
    for path, article_id, published, _ in tasks:
        article = parse_article(Path(path), article_id, path, warnings=[])    # the build reported them
        article = dataclasses.replace(article, published=dt.date.fromisoformat(published))
        out.append((engine_fingerprint(), article_key(article), extract(article)))
    return out


def extract_on_dask(articles: list[Article], scheduler: str, jobs: int) -> Iterator[Extraction]:
    """Each article's extraction, in the order Dask finishes them. `scheduler` is an address
    (tcp://host:8786), LOCAL for a cluster of `jobs` worker processes on this machine, or
    SYNCHRONOUS for Dask's in-process scheduler (for tests and debugging)."""
    if not available():
        raise DaskProblem("--executor dask needs Dask: pip install -r requirements-dask.txt")
    import dask.bag as db
    tasks = [_task(a) for a in articles]
    expected = {key: a for a, (*_, key) in zip(articles, tasks)}
    parts = db.from_sequence(tasks, partition_size=PARTITION).map_partitions(_extract_partition).to_delayed()
    for fingerprint, key, extraction in _compute(parts, scheduler, jobs):
        if fingerprint != engine_fingerprint():
            raise DaskProblem(f"the Dask workers at {scheduler} run another version of dateline or Python: "
                              "install this one on them")
        if key not in expected:
            raise DaskProblem(f"a Dask worker read another text for article '{extraction.article}': the workers must "
                              "see the content folder at the same path as this machine")
        yield extraction


def _compute(parts: list, scheduler: str, jobs: int) -> Iterator[tuple]:
    if scheduler == SYNCHRONOUS:
        for part in parts:
            yield from part.compute(scheduler=SYNCHRONOUS)
        return
    from distributed import Client, LocalCluster, as_completed
    cluster = None
    try:
        if scheduler == LOCAL:
            # loopback only, no dashboard: a build opens no port to the network
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster or scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        if cluster:
            cluster.close()
        raise DaskProblem(f"cannot reach the Dask scheduler at {scheduler} ({e}): start one, or check --scheduler")
    try:
        for future in as_completed(client.compute(parts)):
            try:
                results = future.result()
            except (RuntimeError, ImportError) as e:     # the graph or a task would not unpickle there
                raise DaskProblem(f"the Dask cluster at {scheduler} cannot run dateline ({str(e).splitlines()[0]}): "
                                  "start its scheduler and workers with this dateline importable (PYTHONPATH) "
                                  "and the same Python") from None
            yield from results
            future.release()
    finally:
        client.close()
        if cluster:
            cluster.close()
