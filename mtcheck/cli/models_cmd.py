"""``mtcheck models``: which model plays each role, where it resolves from, whether it is ready.

``mtcheck models`` lists the roles (looking at the disk only: nothing is loaded, nothing is
downloaded); ``mtcheck models prepare`` runs every one-time conversion ahead of time (the
fluency GGUF into the model cache), so that the first scan does not pay for it; ``mtcheck
models pull`` downloads the back-translation models where the hub can be reached.
"""

from __future__ import annotations

import json
import os
import sys

import click

from mtcheck.cli.common import EXIT_ERROR, fail, resolve_config

CACHE_DIR_HELP = "Model and result cache folder (default: $MTCHECK_CACHE_DIR, else the user cache directory)."


def _apply_cache_dir(cache_dir: str | None) -> None:
    if cache_dir:
        from mtcheck import locations

        locations.configure(cache_dir)


def _short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home not in ("", "/") and path.startswith(home + os.sep) else path


def _human_size(n: int) -> str:
    if not n:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


@click.group(invoke_without_command=True)
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help=CACHE_DIR_HELP)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Settings file whose [tool.mtcheck.translation] table picks the translation models.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per role; json: one object per role.")
@click.pass_context
def models(ctx, cache_dir, config_path, fmt):
    """List the model roles: where each resolves from, whether it is ready, its size.

    \b
    Roles: fluency (sentence language model), fluency-baseline and quality (trained
    artifacts under models/), similarity (sentence embeddings), parse (spaCy pipeline),
    translate-en-ru / translate-ru-en (back-translation), fix-score. The last line names
    the processor kernels the fluency numbers come from (MTCHECK_KERNELS: avx2, the default,
    avx512_vnni or auto; the quality and fix-score models are fitted on each).
    Subcommands: prepare (one-time conversions ahead of time), pull (download the
    translation models, when the translation layer is installed).
    Exit codes: 0 listed (even if some roles are not ready), 2 usage or config errors.
    """
    _apply_cache_dir(cache_dir)
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    if ctx.invoked_subcommand is not None:
        return
    from mtcheck.neural import inventory

    cfg = resolve_config(config_path, [])
    try:
        records = inventory.statuses(cfg)
    except Exception as e:  # a malformed registry or hook: one line, not a traceback
        fail(f"cannot resolve the model roles: {type(e).__name__}: {e}")
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    width = max(len(r["role"]) for r in records)
    click.echo(f"{'ROLE':{width}}  {'SOURCE':8}  {'READY':5}  {'SIZE':>8}  WHERE")
    for r in records:
        where = _short(r.get("prepared") or r.get("location") or r.get("model") or "-")
        if r.get("prepared") and r.get("location"):
            where = f"{_short(r['prepared'])} (from {_short(r['location'])})"
        line = f"{r['role']:{width}}  {r['source']:8}  {'yes' if r['ready'] else 'no':5}  {_human_size(r['size_bytes']):>8}  {where}"
        click.echo(line)
        if not r["ready"] and r.get("reason"):
            click.echo(f"{'':{width}}  {'':8}  {'':5}  {'':>8}  ↳ {r['reason']}")
    click.echo(_kernels_line())


def _kernels_line() -> str:
    from mtcheck import kernels

    here, best = kernels.family(), kernels.best_family()
    line = f"kernels: {here or kernels.label() + ' (no quality model is fitted on these)'}"
    if here != best and best != kernels.DEFAULT_FAMILY:
        line += f"; this processor also runs {best} (MTCHECK_KERNELS=auto: about twice as fast, see models/QUALITY_CARD.md)"
    return line


@models.command()
@click.argument("roles", nargs=-1)
@click.option("--progress/--no-progress", default=None, help="Show progress bars (default: only on a terminal).")
def prepare(roles, progress):
    """Run the one-time model conversions now (default: every role that has one).

    The fluency model's GGUF is de-quantized into safetensors in the model cache (about
    30 s, once); roles shipped ready to load need nothing. Safe to run while scans run:
    conversions are atomic and locked. Exit codes: 0 all ready, 2 a conversion failed.
    """
    from mtcheck.neural import inventory, registry
    from mtcheck.neural.cache import show_progress

    known = list(registry.roles())
    unknown = [r for r in roles if r not in known]
    if unknown:
        fail(f"unknown model role {unknown[0]!r} (known: {', '.join(known)})")
    targets = list(roles) or [r for r in known if "prepare" in registry.roles()[r]]
    progress = show_progress() if progress is None else progress
    failed = False
    from tqdm.auto import tqdm

    bar = tqdm(targets, desc="mtcheck: preparing models", unit="role", disable=not progress or len(targets) < 2,
               file=sys.stderr)
    for role in bar:
        bar.set_postfix_str(role)
        if "prepare" not in registry.roles()[role]:
            click.echo(f"{role}: nothing to convert", err=True)
            continue
        before = inventory.status(role)
        try:
            path = registry.prepare(role, progress=progress)
        except Exception as e:  # conversion errors become one line each
            click.echo(f"mtcheck: error: {role}: cannot prepare: {type(e).__name__}: {e}", err=True)
            failed = True
            continue
        state = "already prepared" if before["ready"] else "prepared"
        size = inventory.status(role)["size_bytes"]
        click.echo(f"{role}: {state} at {path} ({_human_size(size)})", err=True)
    if failed:
        sys.exit(EXIT_ERROR)


@models.command("pull")
@click.option("--translator-en-ru", default=None, metavar="ID|DIR", help="English->Russian model (default: config, MTCHECK_TRANSLATOR_EN_RU, Helsinki-NLP/opus-mt-en-ru).")
@click.option("--translator-ru-en", default=None, metavar="ID|DIR", help="Russian->English model (default: config, MTCHECK_TRANSLATOR_RU_EN, Helsinki-NLP/opus-mt-ru-en).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Settings file (default: the nearest one above the current folder).")
@click.option("--revision", default=None, help="Hub revision (branch, tag or commit) to download.")
def pull(translator_en_ru, translator_ru_en, config_path, revision):
    """Download the back-translation models into the Hugging Face cache.

    Shows a progress bar per file. Models given as local directories need no download.
    Exit codes: 0 all models present, 2 a download failed (offline, unknown id, disk full).
    """
    from mtcheck.neural.translate import TranslatorUnavailable
    from mtcheck.neural.translate import pull as pull_models
    from mtcheck.settings import resolve

    cfg = resolve(resolve_config(config_path, []), translator_en_ru=translator_en_ru, translator_ru_en=translator_ru_en).config
    try:
        failed = pull_models(cfg, revision, echo=lambda message: click.echo(message, err=True))
    except TranslatorUnavailable as e:
        fail(str(e))
    if failed:
        raise SystemExit(EXIT_ERROR)
