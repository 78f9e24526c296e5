"""Odoo-free tests of crm_campaign_mgmt.lib.lanes (the import's write lanes)."""

import threading
import time

import pytest

from crm_campaign_mgmt.lib.lanes import OrderedLanes


def test_results_come_back_in_submission_order():
    def work(item):
        time.sleep(0.03 if item % 2 == 0 else 0.0)  # even items finish last
        return item * 10

    results = []
    with OrderedLanes(work, 2) as lanes:
        for item in range(8):
            lanes.submit(item, tag=f"t{item}")
            results += lanes.finished()
        results += lanes.drain()
    assert results == [(f"t{item}", item * 10) for item in range(8)]


def test_at_most_workers_items_in_flight():
    running, peak, lock = [0], [0], threading.Lock()

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return item

    with OrderedLanes(work, 2) as lanes:
        done = []
        for item in range(10):
            lanes.submit(item)
            done += [result for _tag, result in lanes.finished()]
            assert len(lanes._pending) < 2  # noqa: SLF001 - the bound is the point
        done += [result for _tag, result in lanes.drain()]
    assert done == list(range(10))
    assert peak[0] == 2


def test_two_lanes_overlap_their_waits():
    def work(item):
        time.sleep(0.1)  # a lane waiting for the database releases the GIL
        return item

    started = time.monotonic()
    with OrderedLanes(work, 2) as lanes:
        for item in range(6):
            lanes.submit(item)
            list(lanes.finished())
        list(lanes.drain())
    assert time.monotonic() - started < 0.45  # 6 x 0.1 s one after the other: 0.6 s


def test_an_error_is_raised_in_its_turn_and_the_others_finish():
    finished = []

    def work(item):
        if item == 1:
            raise ValueError("row 1000: bad")
        time.sleep(0.02)
        finished.append(item)
        return item

    lanes = OrderedLanes(work, 2)
    got = []
    with pytest.raises(ValueError, match="row 1000"):
        for item in range(4):
            lanes.submit(item)
            for _tag, result in lanes.finished():
                got.append(result)
    lanes.close()
    assert got == [0]
    assert 0 in finished
    assert 3 not in finished


def test_no_workers_runs_inline():
    threads = []
    lanes = OrderedLanes(lambda item: threads.append(threading.current_thread()) or item, 0)
    lanes.submit(1, "a")
    assert list(lanes.finished()) == [("a", 1)]
    lanes.submit(2, "b")
    lanes.close()
    assert threads == [threading.current_thread()] * 2
