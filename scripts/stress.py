"""Times mtcheck's rules on pathological inputs (issue 10, item 12): every rule must be linear,
or bounded, in the size of its input.

    python scripts/stress.py                   # every case: rules, scan and fix
    python scripts/stress.py word_1m story_5m  # some cases
    python scripts/stress.py --list
    python scripts/stress.py --timeout 60 --only rules --only scan

The inputs are built in a temporary folder: one "word" of 100 KB / 1 MB / 5 MB of letters
(no spaces), 5 MB and 19 MB stories of news-like English (the seed stories' sentences
shuffled with random words from ``mtcheck/data/wordfreq.tsv``), a story of 200,000 short
lines, and a user gazetteer with a 3,000-letter entry. Each is timed as a subprocess, under a
timeout so the script itself never hangs: ``rules`` (segmentation and every rule family in a
fresh interpreter, no CLI and no report), ``mtcheck scan --no-neural --format json
--no-cache`` and ``mtcheck fix --no-neural --out``. The target: under 5 s for 5 MB, scaled:
an input over 5 MB is judged by its time per 5 MB (the 19 MB story may take 19 s, the 8 MB
file of short lines 8 s), a smaller one by its time itself. The
subprocesses import mtcheck from this script's checkout (PYTHONPATH), so a copy of an older
tree (``git archive``) runs its own code for a before/after comparison; each has a cache
folder of its own (MTCHECK_CACHE_DIR), warmed by one untimed run of the same command on a
one-sentence story: what mtcheck builds once and keeps (the gazetteer's index) is in place, as
after a desk's first run, and no run is timed restoring an earlier one's results for its input.

Timings on a shared machine are noisy: each command is judged by its CPU time (user + system,
which other processes do not inflate; ``--clock wall`` judges by the wall clock), the other
clock is printed beside it, and the load average with the table.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
MTCHECK = [sys.executable, "-m", "mtcheck"]
KB, MB = 1000, 1000 * 1000


def load_note() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


# -- inputs -----------------------------------------------------------------------------------


def _vocabulary() -> list[str]:
    words = []
    for line in (ROOT / "mtcheck" / "data" / "wordfreq.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, count = line.partition("\t")
        if word.isalpha() and count.isdigit() and int(count) >= 20:
            words.append(word)
    return words


def _seed_sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for para in re.split(r"\n\s*\n", text):
            para = " ".join(para.split())
            if para:
                out.append(para)
    return out


def news_text(size: int, seed: int = 12) -> str:
    """About ``size`` characters of news-like English in paragraphs: seed-story paragraphs
    (names, quotes, the damage the rules look for) between sentences of random common words."""
    rng = random.Random(seed)
    vocab = _vocabulary()
    seeds = _seed_sentences()
    parts: list[str] = ["Syrian militias came under attack in Deir ez-Zor province", ""]
    total = 0
    while total < size:
        if rng.random() < 0.5:
            para = rng.choice(seeds)
        else:
            sentences = []
            for _ in range(rng.randint(1, 4)):
                words = [rng.choice(vocab) for _ in range(rng.randint(6, 22))]
                words[0] = words[0].capitalize()
                sentences.append(" ".join(words) + rng.choice(".....?!"))
            para = " ".join(sentences)
        parts.append(para)
        parts.append("")
        total += len(para) + 2
    return "\n".join(parts) + "\n"


def one_word(size: int, seed: int = 7) -> str:
    """A single token of ``size`` lower-case letters: no space, no punctuation."""
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size)) + "\n"


def short_lines(count: int, seed: int = 3) -> str:
    """``count`` short lines (2-8 words each, some with a full stop, some glued words and
    lower-case months), one paragraph per line group."""
    rng = random.Random(seed)
    vocab = _vocabulary()
    lines = []
    for i in range(count):
        words = [rng.choice(vocab) for _ in range(rng.randint(2, 8))]
        if i % 7 == 0:
            words.append("saidthat")
        if i % 11 == 0:
            words += ["in", "may", "2017"]
        words[0] = words[0].capitalize()
        line = " ".join(words)
        if i % 3:
            line += "."
        lines.append(line)
        if i % 5 == 4:
            lines.append("")
    return "\n".join(lines) + "\n"


LONG_ENTRY_LETTERS = 3000


def long_gazetteer(folder: Path) -> Path:
    """A folder with a story, an mtcheck.toml and a user gazetteer holding a 3,000-letter entry
    (and an ordinary one, which must still work)."""
    rng = random.Random(5)
    cyr = "абвгдежзиклмнопрстуфхцчшщыэюя"
    long_ru = "".join(rng.choice(cyr) for _ in range(LONG_ENTRY_LETTERS)).capitalize()
    (folder / "names.tsv").write_text(
        "ru\ten\ttype\talso\n"
        f"{long_ru}\tLongname\tplace\n"
        "Жмеринка\tZhmerynka\tplace\tZhmerinka\n",
        encoding="utf-8",
    )
    (folder / "mtcheck.toml").write_text('gazetteer = ["names.tsv"]\n', encoding="utf-8")
    story = folder / "story.txt"
    story.write_text(news_text(20 * KB) + "\nThe train to Zhmerinka left at noon.\n", encoding="utf-8")
    return story


def _file(name: str, build: Callable[[], str]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / f"{name}.txt"
        path.write_text(build(), encoding="utf-8")
        return path

    return make


COMMANDS = ("rules", "scan", "fix")

CASES: dict[str, Callable[[Path], Path]] = {
    "word_100k": _file("word_100k", lambda: one_word(100 * KB)),
    "word_1m": _file("word_1m", lambda: one_word(1 * MB)),
    "word_5m": _file("word_5m", lambda: one_word(5 * MB)),
    "story_1m": _file("story_1m", lambda: news_text(1 * MB)),
    "story_5m": _file("story_5m", lambda: news_text(5 * MB)),
    "story_19m": _file("story_19m", lambda: news_text(19 * MB)),
    "lines_200k": _file("lines_200k", lambda: short_lines(200_000)),
    "gazetteer_3000": long_gazetteer,
}


# -- timing -----------------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Which clock judges a command: its CPU time (user + system; a shared, loaded machine does not
# inflate it, and the work is single-threaded, so on an idle machine it is the wall time), or
# the wall clock (--clock wall).
CLOCK = "cpu"


def command_env(cwd: Path, name: str) -> dict:
    """The environment of one timed command: this checkout's mtcheck, a cache folder of its own
    and a bytecode folder of its own (``warm_up`` prepares both). Bytecode is written even where
    PYTHONDONTWRITEBYTECODE is set (as on CI machines), into that folder, never into the
    checkout: an installed mtcheck has its bytecode (pip compiles it), and compiling the
    package's source in every timed process cost 0.2-0.3 s of each."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "MTCHECK_CACHE_DIR": str(cwd / f".cache-{name}"), "PYTHONPYCACHEPREFIX": str(cwd / f".bytecode-{name}")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up(cmd: list[str], path: Path, cwd: Path, name: str, timeout: float) -> None:
    """Runs ``cmd`` once, untimed, on a one-sentence story instead of ``path``, in the timed
    command's cache folder: what mtcheck builds once per installation and keeps (the gazetteer's
    index, and the modules' bytecode) is then in place, as on a desk that has run mtcheck before. The result store stays
    empty of the timed input: `fix` (which keeps results) is timed computing and storing them,
    never restoring a result an earlier run stored."""
    warm = cwd / "warm-up.txt"
    warm.write_text("Moscow said on Tuesday that talks would resume.\n", encoding="utf-8")
    args = [str(warm) if a == str(path) else str(cwd / "warm-up-out") if a == str(cwd / "fixed") else a for a in cmd]
    try:
        subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                       env=command_env(cwd, name))
    except subprocess.TimeoutExpired:
        pass  # the timed run reports what is wrong


def timed(cmd: list[str], cwd: Path, timeout: float, stdout_path: Path) -> tuple[float | None, int | None, str]:
    """Seconds (CPU or wall: ``CLOCK``; the other in the note), exit code and the last line
    of stderr; (None, None, ...) past the timeout. A traceback counts as a failure (exit code
    -1) whatever the exit code."""
    env = command_env(cwd, stdout_path.stem)
    start, cpu_start = time.perf_counter(), _children_cpu()
    with open(stdout_path, "wb") as out:
        try:
            proc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.PIPE, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return None, None, f"killed after {timeout:.0f} s"
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    err = proc.stderr.decode("utf-8", "replace")
    tail = err.strip().splitlines()
    rc = -1 if "Traceback (most recent call last)" in err else proc.returncode
    other = f"wall {elapsed:.2f} s" if CLOCK == "cpu" else f"cpu {cpu:.2f} s"
    return (cpu if CLOCK == "cpu" else elapsed), rc, "; ".join(filter(None, [other, tail[-1][:100] if tail else ""]))


# The rules alone, in a fresh interpreter: segmentation and every rule family, no CLI, no
# report (the CLI around them may be mid-refactor; this times what the rules cost).
_RULES_WORKER = r"""
import sys, time
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.rules import Context, families, select_rules
from mtcheck import tune_collector
tune_collector()  # as the CLI's entry point does
text = open(sys.argv[1], encoding="utf-8").read()
ctx = Context(config=Config(gazetteer=sys.argv[2:]), enabled=select_rules(), resources=frozenset())
start = time.perf_counter()
doc = Document.from_text(text, path=sys.argv[1])
n = 0
for family in families():
    n += sum(1 for _ in family.check(doc, ctx))
print(f"{n} findings in {time.perf_counter() - start:.2f} s", file=sys.stderr)
"""


def run_case(name: str, folder: Path, commands: list[str], timeout: float) -> list[tuple]:
    case_dir = folder / name
    case_dir.mkdir()
    path = CASES[name](case_dir)
    size = path.stat().st_size
    rows = []
    for command in commands:
        if command == "rules":
            gazetteer = [str(case_dir / "names.tsv")] if (case_dir / "names.tsv").exists() else []
            cmd = [sys.executable, "-c", _RULES_WORKER, str(path), *gazetteer]
        elif command == "scan":
            cmd = [*MTCHECK, "scan", "--no-neural", "--no-cache", "--format", "json", "--fail-on", "never", str(path)]
        else:
            cmd = [*MTCHECK, "fix", "--no-neural", "--fail-on", "never", "--out", str(case_dir / "fixed"), str(path)]
        warm_up(cmd, path, case_dir, command, timeout)
        seconds, rc, note = timed(cmd, case_dir, timeout, case_dir / f"{command}.out")
        rows.append((name, command, size, seconds, rc, note))
        print(_row(rows[-1]), flush=True)
    return rows


BUDGET_SECONDS, BUDGET_BYTES = 5.0, 5 * MB  # the target: under 5 s per 5 MB of input


def equivalent(seconds: float, size: int) -> float:
    """The criterion: seconds scaled to a 5 MB input for an input over 5 MB (the 19 MB story
    may take 19 s), the time itself for a smaller one (which must take under 5 s too)."""
    return seconds * BUDGET_BYTES / size if size > BUDGET_BYTES else seconds


def overhead_note(rows: list[tuple]) -> str:
    """What scan and fix add to the rules alone on one case (their seconds minus the rules'
    seconds, per 5 MB as the criterion scales them): the CLI's start-up, reading, the report,
    rewrites, the result store, the diff. '' unless the rules and one of them were timed."""
    seconds = {command: (secs, size) for _, command, size, secs, rc, _ in rows if secs is not None and rc in (0, 1)}
    if "rules" not in seconds:
        return ""
    rules, size = seconds["rules"]
    gaps = [f"{command} +{equivalent(secs - rules, size):.2f}"
            for command, (secs, _) in seconds.items() if command != "rules"]
    return f"# {rows[0][0]}: over the rules (s per 5 MB): {', '.join(gaps)}" if gaps else ""


def _row(row: tuple) -> str:
    name, command, size, seconds, rc, note = row
    took = f"{seconds:8.2f}" if seconds is not None else "   > " + note.split()[2]
    rate = f"{seconds / (size / MB):7.2f}" if seconds is not None else "      -"
    scaled = f"{equivalent(seconds, size):8.2f}" if seconds is not None else "       -"
    over = seconds is None or equivalent(seconds, size) > BUDGET_SECONDS or rc not in (0, 1)
    if rc in (0, 1):
        status = note if command == "rules" else note.split(";")[0]  # the other clock (and the rules' own line)
    else:
        status = f"FAILED rc={rc}: {note}" if rc is not None else note
    return f"{name:<16} {command:<5} {size / MB:9.3f} {took} {rate} {scaled} {'OVER' if over else 'ok':<4}  {status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--only", choices=COMMANDS, action="append",
                        help="time only this command (repeatable): rules (in-process rules alone), scan, fix")
    parser.add_argument("--timeout", type=float, default=120.0, help="wall seconds per command before it is killed (default 120)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="the clock that judges: the command's CPU time (default; a loaded machine does not inflate it) or wall time")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = args.clock
    if args.list:
        print("\n".join(CASES))
        return 0
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)} (see --list)")
    commands = args.only or list(COMMANDS)
    print(f"# mtcheck stress, {load_note()}; timeout {args.timeout:.0f} s per command; judged by {CLOCK} time")
    print("# criterion: 'per 5MB' = seconds scaled to 5 MB of input for inputs over 5 MB (seconds x 5 MB / size),"
          " the seconds themselves for smaller ones; each must be under 5 s")
    print(f"{'case':<16} {'cmd':<5} {'size MB':>9} {'seconds':>8} {'s/MB':>7} {'per 5MB':>8} {'':<4}")
    slow = 0
    with tempfile.TemporaryDirectory(prefix="mtcheck-stress-") as tmp:
        for name in args.cases or list(CASES):
            rows = run_case(name, Path(tmp), commands, args.timeout)
            for row in rows:
                _, _, size, seconds, rc, _ = row
                if seconds is None or equivalent(seconds, size) > BUDGET_SECONDS or rc not in (0, 1):
                    slow += 1
            note = overhead_note(rows)
            if note:
                print(note, flush=True)
    print(f"# {slow} command(s) over budget (5 s per 5 MB) or failed" if slow else "# every command within 5 s per 5 MB")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
