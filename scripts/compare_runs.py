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
VOLATILE_KEYS = {"elapsed", "elapsed_s", "seconds", "time", "timestamp", "generated", "started", "finished", "duration_s",
                 "policy_sources"}  # where the policy came from: --gate-config names a file on purpose


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


def _normalise(text: str, roots: list[str]):
    """The command's output as data (one JSON document, or JSON lines), volatile parts dropped;
    plain text otherwise."""
    for root in sorted(roots, key=len, reverse=True):
        text = text.replace(root, "<ROOT>")
    try:
        return _drop_volatile(json.loads(text))
    except ValueError:
        pass
    try:
        return [_drop_volatile(json.loads(line)) for line in text.splitlines() if line.strip()]
    except ValueError:
        return text


def _code_root(text: str, root: str) -> str:
    return text.replace(root.rstrip("/") + "/", "<CODE>/")


def _drop_volatile(obj):
    if isinstance(obj, dict):
        return {k: _drop_volatile(v) for k, v in obj.items() if k not in VOLATILE_KEYS}
    if isinstance(obj, list):
        return [_drop_volatile(v) for v in obj]
    return obj


def run(folders: list[Path], out: Path, pythonpath: str | None, gate_config: str | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MTCHECK_NO_PROGRESS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    base = [sys.executable, "-m", "mtcheck"]
    # Asked from outside any checkout, as the commands run: `python -c` puts the working
    # directory first on the path, so from a checkout it would name that checkout's mtcheck.
    probe = subprocess.run(base[:1] + ["-c", "import mtcheck, pathlib; print(pathlib.Path(mtcheck.__file__).parents[1])"],
                           capture_output=True, text=True, env=env, check=True, cwd=tempfile.gettempdir())
    code_root = probe.stdout.strip()  # where the mtcheck being run lives (its data paths appear in reports)
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
            "gate-check": ["gate", "--check", str(folder), "--format", "json"]
            + (["--config", str(Path(gate_config).resolve())] if gate_config else []),
        }
        for name, args in commands.items():
            proc = subprocess.run(base + args, capture_output=True, text=True, env=env, cwd=work)
            roots = [str(folder), str(work)]
            record = {"rc": proc.returncode, "stdout": _normalise(_code_root(proc.stdout, code_root), roots)}
            if name == "fix":
                record["files"] = {
                    str(p.relative_to(work / "fixed")): p.read_text(encoding="utf-8", errors="replace")
                    for p in sorted((work / "fixed").rglob("*")) if p.is_file()
                } if (work / "fixed").exists() else {}
                record["stderr"] = _normalise(_code_root(proc.stderr, code_root), roots)
            (out / f"{tag}.{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
            print(f"{tag} {name}: rc {proc.returncode}, {len(proc.stdout)} bytes", flush=True)
        shutil.rmtree(work, ignore_errors=True)


def _pop_signature(record: dict) -> dict:
    """The report's ``signature`` says what the result depends on; a refactor may describe that
    differently without changing a single finding, so it is compared on its own."""
    out = record.get("stdout")
    if isinstance(out, dict) and "signature" in out:
        return out.pop("signature")
    return {}


def _first_difference(a, b, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path or '<top>'}: {str(a)[:160]!r} != {str(b)[:160]!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in the {'second' if k not in a else 'first'} run"
            d = _first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{path}: {len(a)} items != {len(b)} items"
    return None if a == b else f"{path or '<top>'}: {str(a)[:160]!r} != {str(b)[:160]!r}"


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
        for rec in (ra, rb):  # runs stored as text are parsed the same way
            if isinstance(rec.get("stdout"), str):
                rec["stdout"] = _normalise(rec["stdout"], [])
        sig_a, sig_b = _pop_signature(ra), _pop_signature(rb)
        if sig_a != sig_b:
            print(f"{name}: signature differs (reported apart): {sorted(set(sig_a) ^ set(sig_b)) or 'values'}")
        if ra == rb:
            print(f"{name}: same")
            continue
        differing += 1
        print(f"{name}: DIFFERS at {_first_difference(ra, rb)}")
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
    r.add_argument("--gate-config", default=None,
                   help="a config file for the gate command only (e.g. to pin a policy default that changed on purpose)")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.wmt21, args.out, args.stories)
        return 0
    if args.cmd == "run":
        run(args.stories, args.out, args.pythonpath, args.gate_config)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
