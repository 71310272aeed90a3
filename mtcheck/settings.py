"""The resolved settings of one run: built once per command, passed explicitly.

Three sources, each overriding the one before:

1. ``MTCHECK_*`` environment variables: ``MTCHECK_CACHE_DIR`` (cache base folder),
   ``MTCHECK_TRANSLATOR_EN_RU`` / ``MTCHECK_TRANSLATOR_RU_EN`` (back-translation models),
   ``MTCHECK_FLUENCY_BACKEND``, ``MTCHECK_FLUENCY_QUANTIZE``, ``MTCHECK_DEVICE`` (how the
   fluency model runs);
2. the configuration file (``mtcheck.toml`` or ``[tool.mtcheck]`` in ``pyproject.toml``);
3. command-line flags.

``resolve`` merges a loaded ``Config`` with the flags into a ``Settings`` without changing
the ``Config``; everything downstream (the pipeline, the scan loop, the backends, worker
processes) receives that object and reads nothing else. The environment is read here and in
the model layer for its own model choices, never used to carry settings between modules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

from mtcheck.config import Config
from mtcheck.locations import CACHE_ENV
from mtcheck.reader import DEFAULT_INCLUDE

MAX_JOBS = 512  # more worker processes than this is a typo, not a machine
DEFAULT_BATCH_SIZE = 64  # documents per analysis batch: the neural stage batches across them


class SettingsError(ValueError):
    """Settings that do not fit together or a bad value; one line."""


@dataclass(frozen=True)
class Settings:
    config: Config = field(default_factory=Config)  # the file's settings with the flags folded in
    neural: bool = True  # fluency/quality scoring (torch or CTranslate2)
    parse: bool = True  # spaCy parse for the syntax rules
    rewrite: bool = False
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    jobs: int = 1  # processes for the rule work (mtcheck.parallel); 0 = one per core
    cache: bool = False  # the persistent result store (mtcheck.cache); the CLI turns it on
    cache_dir: str | None = None  # the cache base folder (None: mtcheck.locations default)
    dask: str | None = None  # a Dask scheduler address, or "local[:N]" (mtcheck.distributed)
    batch_size: int = DEFAULT_BATCH_SIZE

    @classmethod
    def defaults(cls, config: Config | None = None, **overrides) -> "Settings":
        """Settings from a config alone (library use and tests): the config's own choices."""
        config = config or Config()
        base = cls(config=config, neural=config.neural, parse=config.parse and config.neural, rewrite=config.rewrite,
                   include=tuple(config.include) or DEFAULT_INCLUDE, exclude=tuple(config.exclude))
        return replace(base, **overrides)

    def but(self, **changes) -> "Settings":
        return replace(self, **changes)

    def for_worker(self) -> "Settings":
        """What a worker process builds its pipeline from: one process, no store, no cluster."""
        return replace(self, jobs=1, cache=False, dask=None)


def split_list(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def resolve(
    config: Config,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    unfixable: Sequence[str] = (),
    neural: bool | None = None,
    parse: bool | None = None,
    rewrite: bool | None = None,
    unsafe_fixes: bool | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jobs: int | None = None,
    cache: bool | None = None,
    cache_dir: str | None = None,
    dask: str | None = None,
    translator_en_ru: str | None = None,
    translator_ru_en: str | None = None,
    batch_size: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Flags over config over environment. ``None``/empty flags leave the config's value."""
    from mtcheck.rules import SelectorError, validate_selectors

    env = os.environ if env is None else env
    where = f"{config.path}: " if config.path else ""
    cfg = replace(config, sections={k: dict(v) for k, v in config.sections.items()})
    if select:
        # As in ruff, a --select on the command line starts the selection afresh: the
        # config's select, extend-select and ignore give way (--ignore below still applies).
        cfg.select, cfg.ignore, cfg.extend_select = split_list(select), [], []
    if ignore:
        cfg.ignore = cfg.ignore + split_list(ignore)
    if extend_select:
        cfg.extend_select = cfg.extend_select + split_list(extend_select)
    if unfixable:
        cfg.unfixable = cfg.unfixable + split_list(unfixable)
    try:
        validate_selectors(cfg.select + cfg.ignore + cfg.extend_select + list(cfg.severity) + cfg.unfixable
                           + [c for codes in cfg.per_file_ignores.values() for c in codes])  # mtcheck.suppress
    except SelectorError as e:
        raise SettingsError(f"{where}{e}") from None
    if neural is not None:
        cfg.neural = neural
    cfg.parse = parse if parse is not None else (cfg.parse and cfg.neural)
    if rewrite is not None:
        cfg.rewrite = rewrite
    if unsafe_fixes is not None:
        cfg.unsafe_fixes = unsafe_fixes
    translation = cfg.sections.get("translation", {})
    if translator_en_ru:
        translation["en-ru"] = translator_en_ru
    if translator_ru_en:
        translation["ru-en"] = translator_ru_en
    if translation:
        cfg.sections["translation"] = translation

    n_jobs = cfg.jobs if jobs is None else jobs
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or not 0 <= n_jobs <= MAX_JOBS:
        raise SettingsError(f"{where if jobs is None else ''}'jobs' must be 0 (one per core) to {MAX_JOBS}, got {n_jobs}")
    if dask and jobs is not None and jobs != 1:
        raise SettingsError("--jobs and --dask do not combine: with --dask the cluster's workers do the work")

    folder = cache_dir
    if folder is None and isinstance(cfg.cache, str):
        folder = os.path.join(os.path.dirname(cfg.path or ""), os.path.expanduser(cfg.cache))
    if folder is None and env.get(CACHE_ENV):
        folder = env[CACHE_ENV]
    enabled = cache if cache is not None else cfg.cache is not False
    return Settings(
        config=cfg,
        neural=cfg.neural,
        parse=cfg.parse,
        rewrite=cfg.rewrite,
        include=tuple(split_list(include)) or tuple(cfg.include) or DEFAULT_INCLUDE,
        exclude=tuple(split_list(exclude)) or tuple(cfg.exclude),
        jobs=1 if dask else n_jobs,
        cache=enabled,
        cache_dir=str(Path(folder).expanduser()) if folder else None,
        dask=dask,
        batch_size=batch_size or DEFAULT_BATCH_SIZE,
    )
