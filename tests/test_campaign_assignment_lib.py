"""Odoo-free tests of the campaign assignment algorithms (crm_campaign_mgmt/lib/assignment.py)."""

from collections import Counter

import pytest

from crm_campaign_mgmt.lib.assignment import capacity_weighted, progress_forecast, round_robin


def _counts(pairs):
    return Counter(user for _lead, user in pairs)


@pytest.mark.parametrize(("leads", "reps"), [(10, 3), (103, 4), (2, 5), (0, 3), (7, 7)])
def test_round_robin_is_even(leads, reps):
    pairs = round_robin(list(range(leads)), list(range(1, reps + 1)))
    assert [lead for lead, _user in pairs] == list(range(leads))
    counts = _counts(pairs)
    assert sum(counts.values()) == leads
    if leads >= reps:
        assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_continues_after_last_user():
    pairs = round_robin([10, 11, 12], [3, 1, 2], last_user_id=2)
    assert pairs == [(10, 3), (11, 1), (12, 2)]
    # a last user who left the team: continue with the next id
    assert round_robin([10], [1, 3], last_user_id=2) == [(10, 3)]
    assert round_robin([10], [1, 3], last_user_id=9) == [(10, 1)]


def test_round_robin_exclusions():
    pairs = round_robin([1, 2, 3], [1, 2], excluded={1: {1}, 3: {1, 2}})
    assert pairs == [(1, 2), (2, 1)]
    assert round_robin([1], []) == []


def test_capacity_respects_free_slots_and_loads():
    pairs = capacity_weighted(list(range(15)), {1: 2, 2: 10, 3: 0}, {1: 8, 2: 0, 3: 5})
    counts = _counts(pairs)
    assert counts == Counter({2: 10, 1: 2})
    assert len(pairs) == 12


def test_capacity_water_filling():
    # 4 and 10 free: rep 2 first takes 6 leads, then both alternate
    counts = _counts(capacity_weighted(list(range(10)), {1: 4, 2: 10}))
    assert counts == Counter({2: 8, 1: 2})
    # ties go to the least loaded rep
    assert capacity_weighted([1], {1: 5, 2: 5}, {1: 3, 2: 1}) == [(1, 2)]


def test_capacity_exclusions():
    pairs = capacity_weighted([1, 2], {1: 5, 2: 1}, excluded={1: {1}})
    assert pairs == [(1, 2), (2, 1)]


def test_progress_forecast():
    assert progress_forecast(300, 180, 72) == {
        "remaining": 120, "percent_done": 60.0, "per_day": 2.5, "forecast_days": 48.0}
    assert progress_forecast(0, 0, 3)["percent_done"] == 0.0
    assert progress_forecast(5, 0, 3)["forecast_days"] == -1.0
    assert progress_forecast(5, 5, 0.2)["forecast_days"] == 0.0
