from odoo import api, fields, models, tools
from odoo.tools import SQL

# ratio measure -> (numerator, denominator, factor): computed on the aggregated sums,
# never averaged from the rows
RATIOS = {
    "productivity": ("leads_worked", "worked_days", 1.0),
    "conversion_rate": ("won_count", "assigned_count", 100.0),
    "avg_hours_to_accept": ("accept_hours", "accepted_count", 1.0),
    "avg_hours_to_contact": ("contact_hours", "contacted_count", 1.0),
}


class CrmRepPerformanceReport(models.Model):
    """Per rep, team and day: leads worked, assignments, acceptance, first contact, wins.

    Sources (all in the suite's core):

    - *leads worked*: distinct leads on which the rep left a trace in the chatter that day
      (``mail.message`` on ``crm.lead`` authored by the rep: emails, notes, done activities,
      stage and field changes);
    - *assigned / accepted / time to accept*: ``crm.lead.assignment`` (``crm_campaign_mgmt``),
      dated by ``date_assigned``;
    - *time to first contact*: the first ``mail.message`` on the lead by the rep after the
      assignment that reached the customer or recorded a contact: an email or a public
      message (not an internal note), or a done activity (call, meeting, email... activity
      types: Odoo posts a message carrying ``mail_activity_type_id`` when an activity is done);
    - *won*: the rep's won opportunities, dated by ``date_closed``.

    Ratios (productivity, conversion, average times) are computed from the summed figures
    of each group (see ``read_group``). Visible to managers only (access rights), each
    seeing his own teams (Phone Sales) or his department's people under him (rules).
    """

    _name = "crm.rep.performance.report"
    _description = "Rep Performance"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "user_id"

    date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Rep", readonly=True)
    team_id = fields.Many2one("crm.team", string="Team", readonly=True)
    department_id = fields.Many2one("crm.department", string="Department", readonly=True)
    role_level = fields.Integer(readonly=True, aggregator=None, string="Role Level")
    leads_worked = fields.Integer(readonly=True, string="Leads Worked")
    worked_days = fields.Integer(readonly=True, string="Days Worked")
    assigned_count = fields.Integer(readonly=True, string="Assigned")
    accepted_count = fields.Integer(readonly=True, string="Accepted")
    accept_hours = fields.Float(readonly=True, string="Hours to Accept (total)")
    contacted_count = fields.Integer(readonly=True, string="Contacted after Assignment")
    contact_hours = fields.Float(readonly=True, string="Hours to First Contact (total)")
    won_count = fields.Integer(readonly=True, string="Won")
    won_revenue = fields.Float(readonly=True, string="Won Revenue")
    productivity = fields.Float(readonly=True, string="Leads Worked per Day", aggregator="avg")
    conversion_rate = fields.Float(readonly=True, string="Conversion (%)", aggregator="avg")
    avg_hours_to_accept = fields.Float(readonly=True, string="Avg Hours to Accept", aggregator="avg")
    avg_hours_to_contact = fields.Float(readonly=True, string="Avg Hours to First Contact", aggregator="avg")

    @api.model
    def _no_jit(self):
        """The view's estimated cost (a sub-query per assignment) makes PostgreSQL JIT-compile
        it: about 2 s of compilation for a query that runs in 1.5 s at 200,000 opportunities.
        Off for the rest of this transaction only (no user input reaches this statement)."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        self._no_jit()
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        self._no_jit()
        names = {spec.split(":")[0].split("(")[0].strip() for spec in fields}
        wanted = [ratio for ratio in RATIOS if ratio in names]
        extra = {part for ratio in wanted for part in RATIOS[ratio][:2]} - names
        groups = super().read_group(
            domain, list(fields) + sorted(extra), groupby, offset=offset, limit=limit,
            orderby=orderby, lazy=lazy)
        for group in groups:
            for ratio in wanted:
                numerator, denominator, factor = RATIOS[ratio]
                den = group.get(denominator) or 0
                group[ratio] = factor * (group.get(numerator) or 0) / den if den else 0.0
        return groups

    def _query(self):
        return SQL("""
            WITH events AS (
                -- leads worked: distinct leads per rep, team and day
                SELECT u.id AS user_id, l.team_id, (m.date AT TIME ZONE 'UTC')::date AS date,
                       COUNT(DISTINCT m.res_id) AS leads_worked, 1 AS worked_days,
                       0 AS assigned_count, 0 AS accepted_count, 0.0 AS accept_hours,
                       0 AS contacted_count, 0.0 AS contact_hours, 0 AS won_count, 0.0 AS won_revenue
                  FROM mail_message m
                  JOIN res_users u ON u.partner_id = m.author_id AND NOT u.share
                  JOIN crm_lead l ON l.id = m.res_id
                 WHERE m.model = 'crm.lead'
                 GROUP BY u.id, l.team_id, (m.date AT TIME ZONE 'UTC')::date
                UNION ALL
                -- assignments, acceptance, first contact after the assignment
                SELECT a.user_id, l.team_id, (a.date_assigned AT TIME ZONE 'UTC')::date,
                       0, 0, 1, (a.date_accepted IS NOT NULL)::int,
                       COALESCE(EXTRACT(EPOCH FROM a.date_accepted - a.date_assigned) / 3600.0, 0.0),
                       (fc.first_contact IS NOT NULL)::int,
                       COALESCE(EXTRACT(EPOCH FROM fc.first_contact - a.date_assigned) / 3600.0, 0.0),
                       0, 0.0
                  FROM crm_lead_assignment a
                  JOIN crm_lead l ON l.id = a.lead_id
                  JOIN res_users u ON u.id = a.user_id
                  LEFT JOIN LATERAL (
                      SELECT MIN(m.date) AS first_contact
                        FROM mail_message m
                        LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
                       WHERE m.model = 'crm.lead' AND m.res_id = a.lead_id
                         AND m.author_id = u.partner_id AND m.date >= a.date_assigned
                         AND (m.mail_activity_type_id IS NOT NULL
                              OR (m.message_type IN ('email', 'email_outgoing', 'comment')
                                  AND st.internal IS NOT TRUE))
                  ) fc ON TRUE
                 WHERE a.date_assigned IS NOT NULL
                UNION ALL
                -- wins
                SELECT l.user_id, l.team_id, (l.date_closed AT TIME ZONE 'UTC')::date,
                       0, 0, 0, 0, 0.0, 0, 0.0, 1, COALESCE(l.expected_revenue, 0.0)
                  FROM crm_lead l
                  JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
                 WHERE l.active AND l.date_closed IS NOT NULL AND l.user_id IS NOT NULL
            ), daily AS (
                SELECT user_id, team_id, date,
                       SUM(leads_worked) AS leads_worked, MAX(worked_days) AS worked_days,
                       SUM(assigned_count) AS assigned_count, SUM(accepted_count) AS accepted_count,
                       SUM(accept_hours) AS accept_hours, SUM(contacted_count) AS contacted_count,
                       SUM(contact_hours) AS contact_hours, SUM(won_count) AS won_count,
                       SUM(won_revenue) AS won_revenue
                  FROM events
                 GROUP BY user_id, team_id, date
            )
            SELECT ROW_NUMBER() OVER (ORDER BY d.date, d.user_id, d.team_id NULLS FIRST) AS id,
                   d.*, u.crm_department_id AS department_id, COALESCE(r.role_level, 0) AS role_level,
                   CASE WHEN d.worked_days > 0 THEN d.leads_worked::float / d.worked_days ELSE 0 END
                       AS productivity,
                   CASE WHEN d.assigned_count > 0 THEN 100.0 * d.won_count / d.assigned_count ELSE 0 END
                       AS conversion_rate,
                   CASE WHEN d.accepted_count > 0 THEN d.accept_hours / d.accepted_count ELSE 0 END
                       AS avg_hours_to_accept,
                   CASE WHEN d.contacted_count > 0 THEN d.contact_hours / d.contacted_count ELSE 0 END
                       AS avg_hours_to_contact
              FROM daily d
              JOIN res_users u ON u.id = d.user_id
              LEFT JOIN LATERAL (
                  SELECT MAX(g.crm_role_level) AS role_level
                    FROM res_groups_users_rel gu
                    JOIN res_groups g ON g.id = gu.gid AND g.crm_department_id IS NOT NULL
                   WHERE gu.uid = d.user_id
              ) r ON TRUE
        """)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
