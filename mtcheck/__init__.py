"""mtcheck: a translation-quality checker for machine-translated news."""

__version__ = "0.1.0"

from mtcheck import kernels as _kernels

# One of two known sets of numbers on every x86 machine (the quality model is fitted on each):
# set before ctranslate2 or torch is loaded, as they read it once. See mtcheck/kernels.py.
_kernels.pin()


def tune_collector() -> None:
    """Collect the young generation rarely and keep what start-up imported out of it.

    A run builds millions of small objects that live until it ends (sentences, findings,
    spans, source maps); the cyclic collector walked them again and again, a sixth of the
    CPU time of `fix` on 200,000 short lines (31 s -> 26 s). Reference counting frees the
    rest. Called by the CLI's entry point and by each worker process, which run the same
    stages.
    """
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
