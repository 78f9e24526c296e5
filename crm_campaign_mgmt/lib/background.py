"""Overlap the database work of an import with the parsing of the next rows.

No Odoo here. :class:`BatchConsumer` hands each batch to one worker thread
through a queue of one slot, so that while PostgreSQL copies and indexes a
batch (the driver releases the GIL while it waits), the caller's thread
already reads and validates the next one. Only the worker may touch the
database cursor while the consumer is open. An exception in the worker stops
the intake and is raised again in the caller's thread.
"""

import queue
import threading

_DONE = object()


class BatchConsumer:
    def __init__(self, consume, name="import-writer"):
        self._consume = consume
        self._queue = queue.Queue(maxsize=1)
        self._error = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._put(_DONE)
        self._thread.join()
        if exc_type is None and self._error is not None:
            raise self._error
        return False

    def put(self, batch):
        """Queue ``batch``; blocks while the worker is still busy with the previous one."""
        if self._error is not None:
            raise self._error
        self._put(batch)

    def _put(self, item):
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        if self._error is not None and item is not _DONE:
            raise self._error

    def _run(self):
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is not None:
                continue  # drain until told to stop
            try:
                self._consume(item)
            except Exception as error:  # noqa: BLE001 - re-raised in the caller's thread
                self._error = error
