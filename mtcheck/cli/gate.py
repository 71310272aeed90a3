"""``mtcheck gate INBOX --accepted DIR --review DIR --rejected DIR``: the import gate.

Also ``mtcheck gate --check PATH...`` (the policy in CI, nothing moved) and
``mtcheck gate --explain FILE...`` (which rule of the policy decided, and why).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from mtcheck.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    build_settings,
    fail,
    rule_options,
    warn,
)
from mtcheck.gate.watch import SETTLE_INTERVALS
from mtcheck.settings import split_list

FOLDER = click.Path(file_okay=False)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(), metavar="INBOX | --check PATH...")
@click.option("--accepted", "accepted_dir", type=FOLDER, help="Folder for stories that pass the policy.")
@click.option("--review", "review_dir", type=FOLDER, help="Folder for stories an editor must see (report beside each).")
@click.option("--rejected", "rejected_dir", type=FOLDER,
              help="Folder for rejected stories: untranslated, badly damaged, bad input, duplicates (report beside each).")
@rule_options
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None,
              help="A TOML policy file (the [tool.mtcheck.gate] keys, at the top level or under [gate]); overrides config key by key.")
@click.option("--audit-log", type=click.Path(dir_okay=False), default=None,
              help="Append-only audit log (default: audit-log in the policy, else INBOX/.mtcheck-gate/gate.log.jsonl).")
@click.option("--check", is_flag=True,
              help="Evaluate the policy on PATH... in place (files or folders) and exit 0 if all would be accepted, 1 if not; nothing is moved or recorded. For CI.")
@click.option("--explain", is_flag=True, help="Like --check, and print for each file which rule of the policy decided and every check behind it.")
@click.option("--watch", is_flag=True,
              help="Keep running and gate stories as they arrive (a file is taken once it has been unchanged for --settle seconds, or at once when renamed in from a temporary name; never while its name is temporary); stop with SIGINT/SIGTERM.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True, help="Seconds between polls in --watch.")
@click.option("--settle", type=click.FloatRange(min=0), default=None,
              help="Seconds a file must stay unchanged before --watch takes it (default: 5 poll intervals). Longer than the pauses of the slowest writer that appends in place.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=None,
              help="Seconds to wait for another gate on the same inbox to finish (default: wait as long as it takes); then exit 2.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Parallel scanning, as in scan.")
@click.option("--include", multiple=True, metavar="GLOB", help="Files to take from the inbox (default: every file that is not hidden or temporary); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Files to leave in the inbox; repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per story; json: one summary object on standard output at the end.")
@click.option("--write-verdict", is_flag=True,
              help="Also record the verdict inside ninjs and NewsML-G2 items placed in the folders: the publication status "
                   "(accepted: usable; review, rejected: withheld) and, unless accepted, an editorial note with the reasons. "
                   "Nothing else in the file changes; the inbox file itself is never written.")
def gate(paths, accepted_dir, review_dir, rejected_dir, config_path, select, ignore, extend_select, unfixable, neural, parse,
         policy_file, audit_log, check, explain, watch, interval, settle, lock_timeout, jobs, include, exclude, fmt,
         write_verdict):
    """Gate an inbox of new wire stories: move each to accepted, review or rejected.

    A policy (defaults, then [tool.mtcheck.gate] in config, then --policy FILE) decides each
    story from its findings, the share of flagged sentences, the document quality (neural
    path) and its language: a story that is not English is rejected as untranslated. Beside
    every story not accepted goes NAME.mtcheck.json (the scan JSON, the verdict, the reasons).
    Every decision is appended to an audit log; a run killed at any moment is finished by
    the next one; two gates on one inbox take turns (the second waits for the lock).
    A symbolic link out of the inbox is rejected unread; a story that cannot be gated stays
    in the inbox with an audit record saying why, and the run goes on.

    \b
    Exit codes: 0 every story accepted; 1 some sent to review or rejected;
    2 errors (usage, config, policy, a story that could not be moved).
    --watch exits 0 when stopped by SIGINT/SIGTERM.
    """
    from mtcheck.gate.policy import PolicyError, build_policy

    in_place = check or explain
    if in_place and (accepted_dir or review_dir or rejected_dir or watch or write_verdict):
        fail("--check/--explain decide files in place: --accepted, --review, --rejected, --watch and --write-verdict do not apply")
    if not paths:
        fail("give an INBOX folder (or --check/--explain PATH...); see `mtcheck gate --help`")

    # The gate decides each story once and must judge the bytes in hand: no result store.
    # Inside an inbox every file is a candidate unless the flags or the config's include say otherwise.
    settings = build_settings(
        config_path, paths, select=select, ignore=ignore, extend_select=extend_select, unfixable=unfixable, neural=neural, parse=parse,
        rewrite=False, include=include, exclude=exclude, jobs=jobs, cache=False,
    )
    cfg = settings.config
    inbox_include = tuple(split_list(include)) or tuple(cfg.include) or ("*",)
    if settle is not None and not watch:
        fail("--settle applies to --watch only")
    try:
        policy = build_policy(cfg.section("gate"), cfg.path, policy_file)
    except PolicyError as e:
        fail(str(e))
    if cfg.neural:
        import importlib.util

        if importlib.util.find_spec("mtcheck.quality") is None:
            fail("the neural quality score (mtcheck.quality) is not available in this install; run with --no-neural")

    if in_place:
        scanner = _scanner(settings)
        sys.exit(_check_in_place(paths, scanner, policy, cfg.neural, explain, fmt))

    if len(paths) != 1:
        fail("gate takes one INBOX folder (use --check to evaluate several paths in place)")
    missing = [name for name, d in (("--accepted", accepted_dir), ("--review", review_dir), ("--rejected", rejected_dir)) if not d]
    if missing:
        fail(f"missing {', '.join(missing)}: where should the stories go?")
    inbox = Path(paths[0])
    if not inbox.is_dir():
        fail(f"{inbox}: inbox is not a folder")
    folders = {"accepted": Path(accepted_dir), "review": Path(review_dir), "rejected": Path(rejected_dir)}
    _check_folders(inbox, folders)
    audit_path = Path(audit_log) if audit_log else (Path(policy["audit-log"]) if policy["audit-log"] else None)
    scanner = _scanner(settings.but(include=inbox_include))
    sys.exit(_run_inbox(inbox, folders, scanner, policy, audit_path, cfg.neural,
                        list(inbox_include), list(settings.exclude), watch, interval,
                        settle if settle is not None else SETTLE_INTERVALS * interval, lock_timeout, fmt, write_verdict))


def _scanner(settings):
    from mtcheck.engine import Scanner
    from mtcheck.gate.run import preflight

    scanner = Scanner(settings)
    try:
        preflight(scanner)
    except Exception as e:  # noqa: BLE001 - whatever it is, no story could be judged
        hint = "; run with --no-neural" if settings.neural else ""
        fail(f"cannot scan: {type(e).__name__}: {e}{hint}")
    return scanner


def _check_folders(inbox: Path, folders: dict[str, Path]) -> None:
    from mtcheck.gate.run import STATE_DIR

    resolved = {name: p.resolve() for name, p in folders.items()}
    if len(set(resolved.values())) != len(resolved):
        fail("--accepted, --review and --rejected must be three different folders")
    for name, p in resolved.items():
        if p == inbox.resolve():
            fail(f"--{name} cannot be the inbox itself")
        if (inbox.resolve() / STATE_DIR) in (p, *p.parents):
            fail(f"--{name} cannot be inside the gate's state folder {STATE_DIR}")
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            fail(f"{folders[name]}: cannot create folder: {e.strerror or e}")


# -- moving stories ---------------------------------------------------------------------------

def _run_inbox(inbox, folders, scanner, policy, audit_path, neural, include, exclude, watch, interval, settle,
               lock_timeout, fmt, write_verdict=False) -> int:
    from mtcheck.gate.files import shown
    from mtcheck.gate.journal import JournalError
    from mtcheck.gate.lock import InboxLock, LockTimeout
    from mtcheck.gate.run import Gate, GateError
    from mtcheck.gate.watch import Settled, StopSignal

    g = Gate(inbox, folders, scanner, policy, audit_path, include, exclude, neural, write_verdict)
    stop = StopSignal(on_request=lambda name: warn(f"{name}: stopping after the story in hand")).install()
    lock = InboxLock(g.state_dir / "lock")
    outcomes = []

    def emit(o):
        outcomes.append(o)
        if fmt == "text":
            click.echo(_outcome_line(o))

    try:
        try:
            got = lock.acquire(lock_timeout, on_wait=lambda pid: warn(f"{inbox}: another gate (pid {pid}) holds this inbox; waiting"),
                               should_stop=stop)
        except LockTimeout as e:
            fail(str(e))
        except OSError as e:
            fail(f"{inbox}: cannot create the gate's lock: {e.strerror or e}")
        if not got:  # stopped while waiting for the lock
            _summary(g, outcomes, fmt)
            return EXIT_OK
        try:
            try:
                g.open()
            except OSError as e:
                fail(f"{g.audit.path}: cannot write the audit log: {e.strerror or e}")
            for o in g.recover():
                emit(o)
            if watch:
                settled = Settled(settle)
                # A file that reappears under the name of a story taken within this window
                # is the rest of that story (a writer appending after the take).
                g.watch_taken(max(60.0, 10 * settle))
                while not stop():
                    for o in g.process(settled.ready(g.candidates(), g.temporaries()), stop):
                        emit(o)
                        if o.error:
                            settled.failed(g.inbox / o.source)
                    for message in g.grown():
                        warn(message)
                    _sleep(interval, stop)
            else:
                for o in g.process(g.candidates(), stop):
                    emit(o)
        except ImportError as e:
            fail(f"the neural path cannot load ({e}); run with --no-neural")
        except (JournalError, GateError) as e:
            fail(shown(f"{inbox}: {e}"))
        except OSError as e:
            where = f" ({e.filename})" if e.filename else ""
            fail(shown(f"{inbox}: {e.strerror or e}{where}"))
        finally:
            lock.release()
    except KeyboardInterrupt:  # a second signal: the journal lets the next run finish the story
        warn("stopped at once; the next run finishes any story in hand")
        return EXIT_ERROR
    finally:
        stop.restore()

    left = len(g.candidates()) if stop() and not watch else 0
    if left:
        warn(f"stopped by signal: {left} stories left in the inbox for the next run")
    _summary(g, outcomes, fmt)
    if any(o.error for o in outcomes) or left:
        return EXIT_ERROR
    if watch:
        return EXIT_OK
    return EXIT_FINDINGS if any(o.verdict not in (None, "accepted") for o in outcomes) else EXIT_OK


def _sleep(seconds: float, stop) -> None:
    end = time.monotonic() + seconds
    while not stop() and time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def _outcome_line(o) -> str:
    from mtcheck.gate.files import shown  # a story name need not be UTF-8 or printable

    if o.error:
        return shown(f"error     {o.source}: {o.error}")
    tag = " (recovered: finished an interrupted move)" if o.recovered else ""
    why = ""
    if o.verdict != "accepted" and o.reasons:
        first = next((r for r in o.reasons if r["rule"] == o.decided_by), o.reasons[0])
        why = f"  [{first['rule']}: {first['message']}]"
    if o.items:
        from collections import Counter

        counts = Counter(i["verdict"] for i in o.items)
        tag += f" ({len(o.items)} items: " + ", ".join(f"{counts[v]} {v}" for v in ("accepted", "review", "rejected") if counts[v]) \
            + "; placed by the worst)"
    return shown(f"{o.verdict:<9} {o.source} -> {o.dest}{why}{tag}")


def _counts(verdicts_and_errors) -> dict:
    counts = {"accepted": 0, "review": 0, "rejected": 0, "errors": 0}
    for verdict, error in verdicts_and_errors:
        counts["errors" if error else verdict] += 1
    return counts


def _summary(g, outcomes, fmt) -> None:
    from mtcheck.gate.files import dumps, shown

    counts = _counts((o.verdict, o.error) for o in outcomes)
    if fmt == "json":
        click.echo(dumps({
            "version": 1,
            "inbox": str(g.inbox),
            "folders": {k: str(v) for k, v in g.folders.items()},
            "audit_log": str(g.audit.path),
            "neural": g.neural,
            "counts": counts,
            "stories": [o.to_dict() for o in outcomes],
            "recovered": sum(o.recovered for o in outcomes),
            "policy": g.policy.to_dict(),
            "policy_sources": list(g.policy.sources),
            "signature": g.signature,
        }, indent=1))  # dumps: an undecodable name is escaped as \udcXX, the output stays UTF-8
        return
    total = sum(counts.values())
    click.echo(f"gate: {total} stories: {counts['accepted']} accepted, {counts['review']} review, "
               f"{counts['rejected']} rejected, {counts['errors']} errors; audit log {shown(g.audit.path)}")


# -- deciding in place ------------------------------------------------------------------------

def _check_in_place(paths, scanner, policy, neural, explain, fmt) -> int:
    from mtcheck.gate.files import dumps, shown
    from mtcheck.gate.policy import explain as explain_text
    from mtcheck.gate.run import check_in_place

    rows = []
    try:
        results = list(check_in_place(paths, scanner, policy, neural))
    except ImportError as e:
        fail(f"the neural path cannot load ({e}); run with --no-neural")
    for path, story, decision in results:
        if decision is None:
            msg = story.error.message if story.error else "cannot be judged"
            warn(shown(f"{path}: {msg}"))
            rows.append({"path": path, "verdict": None, "error": msg})
            continue
        d = decision.decided_by
        rows.append({"path": path, "verdict": decision.verdict, "decided_by": d.rule if d else None,
                     "reasons": decision.reason_records(), "notes": decision.notes,
                     "metrics": decision.metrics.to_dict() if decision.metrics else None, "hash": story.hash})
        if fmt == "text":
            if explain:
                click.echo("\n".join(shown(line) for line in explain_text(path, decision, policy).splitlines()))
            else:
                why = f"  [{d.rule}: {d.detail}]" if d else ""
                click.echo(shown(f"{decision.verdict:<9} {path}{why}"))
    counts = _counts((r["verdict"], r.get("error")) for r in rows)
    if fmt == "json":
        click.echo(dumps({"version": 1, "mode": "explain" if explain else "check", "counts": counts,
                          "stories": rows, "neural": neural, "policy": policy.to_dict(),
                          "policy_sources": list(policy.sources), "signature": scanner.signature()}, indent=1))
    elif not explain:
        click.echo(f"gate --check: {len(rows)} stories: {counts['accepted']} accepted, {counts['review']} review, "
                   f"{counts['rejected']} rejected, {counts['errors']} errors")
    if counts["errors"]:
        return EXIT_ERROR
    return EXIT_FINDINGS if counts["review"] or counts["rejected"] else EXIT_OK
