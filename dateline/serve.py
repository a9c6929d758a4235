"""`python build.py serve`: build, serve the site on localhost, rebuild when content or templates
change, and reload the browser. The reload script is added to pages as they are served; the
site on disk stays exactly what `build` writes."""
from __future__ import annotations

import html
import http.server
import os
import sys
import threading
import time
from pathlib import Path

from .errors import ContentError, escaped
from .parallel import rest
from .render import check_output_folder

RELOAD = b"""<script>
(function () {  // dateline serve: reload when the site is rebuilt
  var seen = null;
  setInterval(function () {
    fetch("/__dateline/version").then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) location.reload();
      seen = v;
    }).catch(function () {});
  }, 1000);
})();
</script>
"""
POLL_SECONDS = 0.5
MAX_CONNECTIONS = 32        # more at once are turned away: one thread each
IDLE_SECONDS = 15           # a connection that sends nothing for this long is closed
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
NO_SITE_YET = b"<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>dateline: no site yet</title><body></body></html>\n"
OVERLAY = """<div id="dateline-build-failed" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:2147483647;
max-height:60vh;overflow:auto;margin:0;padding:1em 1.25em;background:#2b0b0b;color:#ffdede;
font:14px/1.5 ui-monospace,monospace;border-top:4px solid #e5484d;white-space:pre-wrap">
<strong>The last build failed</strong>: this is the last good site. Fix these and save; the page reloads.
{lines}</div>
"""


def snapshot(folders: list[Path]) -> tuple:
    """What the watcher compares: every file's path, size and modification time. Links are
    looked at, not followed into folders (a link to a parent would never end)."""
    entries = []
    for folder in folders:
        for here, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(dirs + names):
                path = os.path.join(here, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                entries.append((path, st.st_size, st.st_mtime_ns))
    return tuple(entries)


class State:
    """What the pages are told: the build's number (a change makes them reload) and, while the
    last build failed, its messages."""

    def __init__(self):
        self.version = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def built(self, errors: list[str]) -> None:
        with self.lock:
            self.errors = errors
            self.version += 1


def handler_for(root: Path, state: State):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        timeout = IDLE_SECONDS

        def do_GET(self):
            if not self._local_host():
                return
            if self.path == "/__dateline/version":
                return self._send(str(state.version).encode(), "text/plain")
            path = Path(self.translate_path(self.path))
            if path.is_dir() or not root.is_dir() and self.path.split("?")[0].endswith("/"):
                path = path / "index.html"
            with state.lock:
                errors = list(state.errors)
            if path.suffix == ".html" and (path.is_file() or errors and not root.is_dir()):
                extra = RELOAD + (OVERLAY.format(lines="".join(f"\n{html.escape(line)}" for line in errors)).encode()
                                  if errors else b"")
                # before any build has succeeded there is no site: a blank page carries the messages
                page = path.read_bytes() if path.is_file() else NO_SITE_YET
                page = page.replace(b"</body>", extra + b"</body>", 1) if b"</body>" in page else page + extra
                return self._send(page, "text/html; charset=utf-8")
            return super().do_GET()

        def do_HEAD(self):
            if self._local_host():
                super().do_HEAD()

        def _local_host(self) -> bool:
            """Answer only requests addressed to this machine by name: a page elsewhere that
            points its own domain at 127.0.0.1 (DNS rebinding) must not read the preview."""
            port = self.server.server_address[1]
            host = (self.headers.get("Host") or "").strip().lower()
            if host in LOCAL_HOSTS or host in {f"{h}:{port}" for h in LOCAL_HOSTS}:
                return True
            self.send_error(403, "dateline serve answers only http://127.0.0.1 and http://localhost")
            return False

        def _send(self, body: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):      # keep the terminal for build messages
            pass

    return Handler


class Server(http.server.ThreadingHTTPServer):
    """A thread per connection, as many as MAX_CONNECTIONS at once; more are closed at once."""
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def guarded(build) -> tuple[int, list[str]]:
    """Run one build; `serve` must outlive any build, even one that fails in an unforeseen way."""
    errors: list[str] = []
    try:
        status = build(errors)
    except Exception as e:      # noqa: BLE001  a bug in a build must not end the preview
        errors.append(escaped(f"dateline: the build failed unexpectedly ({type(e).__name__}: {e}); "
                                "the last good site is still served"))
        print(errors[-1], file=sys.stderr)
        status = 1
    if status != 0 and not errors:
        errors.append("the build failed: see the terminal")
    return status, errors


def serve(args, build) -> int:
    """`build(errors)` builds once, adds its error lines to `errors` and returns the exit code."""
    try:
        check_output_folder(args.out, args.content)
    except ContentError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 1
    watched = [args.content] + ([args.templates] if args.templates else []) + \
              [Path(__file__).resolve().parent.parent / "templates"]
    state = State()
    # taken before the first build: an edit made while it runs, or just after "serving" is
    # printed, must still show as a change
    seen = snapshot(watched)
    status, errors = guarded(build)
    state.errors = errors if status else []
    rest()
    try:
        server = Server(("127.0.0.1", args.port), handler_for(args.out.resolve(), state))
    except OSError as e:
        print(f"cannot serve on port {args.port}: {e.strerror or e}: choose another with --port N "
              "(--port 0 picks a free one)", file=sys.stderr)
        return 2
    print(f"serving {args.out}/ at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched)
            if now != seen:
                seen = now
                status, errors = guarded(build)
                state.built(errors if status else [])
                sys.stdout.flush()
                rest()
    except KeyboardInterrupt:
        server.shutdown()
        return 0
