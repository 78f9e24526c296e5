"""A sliding-window rate limiter (in memory, thread-safe), keyed by phone."""

import threading
import time
from collections import deque


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key.

    Memory is bounded: at most ``max_keys`` keys are tracked; the oldest is dropped first.
    """

    def __init__(self, limit, window=60.0, clock=time.monotonic, max_keys=10000):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits = {}
        self._lock = threading.Lock()

    def hit(self, key, limit=None):
        """Record a hit for ``key``; return False when it is over the limit (not recorded)."""
        limit = self.limit if limit is None else limit
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._hits.pop(next(iter(self._hits)))
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def reset(self, key=None):
        with self._lock:
            if key is None:
                self._hits.clear()
            else:
                self._hits.pop(key, None)
