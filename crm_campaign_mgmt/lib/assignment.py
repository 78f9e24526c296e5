"""Lead distribution algorithms of the campaign assignment engine.

Pure Python, no Odoo import: the Odoo side gathers ids, loads and capacities
(with one ``read_group``) and turns the returned pairs into
``crm.lead.assignment`` records.
"""

import heapq


def round_robin(lead_ids, user_ids, last_user_id=None, excluded=None):
    """Deal ``lead_ids`` to ``user_ids`` in turn.

    The rotation continues after ``last_user_id`` (the rep who received the
    previous lead of the campaign), so successive runs stay fair.

    :param excluded: optional ``{lead_id: {user_id, ...}}`` of reps who must
        not get that lead (e.g. they declined it); such a lead goes to the next
        rep in turn, and is left out if every rep is excluded.
    :return: list of ``(lead_id, user_id)`` pairs, in ``lead_ids`` order
    """
    users = sorted(set(user_ids))
    if not users:
        return []
    excluded = excluded or {}
    count = len(users)
    position = 0
    if last_user_id is not None:
        # first user strictly after the last served one (wrap around)
        position = next((i for i, uid in enumerate(users) if uid > last_user_id), 0)
    pairs = []
    for lead_id in lead_ids:
        banned = excluded.get(lead_id, ())
        for step in range(count):
            user_id = users[(position + step) % count]
            if user_id not in banned:
                pairs.append((lead_id, user_id))
                position = (position + step + 1) % count
                break
    return pairs


def capacity_weighted(lead_ids, capacities, loads=None, excluded=None):
    """Give each lead to the rep with the most free capacity left.

    :param capacities: ``{user_id: free slots}`` (max open leads minus the
        rep's current open leads); reps with no free slot get nothing.
    :param loads: optional ``{user_id: current open leads}`` used to break
        ties (the least loaded rep first), then the user id.
    :param excluded: optional ``{lead_id: {user_id, ...}}`` as in
        :func:`round_robin`.
    :return: list of ``(lead_id, user_id)`` pairs; leads beyond the total
        free capacity are left out (they stay in the pool).
    """
    loads = dict(loads or {})
    heap = [
        (-free, loads.get(user_id, 0), user_id)
        for user_id, free in capacities.items()
        if free > 0
    ]
    heapq.heapify(heap)
    excluded = excluded or {}
    pairs = []
    for lead_id in lead_ids:
        banned = excluded.get(lead_id, ())
        skipped = []
        while heap and heap[0][2] in banned:
            skipped.append(heapq.heappop(heap))
        if heap:
            neg_free, load, user_id = heapq.heappop(heap)
            pairs.append((lead_id, user_id))
            if neg_free + 1 < 0:
                heapq.heappush(heap, (neg_free + 1, load + 1, user_id))
        for entry in skipped:
            heapq.heappush(heap, entry)
        if not heap:
            break
    return pairs


def progress_forecast(total, processed, elapsed_days):
    """Campaign progress figures.

    :return: dict with ``remaining``, ``percent_done`` (0-100),
        ``per_day`` (processed per elapsed day, at least one day) and
        ``forecast_days`` (days to process the remaining leads at that pace,
        ``0.0`` when nothing is left, ``-1.0`` when nothing was processed yet).
    """
    remaining = max(total - processed, 0)
    percent = (100.0 * processed / total) if total else 0.0
    per_day = processed / max(elapsed_days, 1.0)
    if not remaining:
        forecast = 0.0
    elif per_day:
        forecast = round(remaining / per_day, 1)
    else:
        forecast = -1.0
    return {
        "remaining": remaining,
        "percent_done": round(percent, 2),
        "per_day": round(per_day, 2),
        "forecast_days": forecast,
    }
