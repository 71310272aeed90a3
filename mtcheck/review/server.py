"""The review web server: the standard library's threading HTTP server, a JSON API over a
``ReviewSession``, and the static front end.

Security model (a local tool serving stories that may hold anything):
- bound to 127.0.0.1 unless ``--host`` is given; while bound to a loopback address (the
  default, or ``--host 127.0.0.1`` / ``::1`` / ``localhost`` given explicitly) a connection
  from a non-loopback peer, or a request whose Host header is not this loopback address (DNS
  rebinding), gets 403; only a non-loopback ``--host`` lifts these checks;
- a random per-session token: the page is served only at the printed URL with ``?token=``,
  and every ``/api/`` request must carry it in the ``X-Mtcheck-Token`` header (a cross-site
  page can neither read the token nor send that header without a CORS preflight we refuse);
- stories are addressed by their path relative to the reviewed folder and looked up among
  the discovered ones, never joined onto a filesystem path; static files come from a fixed
  list;
- wire text leaves the server only as JSON; the front end builds DOM with text nodes, and a
  Content-Security-Policy forbids inline scripts and any other origin.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mtcheck.fsutil import printable
from mtcheck.review.session import Conflict, Forbidden, NotFound, ReviewSession

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
}
TOKEN_HEADER = "X-Mtcheck-Token"
MAX_BODY = 1 << 20
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, session: ReviewSession, *, allow_remote: bool = False,
                 export_dir: Path | None = None, quiet: bool = True):
        if ":" in address[0]:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__(address, ReviewHandler)
        self.session = session
        self.token = secrets.token_urlsafe(24)
        # Bound to loopback, no other machine is meant to connect: the peer and Host checks stay
        # on even when the address was given explicitly (they are what stops DNS rebinding).
        self.allow_remote = allow_remote and not _is_loopback(str(self.server_address[0]))
        self.export_dir = export_dir
        self.last_export: dict | None = None
        self.stats_options: dict = {}  # threshold / min_decisions for mtcheck.review.stats
        self.quiet = quiet
        host = address[0]
        port = self.server_address[1]
        self.url_host = f"[{host}]" if ":" in host else ("127.0.0.1" if host in ("", "0.0.0.0") else host)
        self.allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    def handle_error(self, request, client_address) -> None:
        """A client that went away mid-answer is routine: nothing to say. Anything else: one
        line, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        sys.stderr.write(f"mtcheck review: error serving {client_address[0]}: {type(exc).__name__}: {printable(exc)}\n")

    def export_target(self, dated: bool) -> Path:
        """Where the Export button writes: the folder from --export-dir or ``[review]
        export-dir``; without one, a dated folder under ``.mtcheck/export`` in the reviewed one."""
        if self.export_dir is not None:
            return Path(self.export_dir)
        base = self.session.root / ".mtcheck" / "export"
        return base / time.strftime("%Y%m%d-%H%M%S") if dated else base

    def stats(self) -> dict:
        from mtcheck.review.stats import compute

        return compute(self.session.store.decisions(), **self.stats_options)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.url_host}:{self.port}/?token={self.token}"


def _is_loopback(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "mtcheck-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # -- plumbing -----------------------------------------------------------------------
    def log_message(self, fmt, *args):  # noqa: D401 - quiet unless asked
        if not self.server.quiet:
            sys.stderr.write(f"mtcheck review: {self.address_string()} {printable(fmt % args)}\n")

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", CSP)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _refused(self) -> bool:
        """Non-local peers and foreign Host headers are refused unless --host was given."""
        if self.server.allow_remote:
            return False
        if not _is_loopback(self.client_address[0]):
            self._error(403, "non-local connections are refused (start with --host to allow them)")
            self.close_connection = True
            return True
        host = self.headers.get("Host", "")
        if host not in self.server.allowed_hosts:
            self._error(403, "unexpected Host header")
            self.close_connection = True
            return True
        return False

    def _token_ok(self, given: str | None) -> bool:
        return isinstance(given, str) and hmac.compare_digest(given.encode(), self.server.token.encode())

    def _read_body(self) -> bool:
        """Read the request body before anything answers, so that a refused request cannot
        leave bytes behind on a kept-alive connection."""
        self._raw = b""
        if self.command in ("GET", "HEAD", "OPTIONS"):
            return True
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._error(413 if length > MAX_BODY else 400, "bad or too large request body")
            return False
        self._raw = self.rfile.read(length)
        return True

    def _body(self) -> dict | None:
        try:
            body = json.loads(self._raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._error(400, "request body is not JSON")
            return None
        if not isinstance(body, dict):
            self._error(400, "request body must be a JSON object")
            return None
        return body

    # -- verbs --------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    do_DELETE = do_PATCH = do_PUT

    def do_OPTIONS(self):  # no CORS: a preflight from another origin gets nothing it can use
        if not self._read_body() or self._refused():
            return
        self._error(405, "method not allowed")

    def _dispatch(self, method: str) -> None:
        if not self._read_body() or self._refused():
            return
        url = urlsplit(self.path)
        path = url.path
        query = parse_qs(url.query)
        try:
            if path.startswith("/api/"):
                if not self._token_ok(self.headers.get(TOKEN_HEADER)):
                    return self._error(403, "missing or wrong session token")
                return self._api(method, path[len("/api/"):], query)
            if method != "GET":
                return self._error(405, "method not allowed")
            if path in ("/", "/index.html"):
                if not self._token_ok((query.get("token") or [None])[0]):
                    return self._error(403, "open the URL mtcheck review printed (it carries the session token)")
                return self._index()
            if path.startswith("/static/") and path[len("/static/"):] in STATIC_FILES:
                name = path[len("/static/"):]
                return self._send(200, (STATIC_DIR / name).read_bytes(), STATIC_FILES[name])
            if path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            return self._error(404, "not found")
        except NotFound as e:
            self._error(404, str(e))
        except Forbidden as e:
            self._error(403, str(e))
        except Conflict as e:
            self._error(409, str(e))
        except ValueError as e:
            self._error(400, str(e))
        except (ConnectionError, TimeoutError):  # the client went away: nobody to answer
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - one line in the log, a 500 to the page
            sys.stderr.write(f"mtcheck review: error serving {method} {printable(path)}: {type(e).__name__}: {printable(e)}\n")
            self._error(500, f"internal error: {type(e).__name__}")

    def _index(self) -> None:
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        page = page.replace("{{TOKEN}}", self.server.token)
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _api(self, method: str, name: str, query: dict) -> None:
        session = self.server.session
        if method == "GET":
            if name == "queue":
                return self._json(200, {"root": session.root.name, "reviewer": session.reviewer, "items": session.queue(),
                                        "progress": session.status(), "export_dir": str(self.server.export_target(dated=False)),
                                        "last_export": self.server.last_export})
            if name == "doc":
                paths = query.get("path") or []
                if len(paths) != 1:
                    return self._error(400, "one path= parameter required")
                return self._json(200, session.view(paths[0]))
            if name == "stats":
                return self._json(200, self.server.stats())
            return self._error(404, "no such API")
        if method != "POST":
            return self._error(405, "method not allowed")
        body = self._body()
        if body is None:
            return None
        path, sha = body.get("path"), body.get("sha256")
        if name == "decide":
            action = body.get("action")
            if action not in ("accept", "reject", "edit"):
                return self._error(400, "action must be accept, reject or edit")
            option = body.get("option")
            if option is not None and not isinstance(option, str):
                return self._error(400, "option must be a string")
            return self._json(200, session.decide(path, sha, body.get("id"), action, body.get("text"), option))
        if name == "accept-safe":
            return self._json(200, session.accept_safe(path, sha))
        if name == "undo":
            card = body.get("id")
            if card is not None and not isinstance(card, str):
                return self._error(400, "id must be a string")
            return self._json(200, session.undo(path, sha, whole_batch=body.get("batch") is True, card_id=card))
        if name == "redo":
            return self._json(200, session.redo(path, sha))
        if name == "fixscore":
            return self._json(200, session.fix_score(path, sha, body.get("id"), body.get("text")))
        if name == "dismiss":
            return self._json(200, session.dismiss(path, sha, body.get("ids")))
        if name == "reapply":
            return self._json(200, session.reapply(path, sha, body.get("ids")))
        if name == "export":
            from mtcheck.review.export import ExportError

            out = self.server.export_target(dated=True)
            try:
                summary = session.export(Path(out))
            except (ExportError, OSError) as e:
                return self._error(500, f"export failed: {e}")
            self.server.last_export = summary
            return self._json(200, summary)
        return self._error(404, "no such API")
