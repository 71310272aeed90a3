"""mtcheck.collector: the pause freezes what it leaves alive; the next batch hands it back."""

from __future__ import annotations

import gc
import weakref

import pytest

from mtcheck import collector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def collecting():
    """The collector enabled and nothing frozen at the start; start-up's state restored after."""
    was_enabled = gc.isenabled()
    gc.unfreeze()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_paused_disables_then_restores_and_freezes_the_survivors(collecting):
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: stays paused at the inner exit
            kept = [_Node() for _ in range(10)]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_a_pause_inside_a_paused_caller_leaves_it_paused(collecting):
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0  # only the outermost pause freezes


def test_cyclic_garbage_frozen_by_one_batch_is_freed_after_the_next_starts(collecting, monkeypatch):
    monkeypatch.setattr(collector, "_batches", 0)
    collector.next_batch()  # the first batch: nothing handed back
    with collector.paused():
        node = _Node()
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is not None  # frozen: not even a full collection walks it
    collector.next_batch()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None


def test_a_process_without_batches_hands_its_frozen_objects_back_now_and_then(collecting, monkeypatch):
    monkeypatch.setattr(collector, "PAUSES_PER_THAW", 3)
    monkeypatch.setattr(collector, "_pauses", 0)
    nodes = []
    for _ in range(3):
        with collector.paused():
            nodes.append(_Node())
    assert gc.get_freeze_count() >= 3
    with collector.paused():  # the fourth pause: everything back to the collector
        pass
    assert gc.get_freeze_count() == 0
    alive = weakref.ref(nodes[0])
    del nodes
    gc.collect()
    assert alive() is None
