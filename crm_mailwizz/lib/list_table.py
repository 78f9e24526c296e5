"""A MailWizz list read as an import table (no Odoo imports).

:class:`MailWizzListTable` quacks like the tables of
``crm_campaign_mgmt/lib/readers.py`` (``header``, ``header_row_numbers``, ``fmt``,
``delimiter``, ``encoding``, ``iter_rows()``, ``estimate_rows()``, ``close()``), so that
the import pipeline (validation, in-file dedup, region enrichment, dedup against the
product, lead creation) reads a list's subscribers as it reads an uploaded file:

* the header is the list's field tags (``EMAIL``, ``FNAME``, ``LNAME``, ``PHONE``...)
  followed by :data:`UID_COLUMN`, the subscriber's uid;
* each subscriber is a row, pages of ``GET lists/{list_uid}/subscribers`` being fetched
  lazily (``page``/``per_page``, following ``next_page``) as the rows are consumed;
* row numbers are those of an equivalent CSV export: the header is row 1, the n-th
  subscriber row n + 1; :meth:`uid_of` gives back the uid of a row number, so the
  caller can link what it created from a row to the MailWizz subscriber.

MailWizz answers a list's subscribers newest first (``subscriber_id DESC``): a
subscriber added while an import runs shifts the later pages by one, so a row is read
twice (the pipeline's in-file dedup drops it), none is skipped. A resumed import reads
the list again from its first page: the pipeline skips the rows it already committed.
"""

from .client import DEFAULT_PER_PAGE, _to_int

UID_COLUMN = "SUBSCRIBER_UID"
FORMAT_CSV = "csv"


class MailWizzListTable:
    """The subscribers of one MailWizz list as ``(row_number, values)`` rows."""

    fmt = FORMAT_CSV

    def __init__(self, client, list_uid, tags, status=None, per_page=DEFAULT_PER_PAGE,
                 close_client=True):
        """
        :param client: a :class:`~.client.MailWizzClient`
        :param tags: the list's field tags, in column order (``EMAIL`` first is usual);
            :data:`UID_COLUMN` is appended when missing
        :param status: only subscribers of this MailWizz status (``confirmed``...), or all
        :param close_client: :meth:`close` closes the client's HTTP session too
        """
        self.client = client
        self.list_uid = list_uid
        tags = [str(tag) for tag in tags if tag]
        self.tags = [tag for tag in tags if tag != UID_COLUMN]
        self.header = self.tags + [UID_COLUMN]
        self.header_row_numbers = [1]
        self.delimiter = ","
        self.encoding = "utf-8"
        self.status = status or None
        self.per_page = max(1, int(per_page or DEFAULT_PER_PAGE))
        self.close_client = close_client
        self.pages_read = 0
        self._count = None
        self._uids = {}

    @property
    def path(self):
        return f"lists/{self.list_uid}/subscribers"

    def _params(self):
        return {"status": self.status} if self.status else None

    def count(self):
        """Subscribers in the list (MailWizz's ``count``), one small request, cached."""
        if self._count is None:
            payload = self.client.get(self.path, dict(self._params() or {}, page=1, per_page=1))
            data = payload.get("data") if isinstance(payload, dict) else None
            self._count = _to_int((data or {}).get("count")) or 0
        return self._count

    def estimate_rows(self):
        """Rows of the equivalent file: the header and one per subscriber."""
        return self.count() + len(self.header_row_numbers)

    def values_of(self, record):
        """The row of one subscriber record (``{TAG: value, "subscriber_uid": ...}``)."""
        values = []
        for tag in self.tags:
            value = record.get(tag)
            if value is None and tag == "EMAIL":
                value = record.get("email")
            values.append("" if value is None else str(value))
        values.append(str(record.get("subscriber_uid") or ""))
        return values

    def iter_rows(self):
        """``(row_number, values)`` of every subscriber, page after page."""
        number = self.header_row_numbers[-1]
        for _page, records in self.client.iter_pages(self.path, self._params(),
                                                      per_page=self.per_page):
            self.pages_read += 1
            for record in records:
                if not isinstance(record, dict):
                    continue
                number += 1
                values = self.values_of(record)
                if values[-1]:
                    self._uids[number] = (values[-1], str(record.get("status") or "") or None)
                yield number, values

    def uid_of(self, row_number, pop=True):
        """``(subscriber uid, MailWizz status)`` of a row read by :meth:`iter_rows`, or
        None (forgotten once asked with ``pop``: a big list does not keep every uid in
        memory)."""
        if pop:
            return self._uids.pop(row_number, None)
        return self._uids.get(row_number)

    def close(self):
        self._uids.clear()
        if self.close_client:
            self.client.close()
