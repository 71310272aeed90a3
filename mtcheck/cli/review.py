"""``mtcheck review PATH``: the editor's review app, and ``--export`` of its decisions."""

from __future__ import annotations

import signal
import sqlite3
import sys
from pathlib import Path

import click

from mtcheck.cli.common import EXIT_OK, build_settings, check_rewrite, fail, rule_options, warn


@click.command()
@click.argument("path", type=click.Path())
@rule_options
@click.option("--rewrite/--no-rewrite", default=None,
              help="Propose scored rewrites of flagged sentences (default: on with --neural, off with --no-neural).")
@click.option("--include", multiple=True, metavar="GLOB", help="File patterns to take inside the folder (default: as scan: *.txt, *.md and the wire formats "
                   "*.json, *.xml, *.nitf, *.rss, *.atom, *.html, *.htm); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="File patterns to skip inside the folder; repeatable.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Review database (default: PATH/.mtcheck/review.sqlite, or [tool.mtcheck.review] db).")
@click.option("--reviewer", default=None, help="Name recorded with each decision (default: config review.reviewer, else the OS user).")
@click.option("--export", "export_dir", type=click.Path(file_okay=False), default=None,
              help="Do not serve: write cleaned copies with the accepted decisions, a .diff per changed file and decisions.json into this folder, then exit.")
@click.option("--export-dir", "export_to", type=click.Path(file_okay=False), default=None,
              help="Folder the page's Export button writes to (default: [tool.mtcheck.review] export-dir, "
                   "else PATH/.mtcheck/export/<time>).")
@click.option("--stats", "show_stats", is_flag=True,
              help="Do not serve: print per-rule acceptance rates of the decisions so far, and the config lines "
                   "that would quieten rules editors mostly reject, then exit.")
@click.option("--format", "stats_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output of --stats.")
@click.option("--host", default=None,
              help="Address to listen on (default 127.0.0.1, which refuses other machines). A non-loopback --host allows "
                   "connections from other machines; a loopback one (127.0.0.1, ::1, localhost) keeps every local-only check.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Port to listen on.")
@click.option("--browser/--no-browser", default=True, help="Open the review page in the default browser.")
@click.option("--verbose", is_flag=True, help="Log every request to standard error.")
@click.option("--move-damaged-db", is_flag=True,
              help="If the review database is damaged, rename it to <db>.damaged-<time> (kept, never deleted) and start a new one.")
def review(path, config_path, select, ignore, extend_select, unfixable, neural, parse, rewrite, include, exclude,
           db_path, reviewer, export_dir, export_to, show_stats, stats_format, host, port, browser, verbose,
           move_damaged_db):
    """Review suggested fixes and rewrites for a folder of stories in the browser.

    Serves a local page at once and scans what has not been scanned in the background
    (results are cached per file content in the review database; the page shows how many
    stories are ready). The queue lists the stories worst first; a story shows one card per
    sentence that needs attention, with the best proposal as a word diff to accept, reject or
    edit. Decisions are saved as they are made; a restarted session resumes. Originals are
    never modified: --export writes cleaned copies elsewhere. --stats reports what the
    decisions say about the rules. Exit codes: 0 ok, 2 usage or input errors.
    """
    from mtcheck.review.export import ExportError, export, os_user
    from mtcheck.review.session import discover_files
    from mtcheck.review.store import Store, StoreDamaged, StoreError

    target = Path(path)
    if not target.exists():
        fail(f"{path}: no such file or directory")
    settings = build_settings(config_path, [path], select=select, ignore=ignore, extend_select=extend_select, unfixable=unfixable,
                              neural=neural, parse=parse, include=include, exclude=exclude, cache=False)
    cfg = settings.config
    section = cfg.section("review")
    include, exclude = settings.include, settings.exclude
    root, files = discover_files(target, include, exclude)
    if not files:
        fail(f"{path}: no stories found (looked for {', '.join(include)})")

    if db_path is None and section.get("db"):
        db_path = str(Path(cfg.path).parent / section["db"]) if cfg.path else section["db"]
    db = Path(db_path) if db_path else root / ".mtcheck" / "review.sqlite"
    who = reviewer or section.get("reviewer") or os_user()

    def config_path_of(value: str) -> str:
        return str(Path(cfg.path).parent / value) if cfg.path else value

    reject_threshold = section.get("reject-threshold")
    if reject_threshold is not None and not 0.0 <= float(reject_threshold) <= 1.0:
        fail("[review] reject-threshold must lie in [0, 1]")
    stats_options = {k: v for k, v in (("threshold", reject_threshold), ("min_decisions", section.get("min-decisions")))
                     if v is not None}
    if export_to is None and (section.get("export-dir") or section.get("export_dir")):
        export_to = config_path_of(section.get("export-dir") or section.get("export_dir"))

    if show_stats:
        if export_dir is not None:
            fail("--stats does not go with --export")
        _print_stats(db, stats_options, stats_format)
        sys.exit(EXIT_OK)

    if export_dir is not None:
        if move_damaged_db:
            fail("--move-damaged-db does not go with --export: a new database holds no decisions to export")
        if not db.exists():
            fail(f"{db}: no review database (nothing has been reviewed in {root} yet)")
        try:
            store = Store(db)
            summary = export(root, files, store, Path(export_dir), who)
        except StoreDamaged as e:
            fail(f"{e}; its decisions cannot be exported. The file is left as it is: "
                 f"`sqlite3 {db} .recover` may salvage them")
        except (StoreError, ExportError) as e:
            fail(str(e))
        except OSError as e:
            fail(f"{export_dir}: cannot write the export: {e.strerror or e}")
        for item in summary["skipped"]:
            warn(f"{item['path']}: {item['error']}")
        for note in summary["notes"]:
            warn(note)
        if summary["stale"]:
            warn(f"{summary['stale']} decision(s) were made on an earlier version of their file and were not applied (see decisions.json)")
        click.echo(f"exported {summary['files']} stories to {summary['out']}: {summary['changed']} changed, "
                   f"{summary['applied']} decision(s) applied")
        sys.exit(EXIT_OK)

    from mtcheck.engine import Scanner
    from mtcheck.review.server import ReviewServer
    from mtcheck.review.session import ReviewSession, options_key

    # The review database keeps every scan (per file content), so the result store is off.
    settings = settings.but(rewrite=settings.neural if rewrite is None else rewrite)
    if settings.rewrite:
        settings = check_rewrite(settings)
    store = _open_store(db, move_damaged_db)
    scanner = Scanner(settings)
    session = ReviewSession(root, files, store, who, scanner=scanner, options_key=lambda: options_key(scanner),
                            progress=sys.stderr.isatty(), echo=warn)
    bind = host if host is not None else "127.0.0.1"
    try:  # listen first, serve at once: the page shows the scan's progress
        server = ReviewServer((bind, port), session, allow_remote=host is not None and not _loopback(bind), quiet=not verbose,
                              export_dir=Path(export_to) if export_to else None)
    except OSError as e:
        fail(f"cannot listen on {bind}:{port}: {e.strerror or e}")
    server.stats_options = stats_options

    def loaded(cached: int, scanned: int) -> None:
        readable = sum(1 for e in session.entries.values() if e.error is None)
        warn(f"{readable} stories ready ({cached} from the cache, {scanned} scanned); decisions in {db}")
        for e in session.entries.values():
            if e.error is not None:
                warn(f"{e.rel}: {e.error}")

    def load_failed(e: BaseException) -> None:
        if isinstance(e, sqlite3.DatabaseError):  # damage the open-time check did not see
            warn(f"{db}: the review database is damaged ({e}); rerun with --move-damaged-db to move it aside and start a new one")
        else:
            warn(f"the scan stopped: {type(e).__name__}: {e}")

    if host is not None and not _loopback(bind):
        warn(f"listening on {bind}: other machines can connect; they still need the session token in the URL")
    session.start(on_done=loaded, on_error=load_failed)
    click.echo(f"mtcheck review: {server.url}", nl=True)
    sys.stdout.flush()
    if browser:
        import webbrowser

        webbrowser.open(server.url)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
    warn("review stopped; decisions are saved")
    sys.exit(EXIT_OK)


def _print_stats(db: Path, options: dict, fmt: str) -> None:
    import json

    from mtcheck.review.stats import compute, render_text
    from mtcheck.review.store import Store, StoreError

    if not db.exists():
        fail(f"{db}: no review database (nothing has been reviewed there yet)")
    try:
        store = Store(db)
    except StoreError as e:
        fail(str(e))
    try:
        stats = compute(store.decisions(), **options)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(stats, ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(stats), nl=False)


def _open_store(db: Path, move_damaged: bool):
    """The review database; a damaged one is reported, and moved aside (kept) when asked
    with --move-damaged-db or, at a terminal, when the editor agrees."""
    from mtcheck.review.store import Store, StoreDamaged, StoreError, move_aside

    try:
        return Store(db)
    except StoreDamaged as e:
        if not move_damaged and sys.stdin.isatty() and sys.stderr.isatty():
            warn(str(e))
            move_damaged = click.confirm("Move it aside (it is kept) and start a new review database?", default=False, err=True)
        if not move_damaged:
            fail(f"{e}; rerun with --move-damaged-db to move it aside (it is kept) and start a new one")
        try:
            aside = move_aside(db)
        except (OSError, StoreError) as err:
            fail(f"{db}: cannot move the damaged database aside: {getattr(err, 'strerror', None) or err}")
        warn(f"{db}: damaged; moved aside to {aside} (kept), starting a new review database")
        try:
            return Store(db)
        except StoreError as err:
            fail(str(err))
    except StoreError as e:
        fail(str(e))


def _loopback(host: str) -> bool:
    from mtcheck.review.server import _is_loopback

    return host == "localhost" or _is_loopback(host)
