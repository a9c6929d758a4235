"""Polite HTTP for `import`: a timeout, a user agent that says who is asking, redirects followed
(a few), robots.txt respected, and only a few requests at once. Standard library only."""
from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

USER_AGENT = "dateline-import/1.0 (news timeline builder; respects robots.txt)"
ROBOTS_AGENT = "dateline-import"     # the name robots.txt rules address
TIMEOUT = 20.0                       # seconds to wait for a server
AT_ONCE = 4                          # requests in flight at one time, over all hosts
MAX_BYTES = 10 * 1024 * 1024         # a news page is far smaller: more is not an article
MAX_REDIRECTS = 5


class FetchError(Exception):
    """Why a URL could not be had, in a few words for a `SOURCE: what went wrong` line."""


@dataclass(frozen=True)
class Response:
    url: str             # after redirects
    content_type: str
    body: bytes


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def is_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Fetcher:
    """Shared by the threads of one import: it holds each site's robots.txt rules and the gate
    that keeps the number of requests at once to `at_once`."""

    def __init__(self, timeout: float = TIMEOUT, at_once: int = AT_ONCE, user_agent: str = USER_AGENT):
        self.timeout, self.user_agent = timeout, user_agent
        self._gate = threading.BoundedSemaphore(max(1, at_once))
        self._opener = urllib.request.build_opener(_Redirects())
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._robots_lock = threading.Lock()
        self._site_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}

    def get(self, url: str) -> Response:
        if not is_url(url):
            raise FetchError("not an http(s) URL")
        self._wait_for_turn(self._check_robots(url))
        response = self._request(url)
        if response.url != url:
            self._check_robots(response.url)      # a redirect may lead to another site's rules
        return response

    def _request(self, url: str) -> Response:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
        with self._gate:
            try:
                with self._opener.open(request, timeout=self.timeout) as answer:
                    body = answer.read(MAX_BYTES + 1)
                    if len(body) > MAX_BYTES:
                        raise FetchError(f"larger than {MAX_BYTES // (1024 * 1024)} MB: not a news page")
                    return Response(answer.geturl(), answer.headers.get("Content-Type", ""), body)
            except urllib.error.HTTPError as e:
                if 300 <= e.code < 400:
                    raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
                raise FetchError(f"HTTP {e.code} {e.reason}") from None
            except (TimeoutError, socket.timeout):
                raise FetchError(f"no answer within {self.timeout:g} s") from None
            except urllib.error.URLError as e:
                reason = e.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise FetchError(f"no answer within {self.timeout:g} s") from None
                raise FetchError(f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
            except (OSError, ValueError) as e:    # a connection reset, a malformed answer
                raise FetchError(f"the connection failed: {e}") from None

    def _wait_for_turn(self, site: str) -> None:
        """A site's robots.txt may ask for a pause between requests (Crawl-delay): one at a time, then."""
        delay = self._robots[site].crawl_delay(ROBOTS_AGENT)
        if not delay:
            return
        with self._site_locks[site]:
            pause = self._last_request.get(site, float("-inf")) + float(delay) - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._last_request[site] = time.monotonic()

    def _check_robots(self, url: str) -> str:
        """The site (scheme and host) if robots.txt lets us fetch the URL; else FetchError."""
        parts = urlsplit(url)
        site = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        with self._robots_lock:
            lock = self._site_locks.setdefault(site, threading.Lock())
        with lock:                 # one read of a site's robots.txt, however many threads ask
            if site not in self._robots:
                self._robots[site] = self._read_robots(site)
        rules = self._robots[site]
        if isinstance(rules, str):
            raise FetchError(rules)
        if not rules.can_fetch(ROBOTS_AGENT, url):
            raise FetchError("robots.txt asks robots not to fetch this page: save it from a browser "
                             "and import the saved file instead")
        return site

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser | str:
        """The site's rules, as RFC 9309 reads them: no robots.txt (a 4xx) allows everything; one
        that cannot be read (a 5xx, no connection) allows nothing, for now."""
        rules = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        try:
            answer = self._request(site + "/robots.txt")
        except FetchError as e:
            text = str(e)
            if text.startswith("HTTP 4"):
                rules.allow_all = True
                return rules
            return f"robots.txt could not be read ({text}): not fetched, try again later"
        rules.parse(answer.body.decode("utf-8", "replace").splitlines())
        return rules
