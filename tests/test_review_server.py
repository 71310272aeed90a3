"""The review server as a real process: the session token, path confinement, local-only
access, stale files, and a crash (SIGKILL) in the middle of a session."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from review_support import SEED_003, ReviewProcess, copy_seeds, http, rules_only_scanner


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = copy_seeds(tmp_path_factory.mktemp("server") / "stories")
    (folder.parent / "secret.txt").write_text("root:x:0:0 outside the reviewed folder\n")
    proc = ReviewProcess(folder, "--no-neural")
    yield proc
    proc.stop()


def first_suggestion(proc, path=SEED_003):
    status, view = proc.call("GET", "/api/doc?path=" + quote(path))
    assert status == 200, view
    return view, view["suggestions"][0]


def test_the_page_and_the_api_need_the_session_token(server):
    assert http("GET", server.base + "/")[0] == 403
    assert http("GET", server.base + "/?token=wrong")[0] == 403
    status, page = http("GET", server.url)
    assert status == 200 and f'content="{server.token}"' in page
    assert server.call("GET", "/api/queue", token=None)[0] == 403
    assert server.call("GET", "/api/queue", token="x" + server.token)[0] == 403
    status, queue = server.call("GET", "/api/queue")
    assert status == 200 and len(queue["items"]) == 5
    view, s = first_suggestion(server)
    body = {"path": SEED_003, "sha256": view["sha256"], "id": s["id"], "action": "reject"}
    for token in (None, "", "wrong", server.token[:-1]):
        status, reply = server.call("POST", "/api/decide", body, token=token)
        assert status == 403, (token, reply)
    assert server.call("POST", "/api/undo", {"path": SEED_003, "sha256": view["sha256"]}, token=None)[0] == 403
    assert server.call("POST", "/api/export", {}, token="nope")[0] == 403
    _, after = first_suggestion(server)
    assert after["state"] == "pending"  # nothing was recorded by the refused requests
    status, reply = server.call("POST", "/api/decide", body)
    assert status == 200 and reply["suggestions"][0]["state"] == "reject"
    assert server.call("POST", "/api/undo", {"path": SEED_003, "sha256": view["sha256"]})[1]["undone"] == 1


@pytest.mark.parametrize("path", [
    "../secret.txt", "../../etc/passwd", "/etc/passwd", "..%2Fsecret.txt", "%2E%2E%2Fsecret.txt",
    "%252e%252e%252fsecret.txt", "..\\secret.txt", f"{SEED_003}/../../secret.txt", f"./{SEED_003}",
    "....//secret.txt", "%00" + SEED_003, "",
])
def test_no_path_outside_the_discovered_stories_is_served(server, path):
    status, body = server.call("GET", "/api/doc?path=" + path)
    assert status in (400, 403, 404), (path, status)
    assert "root:x" not in str(body)
    status, body = server.call("POST", "/api/decide", {"path": path, "sha256": "", "id": "x", "action": "accept"})
    assert status in (400, 403, 404, 409)


def test_static_files_come_from_a_fixed_list(server):
    assert http("GET", server.base + "/static/app.js")[0] == 200
    for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/index.html/../../session.py", "/../secret.txt"):
        status, body = http("GET", server.base + path)
        assert status == 404 and "import" not in str(body)


def test_a_foreign_host_header_is_refused(server):
    # DNS rebinding: evil.example resolving to 127.0.0.1 still sends its own Host header.
    status, _ = http("GET", server.url, headers={"Host": "evil.example:" + server.base.rsplit(":", 1)[1]})
    assert status == 403
    assert server.call("GET", "/api/queue", headers={"Host": "evil.example"})[0] == 403


def test_symlinks_out_of_the_folder_are_not_followed(tmp_path):
    folder = copy_seeds(tmp_path / "stories")
    (tmp_path / "outside.txt").write_text("private notes, not a story\n")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    from mtcheck.review.session import Forbidden, ReviewSession, discover_files
    from mtcheck.review.store import Store

    root, files = discover_files(folder, ("*.txt",), ())
    session = ReviewSession(root, files, Store(tmp_path / "r.sqlite"), "ed", scanner=rules_only_scanner())
    session.load()
    with pytest.raises(Forbidden):
        session.view("link.txt")
    assert next(q for q in session.queue() if q["path"] == "link.txt")["error"]


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def test_non_local_peers_are_refused_unless_host_was_given(tmp_path):
    addr = _non_loopback_address()
    if addr is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    from mtcheck.review.server import ReviewServer
    from mtcheck.review.session import ReviewSession, discover_files
    from mtcheck.review.store import Store

    folder = copy_seeds(tmp_path / "stories")
    root, files = discover_files(folder, ("*.txt",), ())
    session = ReviewSession(root, files, Store(tmp_path / "r.sqlite"), "ed", scanner=rules_only_scanner())
    session.load()
    for allow_remote, expected in ((False, 403), (True, 200)):
        srv = ReviewServer(("0.0.0.0", 0), session, allow_remote=allow_remote)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            # Connect to the machine's own non-loopback address: the peer is not 127.0.0.1.
            url = f"http://{addr}:{srv.port}/api/queue"
            status, _ = http("GET", url, token=srv.token, headers={"Host": f"127.0.0.1:{srv.port}"})
            assert status == expected
            local = http("GET", f"http://127.0.0.1:{srv.port}/api/queue", token=srv.token)[0]
            assert local == 200
        finally:
            srv.shutdown()
            srv.server_close()


def test_stale_file_and_crash_mid_session(tmp_path):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        view, _ = first_suggestion(proc)
        lih = [s for s in view["suggestions"] if "LIH" in s["original"] and s["best"]]
        for s in lih:
            status, _ = proc.call("POST", "/api/decide", {"path": SEED_003, "sha256": view["sha256"], "id": s["id"], "action": "accept"})
            assert status == 200
        other = next(s for s in view["suggestions"] if "RAID" in s["original"] and s not in lih)
        proc.call("POST", "/api/decide", {"path": SEED_003, "sha256": view["sha256"], "id": other["id"], "action": "edit", "text": "raid"})
        # The server dies without any chance to clean up.
        proc.proc.kill()
        proc.proc.wait(timeout=15)
    finally:
        proc.kill()
    proc = ReviewProcess(folder, "--no-neural")
    try:
        assert proc.wait_stderr("5 from the cache"), proc.stderr
        status, view = proc.call("GET", "/api/doc?path=" + SEED_003)
        states = {s["id"]: (s["state"], s["text"]) for s in view["suggestions"]}
        assert all(states[s["id"]] == ("accept", None) for s in lih)
        assert states[other["id"]] == ("edit", "raid")
        item = next(q for q in proc.call("GET", "/api/queue")[1]["items"] if q["path"] == SEED_003)
        assert item["decided"] == len(lih) + 1
        # Now the story changes on disk under the running server.
        story = Path(folder / SEED_003)
        story.write_text(story.read_text(encoding="utf-8").replace("62 soldiers", "sixty-two soldiers"), encoding="utf-8")
        status, reply = proc.call("POST", "/api/decide", {"path": SEED_003, "sha256": view["sha256"], "id": lih[0]["id"], "action": "reject"})
        assert status == 409 and "changed on disk" in reply["error"]
        status, fresh = proc.call("GET", "/api/doc?path=" + SEED_003)
        assert fresh["sha256"] != view["sha256"]
        assert len(fresh["stale"]) == len(lih) + 1
        assert all(s["state"] == "pending" for s in fresh["suggestions"])
        item = next(q for q in proc.call("GET", "/api/queue")[1]["items"] if q["path"] == SEED_003)
        assert item["stale"] == len(lih) + 1 and item["decided"] == 0
    finally:
        assert proc.stop() == 0


def test_a_refused_request_leaves_a_kept_alive_connection_usable(server):
    import http.client
    import json

    host, port = server.base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body = json.dumps({"path": SEED_003, "action": "accept", "id": "x", "sha256": "y"})
    conn.request("POST", "/api/decide", body=body, headers={"Content-Type": "application/json", "X-Mtcheck-Token": "wrong"})
    first = conn.getresponse()
    assert first.status == 403
    first.read()
    conn.request("GET", "/api/queue", headers={"X-Mtcheck-Token": server.token})
    second = conn.getresponse()
    assert second.status == 200 and len(json.loads(second.read())["items"]) == 5
    conn.close()


def test_the_desk_api_needs_the_token_and_refuses_bad_input_in_one_line(server):
    view, card = first_suggestion(server)
    where = {"path": SEED_003, "sha256": view["sha256"]}
    for name, extra in (("fixscore", {"id": card["id"], "text": "x"}), ("redo", {}), ("dismiss", {"ids": []}),
                        ("reapply", {"ids": []}), ("undo", {"batch": True}), ("accept-safe", {})):
        assert server.call("POST", "/api/" + name, dict(where, **extra), token=None)[0] == 403, name
    assert server.call("GET", "/api/stats", token=None)[0] == 403
    for body, status in (
        (dict(where, id=card["id"], text=7), 400),  # fixscore: text must be a string
        (dict(where, id="no-such-card", text="x"), 404),
        (dict(where, sha256="0" * 64, id=card["id"], text="x"), 409),
    ):
        got, reply = server.call("POST", "/api/fixscore", body)
        assert got == status and isinstance(reply["error"], str) and "\n" not in reply["error"], (body, reply)
    assert server.call("POST", "/api/dismiss", dict(where, ids="1"))[0] == 400
    assert server.call("POST", "/api/dismiss", dict(where, ids=[10 ** 6]))[0] == 404
    assert server.call("POST", "/api/decide", dict(where, id=card["id"], action="accept", option="cand-99"))[0] == 400
    assert server.call("POST", "/api/decide", dict(where, id=card["id"], action="accept", option=["x"]))[0] == 400
    assert server.call("POST", "/api/undo", dict(where, id=5))[0] == 400


def test_the_queue_reports_progress_headlines_and_the_export_folder(server):
    status, queue = server.call("GET", "/api/queue")
    assert status == 200 and queue["progress"] == {"total": 5, "ready": 5, "done": True, "error": None}
    item = next(i for i in queue["items"] if i["path"] == SEED_003)
    assert item["headline"].startswith("Moscow called for a meeting") and item["cards"] > 0
    assert queue["export_dir"].endswith("/.mtcheck/export") and queue["last_export"] is None
    view, card = first_suggestion(server)
    status, score = server.call("POST", "/api/fixscore", {"path": SEED_003, "sha256": view["sha256"], "id": card["id"],
                                                          "text": "Moscow said so."})
    assert status == 200 and score["words"].startswith("fix score ") and score["keeps"]
    status, stats = server.call("GET", "/api/stats")
    assert status == 200 and set(stats) == {"threshold", "min_decisions", "totals", "rules"}


def test_the_page_answers_before_the_scan_ends(tmp_path):
    """Served first, scanned in the background: the queue answers as soon as the URL is out,
    and says how far the scan is; the "stories ready" line comes once it is done."""
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural", wait_ready=False)
    try:
        status, queue = proc.call("GET", "/api/queue")
        assert status == 200 and queue["progress"]["total"] == 5
        assert all(i.get("scanning") or "needs" in i for i in queue["items"])
        done = proc.wait_ready()
        assert done["progress"]["ready"] == 5 and not any(i.get("scanning") for i in done["items"])
        assert proc.wait_stderr("5 stories ready")
    finally:
        assert proc.stop() == 0
