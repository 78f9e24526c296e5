"""Odoo-free tests of the campaign metric rates (crm_campaign_mail/lib/crm_campaign_metric_rates.py)."""

from crm_campaign_mail.lib.crm_campaign_metric_rates import RATES, compute_rates, needed_sums, ratio


def test_ratio_handles_empty_denominator():
    assert ratio(5, 0) == 0.0
    assert ratio(5, None) == 0.0
    assert ratio(None, 10) == 0.0
    assert ratio(1, 3) == 33.33


def test_rates_are_ratios_of_sums():
    values = compute_rates({
        "sent_count": 10, "delivered_count": 8, "opened_count": 6, "clicked_count": 4,
        "bounced_count": 2, "unsubscribed_count": 1, "response_count": 3,
        "lead_generated_count": 1, "revenue": 5000.0, "cost": 2000.0,
    })
    assert values["delivery_rate"] == 80.0
    assert values["open_rate"] == 75.0
    assert values["click_rate"] == 50.0
    assert values["bounce_rate"] == 20.0
    assert values["unsubscribe_rate"] == 12.5
    assert values["response_rate"] == 37.5
    assert values["conversion_rate"] == 33.33
    assert values["roi"] == 150.0


def test_roi_without_cost_and_negative_roi():
    assert compute_rates({"revenue": 100.0})["roi"] == 0.0
    assert compute_rates({"revenue": 500.0, "cost": 1000.0})["roi"] == -50.0


def test_sum_of_groups_is_not_average_of_rates():
    group_a = {"delivered_count": 100, "opened_count": 50}
    group_b = {"delivered_count": 10, "opened_count": 10}
    total = {key: group_a[key] + group_b[key] for key in group_a}
    assert compute_rates(total)["open_rate"] == 54.55  # not (50 + 100) / 2


def test_needed_sums():
    assert needed_sums(["open_rate"]) == {"opened_count", "delivered_count"}
    assert needed_sums(["roi"]) == {"revenue", "cost"}
    assert set(RATES) <= set(compute_rates({}))
