"""Enrichment of imported targets: region and region cluster, company segment.

No Odoo here. The region mapping is configurable: ``{cluster: [place, ...]}``
where a place is a state or a city (a city resolves to its state when it is
known). The default maps Indian states and large cities to West / East /
North / South / Central / North East.
"""

import re

from .mapping import normalize_header

DEFAULT_REGION_CLUSTERS = {
    "West": ["Maharashtra", "Gujarat", "Goa", "Rajasthan",
             "Dadra and Nagar Haveli and Daman and Diu", "Daman and Diu"],
    "East": ["West Bengal", "Odisha", "Orissa", "Bihar", "Jharkhand",
             "Andaman and Nicobar Islands"],
    "North": ["Delhi", "New Delhi", "NCT of Delhi", "Haryana", "Punjab", "Uttar Pradesh",
              "Uttarakhand", "Himachal Pradesh", "Jammu and Kashmir", "Ladakh", "Chandigarh"],
    "South": ["Karnataka", "Tamil Nadu", "Kerala", "Andhra Pradesh", "Telangana",
              "Puducherry", "Pondicherry", "Lakshadweep"],
    "Central": ["Madhya Pradesh", "Chhattisgarh"],
    "North East": ["Assam", "Meghalaya", "Manipur", "Mizoram", "Nagaland", "Tripura",
                   "Arunachal Pradesh", "Sikkim"],
}

# large cities -> state (so "Andheri East, Mumbai" finds Maharashtra)
DEFAULT_CITY_STATES = {
    "Mumbai": "Maharashtra", "Bombay": "Maharashtra", "Pune": "Maharashtra",
    "Nagpur": "Maharashtra", "Nashik": "Maharashtra", "Thane": "Maharashtra",
    "Navi Mumbai": "Maharashtra", "Aurangabad": "Maharashtra",
    "Ahmedabad": "Gujarat", "Surat": "Gujarat", "Vadodara": "Gujarat", "Rajkot": "Gujarat",
    "Jaipur": "Rajasthan", "Udaipur": "Rajasthan", "Jodhpur": "Rajasthan", "Panaji": "Goa",
    "Kolkata": "West Bengal", "Calcutta": "West Bengal", "Howrah": "West Bengal",
    "Durgapur": "West Bengal", "Siliguri": "West Bengal", "Bhubaneswar": "Odisha",
    "Cuttack": "Odisha", "Patna": "Bihar", "Ranchi": "Jharkhand", "Jamshedpur": "Jharkhand",
    "Gurgaon": "Haryana", "Gurugram": "Haryana", "Faridabad": "Haryana", "Noida": "Uttar Pradesh",
    "Ghaziabad": "Uttar Pradesh", "Lucknow": "Uttar Pradesh", "Kanpur": "Uttar Pradesh",
    "Agra": "Uttar Pradesh", "Varanasi": "Uttar Pradesh", "Ludhiana": "Punjab",
    "Amritsar": "Punjab", "Mohali": "Punjab", "Dehradun": "Uttarakhand", "Shimla": "Himachal Pradesh",
    "Srinagar": "Jammu and Kashmir", "Bengaluru": "Karnataka", "Bangalore": "Karnataka",
    "Mysuru": "Karnataka", "Mysore": "Karnataka", "Mangaluru": "Karnataka",
    "Chennai": "Tamil Nadu", "Madras": "Tamil Nadu", "Coimbatore": "Tamil Nadu",
    "Madurai": "Tamil Nadu", "Hyderabad": "Telangana", "Secunderabad": "Telangana",
    "Visakhapatnam": "Andhra Pradesh", "Vijayawada": "Andhra Pradesh", "Kochi": "Kerala",
    "Cochin": "Kerala", "Thiruvananthapuram": "Kerala", "Trivandrum": "Kerala",
    "Bhopal": "Madhya Pradesh", "Indore": "Madhya Pradesh", "Raipur": "Chhattisgarh",
    "Guwahati": "Assam", "Shillong": "Meghalaya", "Gangtok": "Sikkim",
}

SEGMENT_LABELS = {
    "micro": "Micro",
    "small": "Small",
    "medium": "Medium",
    "large": "Large",
    "enterprise": "Enterprise",
}
# (upper bound exclusive, segment) on the number of employees
DEFAULT_EMPLOYEE_SEGMENTS = [(10, "micro"), (50, "small"), (250, "medium"), (1000, "large")]
# on the yearly turnover, in currency units
DEFAULT_REVENUE_SEGMENTS = [
    (10_000_000, "micro"), (100_000_000, "small"), (1_000_000_000, "medium"),
    (10_000_000_000, "large"),
]
_UNITS = {
    "k": 1e3, "thousand": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,
    "m": 1e6, "mn": 1e6, "million": 1e6, "cr": 1e7, "crore": 1e7, "crores": 1e7,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([a-z]+)?")


class RegionResolver:
    """Finds the region (state) and its cluster in the address fields."""

    def __init__(self, clusters=None, city_states=None, max_words=4):
        clusters = clusters if clusters is not None else DEFAULT_REGION_CLUSTERS
        city_states = city_states if city_states is not None else DEFAULT_CITY_STATES
        self.max_words = max_words
        self._places = {}  # normalised phrase -> (region, cluster)
        state_cluster = {}
        for cluster, places in clusters.items():
            for place in places:
                self._places[normalize_header(place)] = (place, cluster)
                state_cluster[normalize_header(place)] = (place, cluster)
        for city, state in city_states.items():
            found = state_cluster.get(normalize_header(state))
            key = normalize_header(city)
            if found and key not in self._places:
                self._places[key] = found
        self._cache = {}

    def resolve(self, *texts):
        """``(region, cluster)`` from the first text naming a known place."""
        for text in texts:
            if not text:
                continue
            found = self._cache.get(text)
            if found is None:
                found = self._lookup(text)
                if len(self._cache) < 50000:
                    self._cache[text] = found
            if found:
                return found
        return None, None

    def _lookup(self, text):
        norm = normalize_header(text)
        if not norm:
            return ()
        hit = self._places.get(norm)
        if hit:
            return hit
        words = norm.split()
        # longest phrase first: "west bengal" before "bengal"
        for size in range(min(self.max_words, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                hit = self._places.get(" ".join(words[start:start + size]))
                if hit:
                    return hit
        return ()


def parse_amount(text):
    """A number from ``'1,200'``, ``'50-200'`` (first), ``'12 Cr'``, ``'3.5M'``."""
    match = _NUMBER.search((text or "").lower())
    if not match:
        return None
    try:
        value = float(match.group(1).replace(",", ""))
    except ValueError:
        return None
    unit = match.group(2)
    if unit in _UNITS:
        value *= _UNITS[unit]
    return value


def company_segment(employees=None, revenue=None,
                    employee_segments=None, revenue_segments=None):
    """Segment key from the company size, else from its turnover, else None."""
    for text, bounds in (
        (employees, employee_segments or DEFAULT_EMPLOYEE_SEGMENTS),
        (revenue, revenue_segments or DEFAULT_REVENUE_SEGMENTS),
    ):
        amount = parse_amount(text)
        if amount is None:
            continue
        for bound, segment in bounds:
            if amount < bound:
                return segment
        return "enterprise"
    return None
