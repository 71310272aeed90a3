"""``mtcheck cache info|clear``: look at or empty the result cache."""

from __future__ import annotations

import time

import click

from mtcheck.cli.common import fail

_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False), default=None,
    help="Base folder of mtcheck's caches (default: $MTCHECK_CACHE_DIR or the user cache folder); the results are in results.sqlite there.",
)


@click.group()
def cache():
    """The result cache: analyses of unchanged stories are reused by `mtcheck scan`.

    Entries are keyed by the story's text, the settings, the rule set and the model versions,
    so a changed story, setting or model is analysed afresh; `scan --no-cache` bypasses it.
    """


@cache.command()
@_DIR_OPTION
def info(cache_dir):
    """Where the cache is, how many documents and sentences it holds, its size on disk."""
    from mtcheck.cache import CacheUnavailable, ResultCache, db_path

    store = ResultCache(db_path(cache_dir))
    try:
        data = store.info()
    except CacheUnavailable as e:
        fail(f"cannot read the result cache: {e} (`mtcheck cache clear` resets it)")
    finally:
        store.close()
    click.echo(f"path: {data['path']}")
    if not data["exists"]:
        click.echo("empty (no cache file yet)")
        return
    click.echo(f"documents: {data['documents']}")
    click.echo(f"sentences: {data['sentences']}")
    click.echo(f"size: {_size(data['bytes'])}")
    if data["oldest"] is not None:
        click.echo(f"entries from {_when(data['oldest'])} to {_when(data['newest'])}")


@cache.command()
@_DIR_OPTION
def clear(cache_dir):
    """Delete every cached result (a cache file that is not a readable database is removed)."""
    from mtcheck.cache import CacheUnavailable, ResultCache, db_path, remove_files

    path = db_path(cache_dir)
    if not path.exists():
        click.echo(f"nothing to clear: {path} does not exist")
        return
    store = ResultCache(path)
    try:
        n = store.clear()
        click.echo(f"cleared {n} entries from {path}")
    except CacheUnavailable as e:
        store.close()
        try:
            removed = remove_files(path)
        except OSError as err:
            fail(f"cannot clear the result cache: {e}; removing it failed too: {err.strerror or err}")
        click.echo(f"removed unreadable cache file {path} ({len(removed)} file{'s' if len(removed) != 1 else ''})")
    finally:
        store.close()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))
