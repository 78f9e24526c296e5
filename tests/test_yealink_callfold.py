"""crm_yealink.lib.callfold: events of one call folded into one record, in any order."""

import itertools
from datetime import datetime, timedelta

import pytest

from crm_yealink.lib.callfold import fold

T0 = datetime(2026, 11, 23, 10, 0, 0)


def seq(*pairs):
    return [(name, T0 + timedelta(seconds=offset)) for name, offset in pairs]


def test_incoming_answered():
    summary = fold(seq(("incoming_call", 0), ("call_established", 7), ("call_terminated", 127)))
    assert (summary.direction, summary.state, summary.ring_seconds, summary.talk_seconds) == ("in", "answered", 7, 120)
    assert summary.final and summary.ring_start == T0 and summary.end_time == T0 + timedelta(seconds=127)


@pytest.mark.parametrize("events,direction,state", [
    ([("incoming_call", 0), ("missed_call", 20)], "in", "missed"),
    ([("incoming_call", 0), ("call_remote_canceled", 9), ("call_terminated", 9)], "in", "missed"),
    ([("incoming_call", 0), ("reject_incoming_call", 3)], "in", "rejected"),
    ([("incoming_call", 0), ("forward_incoming_call", 2)], "in", "transferred"),
    ([("incoming_call", 0), ("call_established", 2), ("blind_transfer_call", 30), ("call_terminated", 30)],
     "in", "transferred"),
    ([("outgoing_call", 0), ("remote_busy", 4), ("call_terminated", 4)], "out", "busy"),
    ([("outgoing_call", 0), ("cancel_callout", 6)], "out", "cancelled"),
    ([("outgoing_call", 0), ("call_terminated", 25)], "out", "cancelled"),
    ([("outgoing_call", 0), ("call_established", 5), ("hold", 10), ("unhold", 20), ("call_terminated", 65)],
     "out", "answered"),
    ([("outgoing_call", 0), ("call_established", 5)], "out", "talking"),
    ([("incoming_call", 0)], "in", "ringing"),
])
def test_outcomes(events, direction, state):
    summary = fold(seq(*events))
    assert (summary.direction, summary.state) == (direction, state)


def test_order_and_duplicates_do_not_matter():
    events = seq(("incoming_call", 0), ("call_established", 7), ("call_terminated", 127))
    expected = fold(events)
    for perm in itertools.permutations(events + events[:1]):
        assert fold(perm) == expected


def test_reordered_reception_never_gives_negative_durations():
    summary = fold(seq(("call_terminated", 0), ("call_established", 1), ("incoming_call", 2)))
    assert (summary.state, summary.ring_seconds, summary.talk_seconds) == ("answered", 0, 0)


def test_direction_hint_and_empty():
    assert fold([], direction_hint="out").state == "dialing"
    assert fold(seq(("call_established", 0)), direction_hint="out").direction == "out"
    assert fold(seq(("call_established", 0))).direction == ""
