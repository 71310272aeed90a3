"""The review app against a hostile or broken world (issue 10, items 3, 14 and 15): an
explicit loopback ``--host`` keeps the local-only checks, a planted symlink cannot carry the
export out of the folder, clients that hang up leave no tracebacks, a damaged review database
is reported in one line and moved aside only on request (the old file kept), and exports
follow the umask."""

from __future__ import annotations

import os
import socket
import stat
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import SEED_003, ReviewProcess, copy_seeds, http, rules_only_scanner

from mtcheck.cli import cli


def make_session(tmp_path: Path, folder: Path | None = None):
    from mtcheck.review.session import ReviewSession, discover_files
    from mtcheck.review.store import Store

    folder = folder or copy_seeds(tmp_path / "stories")
    root, files = discover_files(folder, ("*.txt",), ())
    session = ReviewSession(root, files, Store(tmp_path / "r.sqlite"), "ed", scanner=rules_only_scanner())
    session.load()
    return session


class Served:
    """A ReviewServer on a thread, for in-process checks."""

    def __init__(self, session, host="127.0.0.1", **kw):
        from mtcheck.review.server import ReviewServer

        self.srv = ReviewServer((host, 0), session, **kw)
        self.thread = threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.srv.port}"

    def call(self, method, path, body=None, headers=None):
        return http(method, self.base + path, body, self.srv.token, headers)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def damage(db: Path) -> bytes:
    """A review database with real content, then garbage over some of its pages."""
    from mtcheck.review.store import Store

    store = Store(db)
    for i in range(200):
        store.put_scan(f"{i:064x}", "opts", f"s{i}.txt", {"text": "x" * 500})
    store.close()
    data = bytearray(db.read_bytes())
    assert len(data) > 4096 * 8
    data[4096 * 3:4096 * 6] = b"\xa5" * (4096 * 3)
    db.write_bytes(bytes(data))
    return bytes(data)


# -- 15. --host 127.0.0.1 -------------------------------------------------------------------

def test_explicit_loopback_host_keeps_the_host_header_check(tmp_path):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural", "--host", "127.0.0.1")
    try:
        port = proc.base.rsplit(":", 1)[1]
        assert proc.call("GET", "/api/queue")[0] == 200
        status, body = proc.call("GET", "/api/queue", headers={"Host": f"rebound.example:{port}"})
        assert status == 403 and "Host" in body["error"]  # DNS rebinding is still refused
        assert "other machines can connect" not in proc.stderr
    finally:
        proc.stop()


def test_only_a_non_loopback_bind_lifts_the_local_checks(tmp_path):
    from mtcheck.review.server import ReviewServer

    session = make_session(tmp_path)
    for host, expected in (("127.0.0.1", False), ("0.0.0.0", True)):
        srv = ReviewServer((host, 0), session, allow_remote=True)
        try:
            assert srv.allow_remote is expected
        finally:
            srv.server_close()


# -- 15. a planted symlink at .mtcheck/export ----------------------------------------------

@pytest.mark.parametrize("planted", [".mtcheck/export", ".mtcheck"])
def test_planted_export_symlink_does_not_redirect_the_export(tmp_path, planted):
    folder = copy_seeds(tmp_path / "stories")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = folder / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    served = Served(make_session(tmp_path, folder))
    try:
        status, body = served.call("POST", "/api/export", {})
    finally:
        served.close()
    assert status >= 400 and "symlink" in body["error"], body
    assert list(elsewhere.rglob("*")) == []  # nothing written through the link
    assert link.is_symlink()


def test_no_export_file_is_written_through_a_symlink_leading_out(tmp_path):
    from mtcheck.review.export import ExportError

    session = make_session(tmp_path)
    out = tmp_path / "export"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / SEED_003).symlink_to(victim)
    with pytest.raises(ExportError, match="leads out of the export folder"):
        session.export(out)
    assert victim.read_text() == "precious\n"


# -- 15. clients that hang up ---------------------------------------------------------------

def test_client_disconnects_print_no_tracebacks(tmp_path, capfd):
    served = Served(make_session(tmp_path))
    port = served.srv.port
    try:
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(f"GET /?token={served.srv.token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            if i % 2:
                s.recv(1)  # the answer has begun
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # hang up hard (RST)
            s.close()
        assert served.call("GET", "/api/queue")[0] == 200  # still serving
    finally:
        served.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err


def test_handle_error_is_silent_for_a_gone_client_and_one_line_otherwise(tmp_path, capfd):
    from mtcheck.review.server import ReviewServer

    srv = ReviewServer(("127.0.0.1", 0), make_session(tmp_path))
    try:
        for exc in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset"), RuntimeError("odd")):
            try:
                raise exc
            except Exception:
                srv.handle_error(None, ("127.0.0.1", 5555))
    finally:
        srv.server_close()
    err = capfd.readouterr().err
    assert err.splitlines() == ["mtcheck review: error serving 127.0.0.1: RuntimeError: odd"]


# -- 14. a damaged review.sqlite ------------------------------------------------------------

def test_damaged_database_on_start_is_one_line_and_kept(tmp_path):
    folder = copy_seeds(tmp_path / "stories")
    db = folder / ".mtcheck" / "review.sqlite"
    db.parent.mkdir()
    damaged = damage(db)
    proc = subprocess.run([sys.executable, "-m", "mtcheck", "review", str(folder), "--no-neural", "--no-browser", "--port", "0"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert str(db) in lines[0] and "damaged" in lines[0] and "--move-damaged-db" in lines[0]
    assert db.read_bytes() == damaged  # not touched

    review = ReviewProcess(folder, "--no-neural", "--move-damaged-db")
    try:
        assert review.call("GET", "/api/queue")[0] == 200
    finally:
        review.stop()
    aside = [p for p in db.parent.iterdir() if p.name.startswith("review.sqlite.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # the old file, kept
    assert "moved aside to" in review.stderr and str(aside[0]) in review.stderr
    assert db.exists() and db.read_bytes() != damaged


def test_damaged_database_on_export_is_one_line_and_kept(tmp_path):
    folder = copy_seeds(tmp_path / "stories")
    db = folder / ".mtcheck" / "review.sqlite"
    db.parent.mkdir()
    damaged = damage(db)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["review", str(folder), "--export", str(out), "--no-neural"], catch_exceptions=False)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and ".recover" in lines[0], res.stderr
    assert db.read_bytes() == damaged and not out.exists()
    assert sorted(p.name for p in db.parent.iterdir()) == ["review.sqlite"]


def test_a_database_that_is_a_fifo_is_refused(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    folder = copy_seeds(tmp_path / "stories")
    fifo = tmp_path / "db.sqlite"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "mtcheck", "review", str(folder), "--no-neural", "--no-browser",
                           "--db", str(fifo), "--export", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and len(proc.stderr.splitlines()) == 1


# -- 3. the export follows the umask --------------------------------------------------------

def test_review_export_files_follow_the_umask(tmp_path):
    from mtcheck.review.store import Store

    folder = copy_seeds(tmp_path / "stories")
    db = folder / ".mtcheck" / "review.sqlite"
    Store(db).close()
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        res = CliRunner().invoke(cli, ["review", str(folder), "--export", str(out), "--no-neural"], catch_exceptions=False)
        assert res.exit_code == 0, res.stderr
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
        assert modes and set(modes.values()) == {0o644}, modes
        assert "decisions.json" in modes
    finally:
        os.umask(old)
