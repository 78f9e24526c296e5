"""Fold the Action URL events of one call into one call record (order-independent).

A phone reports events of a call (same ``$call_id``) as separate GET requests, with no
timestamp and no duration; they may be repeated or arrive out of order. The record is
therefore a pure function of the *set* of events received, each with the time it was
first received: folding the same set in any order gives the same result, and a
duplicate changes nothing.

Durations are computed from reception times (``call_established`` -> ``call_terminated``);
when the requests were reordered in transit, a negative span is clamped to zero. The PBX's
call record (CDR), when a PBX feed is configured, later replaces them with exact figures.
"""

from dataclasses import dataclass

INCOMING_EVENTS = frozenset({
    "incoming_call", "missed_call", "forward_incoming_call", "reject_incoming_call", "answer_new_incoming_call",
})
OUTGOING_EVENTS = frozenset({"outgoing_call", "remote_busy", "cancel_callout"})
ESTABLISHED_EVENTS = frozenset({"call_established", "answer_new_incoming_call"})
TRANSFER_EVENTS = frozenset({
    "transfer_call", "blind_transfer_call", "attended_transfer_call", "transfer_finished", "forward_incoming_call",
})
END_EVENTS = frozenset({
    "call_terminated", "missed_call", "reject_incoming_call", "remote_busy", "cancel_callout",
    "call_remote_canceled", "forward_incoming_call", "transfer_finished",
})
START_EVENTS = ("incoming_call", "outgoing_call")

STATES = ("dialing", "ringing", "talking", "answered", "missed", "rejected", "busy", "cancelled", "transferred")
FINAL_STATES = frozenset({"answered", "missed", "rejected", "busy", "cancelled", "transferred"})
CALLBACK_STATES = frozenset({"missed", "rejected"})


@dataclass(frozen=True)
class CallSummary:
    direction: str  # "in" | "out" | "" (not known from these events)
    state: str
    ring_start: object  # datetime or None
    answer_time: object
    end_time: object
    ring_seconds: int
    talk_seconds: int

    @property
    def final(self):
        return self.state in FINAL_STATES


def _seconds(start, end):
    if not start or not end:
        return 0
    return max(0, int(round((end - start).total_seconds())))


def first_times(events):
    """``{event: earliest reception time}`` of an iterable of ``(event, time)``."""
    times = {}
    for name, when in events:
        if name not in times or (when is not None and (times[name] is None or when < times[name])):
            times[name] = when
    return times


def fold(events, direction_hint=""):
    """Fold ``(event name, reception time)`` pairs into a :class:`CallSummary`.

    ``direction_hint`` is used when no event tells the direction (e.g. a call dialed from
    Odoo, ``"out"``, whose ``outgoing_call`` request has not arrived yet)."""
    times = first_times(events)
    names = set(times)
    if names & INCOMING_EVENTS:
        direction = "in"
    elif names & OUTGOING_EVENTS:
        direction = "out"
    else:
        direction = direction_hint or ""

    established = bool(names & ESTABLISHED_EVENTS)
    ended = bool(names & END_EVENTS)
    if names & TRANSFER_EVENTS:
        state = "transferred"
    elif established:
        state = "answered" if ended else "talking"
    elif "reject_incoming_call" in names:
        state = "rejected"
    elif "remote_busy" in names:
        state = "busy"
    elif "missed_call" in names:
        state = "missed"
    elif "cancel_callout" in names:
        state = "cancelled"
    elif ended:
        # hung up before anyone answered: the caller gave up (incoming: missed) or we did
        state = "missed" if direction == "in" else "cancelled"
    elif names:
        state = "ringing"
    else:
        state = "dialing"

    known = [t for t in times.values() if t is not None]
    starts = [times[name] for name in START_EVENTS if times.get(name) is not None]
    ring_start = min(starts) if starts else (min(known) if known else None)
    answers = [times[name] for name in ESTABLISHED_EVENTS if times.get(name) is not None]
    answer_time = min(answers) if answers else None
    if "call_terminated" in names and times["call_terminated"] is not None:
        end_time = times["call_terminated"]
    else:
        ends = [times[name] for name in END_EVENTS if times.get(name) is not None]
        end_time = min(ends) if ends else None

    ring_seconds = _seconds(ring_start, answer_time or end_time)
    talk_seconds = _seconds(answer_time, end_time) if established else 0
    return CallSummary(
        direction=direction,
        state=state,
        ring_start=ring_start,
        answer_time=answer_time,
        end_time=end_time,
        ring_seconds=ring_seconds,
        talk_seconds=talk_seconds,
    )
