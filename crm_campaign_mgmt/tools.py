"""The two helpers every long job and every user-facing event of the campaign addons use.

* :func:`can_commit` / :func:`commit_batch`: scheduled actions commit after each batch
  (chunk of subscribers, page of events, campaign) so that an outage or a worker timeout
  keeps the work already done and the next run resumes; never inside tests, whose
  transaction must roll back.
* :func:`notify_users`: a real-time toast (bus ``simple_notification``) to each user,
  plus, when a record is given, a note in its chatter that stays after the toast is gone.

Used by ``crm_campaign_mgmt`` (imports, assignment), ``crm_campaign_mail`` and the mail
connectors built on it (``crm_mailwizz``).
"""

from odoo.modules import module as odoo_module


def can_commit(env):
    """Whether a batch job may commit: not while tests run (``current_test`` is set by the
    test loader, ``in_test_mode`` by HttpCase/TransactionCase registries)."""
    return not (odoo_module.current_test or env.registry.in_test_mode())


def commit_batch(env, commit=True):
    """Commit the batch just done when ``commit`` and :func:`can_commit`.

    :param commit: the caller's own decision (e.g. only in the scheduled action)
    :return: whether the transaction was committed
    """
    if commit and can_commit(env):
        env.cr.commit()  # pylint: disable=invalid-commit
        return True
    return False


def notify_users(users, title, message, *, notif_type="info", sticky=False, record=None,
                 body=None, partner_ids=None):
    """Tell ``users`` (``res.users``) about an event.

    :param notif_type: info, success, warning or danger (the toast's colour)
    :param record: a ``mail.thread`` record whose chatter gets a note (``body`` or
        ``message``), authored by OdooBot as the scheduler posts; with the caller's
        rights (pass ``record.sudo()`` for a system event on a record the user may not write)
    :param partner_ids: partners notified by the chatter note (in their inbox)
    :return: the posted ``mail.message`` or None
    """
    for user in users:
        user._bus_send("simple_notification", {
            "type": notif_type, "title": title, "message": message, "sticky": sticky,
        })
    if record is None or not record:
        return None
    env = record.env
    return record.with_context(mail_notify_force_send=False).message_post(
        body=body or message,
        author_id=env.ref("base.partner_root").id,
        partner_ids=list(partner_ids or []),
        subtype_xmlid="mail.mt_note" if not partner_ids else "mail.mt_comment",
    )
