"""The cyclic collector is off while an audit plans, and comes back as it was."""

from __future__ import annotations

import gc

import pytest

from watcher_celery.decision_engine.gc_pause import gc_paused


def test_the_collector_is_off_inside_and_on_again_after_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("strategy failed")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
