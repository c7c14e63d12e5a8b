"""Tagging workers of a large import never outlive the process that started them."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from terminal.pipeline import _exit_with_parent


def _linger(parent: int) -> None:
    _exit_with_parent(parent)
    time.sleep(60)


def test_a_worker_whose_importer_is_gone_exits_by_itself():
    gone = os.getpid() + 10_000_000  # not this child's parent: as if the importer had died
    child = multiprocessing.get_context("spawn").Process(target=_linger, args=(gone,))
    child.start()
    child.join(timeout=15)
    assert child.exitcode == 0


def test_a_worker_whose_importer_lives_keeps_working():
    child = multiprocessing.get_context("spawn").Process(target=_linger, args=(os.getpid(),))
    child.start()
    child.join(timeout=3)
    try:
        assert child.is_alive()
    finally:
        child.kill()
        child.join()


def test_an_import_collects_garbage_less_often_and_restores_the_setting():
    import gc

    from terminal.pipeline import GC_THRESHOLD, few_collections

    before = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold()[0] == GC_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), few_collections():
        raise RuntimeError("a failing batch")
    assert gc.get_threshold() == before
