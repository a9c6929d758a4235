#!/usr/bin/env python3
"""Build speed and memory at scale.

    python bench/build_scale.py [--articles 10000] [--jobs N] [--work DIR] [--executor dask]

Makes a corpus of --articles articles from the development corpora (Timeline17 topics and the
demo), each copy with shifted publication dates and a new id. On it, and on each t17-dev topic,
it times: a cold build (empty cache), a rebuild with nothing changed, a rebuild after one
override is changed, and a rebuild after one article is edited; and the peak memory (RSS) of
any process of those builds. Then, in one process that keeps its last build as `serve` does,
three overrides changed one after another and three edits of one article (the median of
each). Prints one table; asserts nothing.
"""
import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora" / "t17-dev"
FRONT = re.compile(r"^published:\s*(\S+)\s*$", re.M)


def sources() -> list[Path]:
    files = sorted((ROOT / "content" / "articles").glob("*.md"))
    for topic in sorted(SHARED.glob("*/content/articles")):
        files += sorted(topic.glob("*.md"))
    return files


def make_corpus(target: Path, count: int) -> Path:
    """`count` articles: copies of the sources, the k-th round moved k * 53 days earlier."""
    articles = target / "articles"
    if articles.is_dir() and len(list(articles.iterdir())) == count:
        return target
    shutil.rmtree(target, ignore_errors=True)
    articles.mkdir(parents=True)
    pool = sources()
    for i in range(count):
        source = pool[i % len(pool)]
        shift = -dt.timedelta(days=53 * (i // len(pool)))   # back in time: no date in the future
        text = source.read_text(encoding="utf-8")
        text = FRONT.sub(lambda m: f"published: {dt.date.fromisoformat(m.group(1)[:10]) + shift}", text, count=1)
        (articles / f"{source.stem}-r{i // len(pool):03d}.md").write_text(text, encoding="utf-8")
    return target


def copy_topic(topic: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(topic, target)
    return target


def build(content: Path, out: Path, cache: Path, jobs: int, executor: str) -> tuple[float, float, float]:
    """Seconds, CPU seconds (user and system, of the build and every process it waited for), and
    the peak RSS in MB of any one of them."""
    start = time.perf_counter()
    options = ["--executor", executor] if executor != "processes" else []
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out",
                                    str(out), "--cache", str(cache), "--jobs", str(jobs), *options],
                                   stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"build failed on {content}:\n{err.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


SERVED = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from dateline import cli, pipeline
from dateline.parallel import rest
content, out, cache, jobs, target, article = sys.argv[2:8]
args = cli.parser().parse_args(["build", "--content", content, "--out", out, "--cache", cache, "--jobs", jobs])
warm, seconds = pipeline.Warm(), {"override": [], "article": []}


def timed(kind):
    start = time.perf_counter()
    assert cli.run(args, "build", None, warm) == 0
    seconds[kind].append(time.perf_counter() - start)
    rest()      # as serve does once the site is out


for n in range(4):
    (Path(content) / "overrides.yaml").write_text(f"events:\\n  {target}:\\n    title: Edited in serve {n}\\n")
    timed("override")
for n in range(3):
    with open(article, "a", encoding="utf-8") as f:
        f.write(f"\\nOfficials said talks round {n} would follow on Friday.\\n")
    timed("article")
seconds["override"].pop(0)      # the first keeps the build that the others start from
print(json.dumps(seconds))
"""


def served(content: Path, out: Path, cache: Path, jobs: int, target: str, article: Path) -> dict:
    """Seconds of three override rebuilds, then three article edits, in one process that keeps
    its last build (serve's)."""
    done = subprocess.run([sys.executable, "-c", SERVED, str(ROOT), str(content), str(out), str(cache), str(jobs),
                           target, str(article)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the serve-like rebuilds failed on {content}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def middle_event(path: Path) -> str:
    """The id of the middle event, read in a process of its own: decoding a large timeline.json
    here would raise this process's peak, which every build it starts inherits until its exec
    and reports as its own (ru_maxrss), so the smaller corpora measured after it would show it."""
    done = subprocess.run([sys.executable, "-c", "import json, sys; e = json.load(open(sys.argv[1]))['events']; "
                           "print(e[len(e) // 2]['id'])", str(path)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def measure(name: str, content: Path, work: Path, jobs: int, executor: str) -> tuple:
    out, cache = work / f"{name}-site", work / f"{name}-cache"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    (content / "overrides.yaml").unlink(missing_ok=True)
    articles = len(list((content / "articles").glob("*.md")))
    cold = build(content, out, cache, jobs, executor)
    same = build(content, out, cache, jobs, executor)
    target = middle_event(out / "timeline.json")
    (content / "overrides.yaml").write_text(f"events:\n  {target}:\n    title: Edited by hand\n", encoding="utf-8")
    override = build(content, out, cache, jobs, executor)
    article = sorted((content / "articles").glob("*.md"))[articles // 2]
    article.write_text(article.read_text(encoding="utf-8") + "\nOfficials said more talks would follow on Friday.\n",
                       encoding="utf-8")
    edited = build(content, out, cache, jobs, executor)
    kept = served(content, out, cache, jobs, target, article) if executor == "processes" else {}
    runs = (cold, same, override, edited)
    return (name, articles, [seconds for seconds, _, _ in runs], [cpu for _, cpu, _ in runs],
            max(peak for *_, peak in runs), kept)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--executor", choices=("processes", "dask"), default="processes")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [measure(f"scale-{args.articles}", make_corpus(args.work / f"corpus-{args.articles}", args.articles),
                    args.work, args.jobs, args.executor)]
    for topic in sorted(SHARED.glob("*/content")):
        rows.append(measure(topic.parent.name, copy_topic(topic, args.work / f"corpus-{topic.parent.name}"),
                            args.work, args.jobs, args.executor))
    print(f"jobs={args.jobs}, executor={args.executor}; peak: the largest RSS of any process of the four builds;")
    print("CPU: user and system seconds of all the build's processes (steadier than wall time on a busy machine)")
    print("serve: the median of three override rebuilds, then of three article edits, in one process that keeps")
    print("its last build")
    print(f"{'corpus':<14}{'articles':>9}{'cold s':>9}{'no change s':>13}{'1 override s':>14}{'1 article s':>13}"
          f"{'peak MB':>9}{'serve override s':>18}{'serve article s':>17}")
    for name, n, wall, cpu, peak, kept in rows:
        print(f"{name:<14}{n:>9}" + "".join(f"{t:>{w}.2f}" for t, w in zip(wall, (9, 13, 14, 13))) + f"{peak:>9.0f}"
              + "".join(f"{statistics.median(kept[kind]):>{w}.2f}" if kept else f"{'-':>{w}}"
                        for kind, w in (("override", 18), ("article", 17))))
        print(f"{'  CPU s':<23}" + "".join(f"{t:>{w}.2f}" for t, w in zip(cpu, (9, 13, 14, 13))))


if __name__ == "__main__":
    main()
