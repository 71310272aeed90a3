"""Shared by the review tests: a real ``mtcheck review`` process, HTTP calls to it, and the
headless Chromium that Debian installs (never a downloaded browser)."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_003 = "003_ffa3510338295b69.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_URL = re.compile(r"mtcheck review: (http://\S+)")


def copy_seeds(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, dest / p.name)
    return dest


class ReviewProcess:
    """``mtcheck review FOLDER --no-browser --port 0`` as a subprocess; the URL it prints."""

    def __init__(self, folder: Path, *args: str, timeout: float = 90, wait_ready: bool = True):
        cmd = [sys.executable, "-m", "mtcheck", "review", str(folder), "--no-browser", "--port", "0", *args]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.stderr_lines: list[str] = []
        found: "queue.Queue[str | None]" = queue.Queue()

        def read_out():
            for line in self.proc.stdout:
                m = _URL.search(line)
                if m:
                    found.put(m.group(1))
            found.put(None)

        def read_err():
            for line in self.proc.stderr:
                self.stderr_lines.append(line)

        threading.Thread(target=read_out, daemon=True).start()
        threading.Thread(target=read_err, daemon=True).start()
        try:
            url = found.get(timeout=timeout)
        except queue.Empty:
            url = None
        if url is None:
            self.kill()
            raise AssertionError("mtcheck review printed no URL; stderr:\n" + "".join(self.stderr_lines))
        self.url = url
        self.base = url.split("/?")[0]
        self.token = url.split("token=")[1]
        if wait_ready:
            self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 90) -> dict:
        """The page is served before the background scan ends: wait until every story is in."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            status, body = self.call("GET", "/api/queue")
            if status == 200 and body["progress"]["done"]:
                return body
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the review scan did not finish in {timeout} s; stderr:\n{self.stderr}")
            time.sleep(0.1)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_stderr(self, text: str, timeout: float = 15) -> bool:
        """Whether ``text`` shows up on stderr within ``timeout`` s: stderr is read by its own
        thread, so a line printed just before the URL on stdout may not be in yet."""
        import time

        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = "default",
             headers: dict | None = None) -> tuple[int, dict | str]:
        return http(method, self.base + path, body, self.token if token == "default" else token, headers)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)


def http(method: str, url: str, body: dict | None = None, token: str | None = None,
         headers: dict | None = None) -> tuple[int, dict | str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("X-Mtcheck-Token", token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


def launch_chromium():
    """A headless Debian Chromium through Playwright, or a skip when either is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    pw = sync_api.sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    return pw, browser


def rules_only_scanner(**options):
    """The rules-only scanner ``--no-neural`` builds (no torch, no spaCy)."""
    from mtcheck.config import Config
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    cfg = Config()
    cfg.neural = cfg.parse = False
    return Scanner(Settings(config=cfg, neural=False, parse=False, **options))
