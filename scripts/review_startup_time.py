"""How long `mtcheck review FOLDER` takes to answer, and to finish its background scan.

Copies the folder's *.txt stories to a temporary folder (so that no review database is left
in it), starts `python -m mtcheck review COPY --no-browser --port 0 [ARGS...]`, and prints the
wall time from the start of the process to the printed URL, to the first answer of the queue
API, and to the end of the scan (as the page's progress reports it).

    python scripts/review_startup_time.py seeds               # neural, as a user starts it
    python scripts/review_startup_time.py seeds --no-neural
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print("usage: review_startup_time.py FOLDER [mtcheck review options...]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "stories"
        copy.mkdir()
        for p in sorted(Path(argv[0]).glob("*.txt")):
            shutil.copy(p, copy / p.name)
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "mtcheck", "review", str(copy), "--no-browser", "--port", "0", *argv[1:]],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            url = None
            for line in proc.stdout:
                if line.startswith("mtcheck review: http"):
                    url = line.split(": ", 1)[1].strip()
                    break
            if url is None:
                print("mtcheck review printed no URL", file=sys.stderr)
                return 1
            t_url = time.monotonic() - t0
            base, token = url.split("/?")[0], url.split("token=")[1]

            def queue() -> dict:
                req = urllib.request.Request(base + "/api/queue", headers={"X-Mtcheck-Token": token})
                with urllib.request.urlopen(req, timeout=60) as r:
                    return json.loads(r.read())

            first = queue()
            t_answer = time.monotonic() - t0
            progress = first["progress"]
            while not progress["done"] and not progress.get("error"):
                time.sleep(0.2)
                progress = queue()["progress"]
            t_done = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"URL printed after {t_url:.2f} s; queue answered after {t_answer:.2f} s "
          f"({first['progress']['ready']}/{first['progress']['total']} stories ready then); "
          f"scan done after {t_done:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
