"""Read and check the rows of an import ahead of the database work.

The import's main thread spends about 40 % of its time waiting for PostgreSQL (the
inserts of a batch); reading the file and checking its rows is plain Python (no Odoo, no
cursor). :func:`checked_rows` runs that part in a thread, a few chunks ahead, so it
proceeds while the main thread waits on the database (psycopg2 releases the GIL).
"""

import contextlib
import queue
import threading

_DONE = object()


def checked_rows(table, processor, chunk=1000, ahead=4):
    """``(row_number, values, status, record, reason)`` for each data row of ``table``,
    as ``processor.process`` gives them, computed in a background thread.

    The processor and the table are used by that thread only, until the generator is
    exhausted or closed (the thread is then stopped and joined). An error of the thread
    (an unreadable file) is raised here, in the caller's thread.
    """
    channel = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce():
        try:
            rows = []
            for number, values in table.iter_rows():
                if stop.is_set():
                    return
                rows.append((number, values, *processor.process(number, values)))
                if len(rows) >= chunk:
                    channel.put(rows)
                    rows = []
            if rows:
                channel.put(rows)
            channel.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            channel.put(error)

    thread = threading.Thread(target=produce, name="crm-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = channel.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting for room in the queue
            with contextlib.suppress(queue.Empty):
                channel.get_nowait()
            thread.join(0.05)
