"""Compare what two mtcheck builds produce on the same stories (a refactor must not change output).

    python scripts/compare_runs.py build  --wmt21 ../shared/data/wmt21-ru-en --out /tmp/stories
    python scripts/compare_runs.py run    --stories /tmp/stories seeds --out /tmp/run-before [--pythonpath /tmp/old]
    python scripts/compare_runs.py run    --stories /tmp/stories seeds --out /tmp/run-after
    python scripts/compare_runs.py compare /tmp/run-before /tmp/run-after

``build`` cuts the WMT21 references and system outputs into 200 stories of 10 lines.
``run`` calls the mtcheck CLI (``python -m mtcheck``, with ``--pythonpath`` put first on the
path, so an older checkout can be run with the same environment) for each folder: ``scan
--format json`` neural and ``--no-neural``, ``score`` on every story's lines, ``fix --out`` and
``gate --check --format json``; it stores each command's stdout, exit code and written files
with volatile parts (absolute folders, timings) normalised. The result cache is off for every
command, so each run computes afresh. ``compare`` prints one line per command: same or differs
(with the first differing line), and exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

STORY_LINES = 10
VOLATILE_KEYS = {"elapsed", "elapsed_s", "seconds", "time", "timestamp", "generated", "started", "finished", "duration_s"}


def build(wmt21: Path, out: Path, stories: int = 200) -> None:
    files = sorted(p for p in wmt21.iterdir() if p.name.endswith(".en"))
    out.mkdir(parents=True, exist_ok=True)
    lines = {p: p.read_text(encoding="utf-8").splitlines() for p in files}
    n = 0
    start = 0
    while n < stories:
        for p in files:
            chunk = lines[p][start:start + STORY_LINES]
            if len(chunk) < STORY_LINES:
                continue
            label = p.name.replace("newstest2021.ru-en.", "").replace(".en", "")
            (out / f"{n:03d}_{label}_{start:04d}.txt").write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
            n += 1
            if n >= stories:
                break
        start += STORY_LINES * 7  # spread the stories over the set
        if start >= 1000:
            start = (start % 1000) + 1
    print(f"{n} stories in {out}")


def _normalise(text: str, roots: list[str]) -> str:
    for root in sorted(roots, key=len, reverse=True):
        text = text.replace(root, "<ROOT>")
    try:
        data = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError:
        return text
    return "\n".join(json.dumps(_drop_volatile(d), sort_keys=True, ensure_ascii=False) for d in data)


def _drop_volatile(obj):
    if isinstance(obj, dict):
        return {k: _drop_volatile(v) for k, v in obj.items() if k not in VOLATILE_KEYS}
    if isinstance(obj, list):
        return [_drop_volatile(v) for v in obj]
    return obj


def run(folders: list[Path], out: Path, pythonpath: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MTCHECK_NO_PROGRESS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    base = [sys.executable, "-m", "mtcheck"]
    for folder in folders:
        folder = folder.resolve()
        tag = folder.name
        work = Path(tempfile.mkdtemp(prefix="mtcheck-compare-"))
        lines_file = work / "lines.txt"
        lines_file.write_text(
            "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))), encoding="utf-8"
        )
        commands = {
            "scan-neural": ["scan", str(folder), "--format", "json", "--no-cache"],
            "scan-rules": ["scan", str(folder), "--format", "json", "--no-neural", "--no-cache"],
            "score": ["score", str(lines_file)],
            "fix": ["fix", str(folder), "--out", str(work / "fixed"), "--fail-on", "never"],
            "gate-check": ["gate", "--check", str(folder), "--format", "json"],
        }
        for name, args in commands.items():
            proc = subprocess.run(base + args, capture_output=True, text=True, env=env, cwd=work)
            record = {"rc": proc.returncode, "stdout": _normalise(proc.stdout, [str(folder), str(work)])}
            if name == "fix":
                record["files"] = {
                    str(p.relative_to(work / "fixed")): p.read_text(encoding="utf-8", errors="replace")
                    for p in sorted((work / "fixed").rglob("*")) if p.is_file()
                } if (work / "fixed").exists() else {}
                record["stderr"] = _normalise(proc.stderr, [str(folder), str(work)])
            (out / f"{tag}.{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
            print(f"{tag} {name}: rc {proc.returncode}, {len(proc.stdout)} bytes", flush=True)
        shutil.rmtree(work, ignore_errors=True)


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    differing = 0
    for name in names:
        pa, pb = a / name, b / name
        if not pa.exists() or not pb.exists():
            print(f"{name}: only in {'the first' if pa.exists() else 'the second'} run")
            differing += 1
            continue
        ra, rb = json.loads(pa.read_text(encoding="utf-8")), json.loads(pb.read_text(encoding="utf-8"))
        if ra == rb:
            print(f"{name}: same")
            continue
        differing += 1
        la = json.dumps(ra, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
        lb = json.dumps(rb, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
        first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
        print(f"{name}: DIFFERS at line {first + 1}:\n  - {la[first] if first < len(la) else '<end>'}\n"
              f"  + {lb[first] if first < len(lb) else '<end>'}")
    print(f"{len(names) - differing} of {len(names)} outputs identical")
    return 1 if differing else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--wmt21", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "wmt21-ru-en")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--stories", type=int, default=200)
    r = sub.add_parser("run")
    r.add_argument("--stories", type=Path, nargs="+", required=True, help="folders of .txt stories")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--pythonpath", default=None, help="put this checkout first on the path (an older build)")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.wmt21, args.out, args.stories)
        return 0
    if args.cmd == "run":
        run(args.stories, args.out, args.pythonpath)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
