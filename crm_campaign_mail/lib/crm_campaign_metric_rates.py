"""Campaign metric rates (Odoo-free): ratios of summed counters.

Rates are never averaged: the rate of a group (a campaign, a user, a month...)
is computed from the group's sums, by :func:`compute_rates`.
"""

# counters summed by the metric view
COUNTERS = (
    "sent_count", "delivered_count", "opened_count", "clicked_count", "bounced_count",
    "unsubscribed_count", "response_count", "lead_generated_count", "won_count",
)
AMOUNTS = ("revenue", "cost")
# rate -> (numerator, denominator)
RATES = {
    "delivery_rate": ("delivered_count", "sent_count"),
    "open_rate": ("opened_count", "delivered_count"),
    "click_rate": ("clicked_count", "delivered_count"),
    "bounce_rate": ("bounced_count", "sent_count"),
    "unsubscribe_rate": ("unsubscribed_count", "delivered_count"),
    "response_rate": ("response_count", "delivered_count"),
    "conversion_rate": ("lead_generated_count", "response_count"),
}
# ROI needs these sums
ROI_SUMS = ("revenue", "cost")


def ratio(numerator, denominator):
    """Percentage rounded to 2 decimals; 0.0 when the denominator is empty."""
    denominator = denominator or 0
    if not denominator:
        return 0.0
    return round(100.0 * (numerator or 0) / denominator, 2)


def compute_rates(values):
    """Add every rate (percent) and ``roi`` to a dict of summed measures.

    ROI = (revenue - cost) / cost, in percent; 0.0 without cost.
    """
    for rate, (numerator, denominator) in RATES.items():
        values[rate] = ratio(values.get(numerator), values.get(denominator))
    cost = values.get("cost") or 0.0
    values["roi"] = ratio((values.get("revenue") or 0.0) - cost, cost)
    return values


def needed_sums(rates):
    """Summed measures needed to compute ``rates`` (names of rates or ``roi``)."""
    needed = set()
    for rate in rates:
        needed.update(RATES.get(rate, ROI_SUMS))
    return needed
