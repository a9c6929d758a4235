"""`python build.py serve`: build, serve the site on localhost, rebuild when content or templates
change, and reload the browser. The reload script is added to pages as they are served; the
site on disk stays exactly what `build` writes."""
from __future__ import annotations

import http.server
import sys
import threading
import time
from pathlib import Path

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


def snapshot(folders: list[Path]) -> tuple:
    """What the watcher compares: every file's path, size and modification time."""
    entries = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(entries)


class State:
    def __init__(self):
        self.version = 0
        self.lock = threading.Lock()


def handler_for(root: Path, state: State):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def do_GET(self):
            if self.path == "/__dateline/version":
                return self._send(str(state.version).encode(), "text/plain")
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                page = path.read_bytes().replace(b"</body>", RELOAD + b"</body>", 1)
                return self._send(page, "text/html; charset=utf-8")
            return super().do_GET()

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


def serve(args, build) -> int:
    watched = [args.content] + ([args.templates] if args.templates else []) + \
              [Path(__file__).resolve().parent.parent / "templates"]
    state = State()
    # taken before the first build: an edit made while it runs, or just after "serving" is
    # printed, must still show as a change
    seen = snapshot(watched)
    status = build()
    if status != 0 and not args.out.is_dir():
        return status
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.out.resolve(), state))
    print(f"serving {args.out}/ at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched)
            if now != seen:
                seen = now
                if build() == 0:
                    with state.lock:
                        state.version += 1
                sys.stdout.flush()
    except KeyboardInterrupt:
        server.shutdown()
        return 0
