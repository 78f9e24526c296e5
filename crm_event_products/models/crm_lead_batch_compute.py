from collections import defaultdict

from odoo import models
from odoo.tools import SQL

# related fields of mail.activity.mixin (``activity_ids.<field>``: the first activity's)
NEXT_ACTIVITY_FIELDS = frozenset({"activity_type_id", "activity_type_icon", "activity_summary"})


def assign_by_value(records, values):
    """Assign computed values to ``records`` one group of equal values at a time.

    ``values`` maps a field name to a function of a record that returns its value. A list page
    reads 80 leads and a kanban up to 10 columns of 40: assigning each lead's value one by one
    costs a field write per lead and per field (for a many2many, a full x2many write), while the
    values take a handful of distinct values (the lead's company, no activity...). Same values,
    one write per distinct value.
    """
    for fname, value_of in values.items():
        groups = defaultdict(list)
        distinct = {}
        for record in records:
            value = value_of(record)
            key = (value._name, value._ids) if isinstance(value, models.BaseModel) else value
            groups[key].append(record.id)
            distinct[key] = value
        for key, ids in groups.items():
            records.browse(ids)[fname] = distinct[key]


class CrmLead(models.Model):
    """The computed fields of the lead list and kanban, assigned in batches (see
    :func:`assign_by_value`): same values as the stock computes, a fraction of their CPU.
    Dependencies are the stock methods' (``api.depends`` propagates to overrides)."""

    _inherit = "crm.lead"

    def _compute_user_company_ids(self):
        all_companies = self.env["res.company"].search([])
        assign_by_value(self, {"user_company_ids": lambda lead: lead.company_id or all_companies})

    def _compute_company_currency(self):
        currency = self.env.company.currency_id
        assign_by_value(
            self, {"company_currency": lambda lead: lead.company_id.currency_id if lead.company_id else currency}
        )

    def _compute_message_needaction(self):
        """mail.thread's query (the viewer's unread notifications on these leads)."""
        counts = defaultdict(int)
        if self.ids:
            rows = self.env.execute_query(
                SQL(
                    """SELECT msg.res_id FROM mail_message msg
                   RIGHT JOIN mail_notification rel
                   ON rel.mail_message_id = msg.id AND rel.res_partner_id = %s
                   AND (rel.is_read = false OR rel.is_read IS NULL)
                   WHERE msg.model = %s AND msg.res_id IN %s AND msg.message_type != 'user_notification'""",
                    self.env.user.partner_id.id,
                    self._name,
                    tuple(self.ids),
                )
            )
            for (res_id,) in rows:
                counts[res_id] += 1
        assign_by_value(
            self,
            {
                "message_needaction_counter": lambda lead: counts[lead._origin.id],
                "message_needaction": lambda lead: bool(counts[lead._origin.id]),
            },
        )

    def _compute_activity_state(self):
        """Leads without activity (most of them) at once, the others as the stock compute."""
        idle = self._without_activities()
        idle.activity_state = False
        return super(CrmLead, self - idle)._compute_activity_state()

    def _compute_activity_exception_type(self):
        idle = self._without_activities()
        idle.activity_exception_decoration = False
        idle.activity_exception_icon = False
        return super(CrmLead, self - idle)._compute_activity_exception_type()

    def _compute_field_value(self, field):
        """The next activity's type, icon and summary (related fields of the first activity):
        empty for the leads without activity at once, the others as the related fields do."""
        if field.name in NEXT_ACTIVITY_FIELDS and field.model_name == self._name:
            idle = self._without_activities()
            if idle:
                idle[field.name] = False
                busy = self - idle
                return super(CrmLead, busy)._compute_field_value(field) if busy else None
        return super()._compute_field_value(field)

    def _without_activities(self):
        return self.filtered(lambda lead: not lead.activity_ids)
