"""Work items run in a few threads, their results handed back in submission order.

The import writes each batch of leads in a transaction of its own, in one of two
*lanes* (threads): while one lane waits for PostgreSQL (the INSERTs and their
indexes), the other lane's Python work, and the job's own (reading the file, the
duplicate search), go on. The job consumes the results in order, so that the row
offset it commits after each batch only moves over batches that are written.
"""

import collections
from concurrent.futures import Future, ThreadPoolExecutor


class OrderedLanes:
    """Run ``work(item)`` for each submitted item in up to ``workers`` threads (none:
    at once, in the caller's thread); :meth:`finished` gives ``(tag, result)`` in
    submission order."""

    def __init__(self, work, workers, name="lane"):
        self._work = work
        self.workers = workers
        self._executor = (ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
                          if workers else None)
        self._pending = collections.deque()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def submit(self, item, tag=None):
        """Start ``work(item)``. Call :meth:`finished` after each submit: it waits while
        every lane is busy."""
        if self._executor:
            future = self._executor.submit(self._work, item)
        else:
            future = Future()
            try:
                future.set_result(self._work(item))
            except BaseException as error:  # noqa: BLE001 - raised by finished()
                future.set_exception(error)
        self._pending.append((tag, future))

    def finished(self):
        """``(tag, result)`` of the oldest items that are done, in submission order; while
        ``workers`` items (or more) are in flight, the oldest is waited for. Raises the
        error of a failed item, when its turn comes."""
        while self._pending and (self._pending[0][1].done()
                                 or len(self._pending) >= max(self.workers, 1)):
            tag, future = self._pending.popleft()
            yield tag, future.result()

    def drain(self):
        """``(tag, result)`` of every item left, in submission order, waiting for each."""
        while self._pending:
            tag, future = self._pending.popleft()
            yield tag, future.result()

    def close(self):
        """Cancel the items not started, wait for the running ones (their errors are
        dropped: the first error raised by :meth:`finished` or :meth:`drain` is the
        caller's), and stop the threads."""
        for _tag, future in self._pending:
            future.cancel()
        if self._executor:
            self._executor.shutdown(wait=True)
        self._pending.clear()
