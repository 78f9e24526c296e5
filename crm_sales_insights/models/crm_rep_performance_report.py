import logging
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# ratio measure -> (numerator, denominator, factor): computed on the aggregated sums,
# never averaged from the rows
RATIOS = {
    "productivity": ("leads_worked", "worked_days", 1.0),
    "conversion_rate": ("won_count", "assigned_count", 100.0),
    "avg_hours_to_accept": ("accept_hours", "accepted_count", 1.0),
    "avg_hours_to_contact": ("contact_hours", "contacted_count", 1.0),
}
# the roll-up table (one row per day, rep and team) and its watermark (a one-row table:
# an ir.config_parameter write would clear the ORM caches of every worker at each refresh)
ROLLUP_TABLE = "crm_rep_performance_daily"
WATERMARK_TABLE = "crm_rep_performance_watermark"
# summed figures of the roll-up: (column, SQL type)
SUMS = (
    ("leads_worked", "integer"),
    ("worked_days", "integer"),
    ("assigned_count", "integer"),
    ("accepted_count", "integer"),
    ("accept_hours", "double precision"),
    ("contacted_count", "integer"),
    ("contact_hours", "double precision"),
    ("won_count", "integer"),
    ("won_revenue", "double precision"),
)
# a record committed by a transaction that started before the last refresh carries a
# write_date older than the watermark: every refresh looks that far back
WATERMARK_OVERLAP_MINUTES = 60
# advisory lock of the refresh (any constant of the suite's own)
REFRESH_LOCK_KEY = 742_021


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

    **Roll-up.** The figures are summed per (day, rep, team) into the table
    ``crm_rep_performance_daily`` by :meth:`_refresh`; this model is a view over that
    table joined to the rep's current department and role level, so the rules always use
    today's role table. The refresh is incremental by (day, rep) group: the groups of the
    messages, assignments and won opportunities written since the last refresh are
    recomputed (cron every 5 minutes); a nightly full rebuild catches what the watermark
    cannot see (an opportunity moved back from won, a lead moved to another team).

    Ratios (productivity, conversion, average times) are computed from the summed figures
    of each group (see ``read_group``). Visible to managers only (access rights), each
    seeing his own teams (Phone Sales) or his department's people under him (rules).
    """

    _name = "crm.rep.performance.report"
    _inherit = ["crm.insights.report.mixin"]
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
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
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

    # ------------------------------------------------------------------
    # the view over the roll-up
    # ------------------------------------------------------------------

    def _query(self):
        sums = SQL(", ").join(SQL("d.%s", SQL.identifier(name)) for name, _type in SUMS)
        return SQL("""
            SELECT d.id, d.date, d.user_id, d.team_id, %(sums)s,
                   u.crm_department_id AS department_id, COALESCE(r.role_level, 0) AS role_level,
                   CASE WHEN d.worked_days > 0 THEN d.leads_worked::float / d.worked_days ELSE 0 END
                       AS productivity,
                   CASE WHEN d.assigned_count > 0 THEN 100.0 * d.won_count / d.assigned_count ELSE 0 END
                       AS conversion_rate,
                   CASE WHEN d.accepted_count > 0 THEN d.accept_hours / d.accepted_count ELSE 0 END
                       AS avg_hours_to_accept,
                   CASE WHEN d.contacted_count > 0 THEN d.contact_hours / d.contacted_count ELSE 0 END
                       AS avg_hours_to_contact
              FROM %(rollup)s d
              JOIN res_users u ON u.id = d.user_id
              LEFT JOIN (
                  SELECT gu.uid, MAX(g.crm_role_level) AS role_level
                    FROM res_groups_users_rel gu
                    JOIN res_groups g ON g.id = gu.gid AND g.crm_department_id IS NOT NULL
                GROUP BY gu.uid
              ) r ON r.uid = d.user_id
        """, sums=sums, rollup=SQL.identifier(ROLLUP_TABLE))

    def init(self):
        cr = self.env.cr
        columns = SQL(", ").join(
            SQL("%s %s NOT NULL DEFAULT 0", SQL.identifier(name), SQL(sql_type)) for name, sql_type in SUMS)
        cr.execute(SQL(
            "CREATE TABLE IF NOT EXISTS %s (id serial PRIMARY KEY, date date NOT NULL,"
            " user_id integer NOT NULL, team_id integer, %s)",
            SQL.identifier(ROLLUP_TABLE), columns))
        cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (id integer PRIMARY KEY, value timestamp NOT NULL)",
                       SQL.identifier(WATERMARK_TABLE)))
        tools.create_index(cr, f"{ROLLUP_TABLE}_user_date_index", ROLLUP_TABLE, ["user_id", "date"])
        tools.create_index(cr, f"{ROLLUP_TABLE}_date_index", ROLLUP_TABLE, ["date"])
        # the watermark scans of the incremental refresh
        tools.create_index(cr, "mail_message_crm_lead_write_date_index", "mail_message", ["write_date"],
                           where="model = 'crm.lead'")
        # a rep's messages of a day (the scoped recomputation)
        tools.create_index(cr, "mail_message_crm_lead_author_date_index", "mail_message", ["author_id", "date"],
                           where="model = 'crm.lead'")
        tools.create_index(cr, "crm_lead_assignment_write_date_index", "crm_lead_assignment", ["write_date"])
        tools.create_index(cr, "crm_lead_closed_write_date_index", "crm_lead", ["write_date"],
                           where="date_closed IS NOT NULL")
        tools.drop_view_if_exists(cr, self._table)
        cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    # ------------------------------------------------------------------
    # refresh of the roll-up
    # ------------------------------------------------------------------

    @api.model
    def _figures_query(self, scoped):
        """The figures per (rep, team, day) from the sources; ``scoped``: only the
        (day, rep) groups of the temporary table ``crm_rep_performance_dirty``.

        Days are UTC days: Odoo stores datetimes as UTC ``timestamp without time zone``, whose
        ``::date`` is the UTC day whatever the session's time zone, and the scoped parts
        select the same day as a range (``>= day AND < day + 1``) that indexes serve."""
        # each part starts from the dirty groups when scoped (index on the rep's column)
        messages = SQL("""
            FROM crm_rep_performance_dirty dg
            JOIN res_users u ON u.id = dg.user_id AND NOT u.share
            JOIN mail_message m ON m.author_id = u.partner_id AND m.model = 'crm.lead'
                               AND m.date >= dg.date AND m.date < dg.date + 1
            JOIN crm_lead l ON l.id = m.res_id
        """) if scoped else SQL("""
            FROM mail_message m
            JOIN res_users u ON u.partner_id = m.author_id AND NOT u.share
            JOIN crm_lead l ON l.id = m.res_id
           WHERE m.model = 'crm.lead'
        """)
        assignments = SQL("""
            FROM crm_rep_performance_dirty dg
            JOIN crm_lead_assignment a ON a.user_id = dg.user_id
                                      AND a.date_assigned >= dg.date
                                      AND a.date_assigned < dg.date + 1
        """) if scoped else SQL("FROM crm_lead_assignment a")
        wins = SQL("""
            FROM crm_rep_performance_dirty dg
            JOIN crm_lead l ON l.user_id = dg.user_id AND l.date_closed >= dg.date AND l.date_closed < dg.date + 1
        """) if scoped else SQL("FROM crm_lead l")
        return SQL("""
            WITH events AS (
                -- leads worked: distinct leads per rep, team and day
                SELECT u.id AS user_id, l.team_id, m.date::date AS date,
                       COUNT(DISTINCT m.res_id) AS leads_worked, 1 AS worked_days,
                       0 AS assigned_count, 0 AS accepted_count, 0.0 AS accept_hours,
                       0 AS contacted_count, 0.0 AS contact_hours, 0 AS won_count, 0.0 AS won_revenue
                  %(messages)s
                 GROUP BY u.id, l.team_id, m.date::date
                UNION ALL
                -- assignments, acceptance, first contact after the assignment
                SELECT a.user_id, l.team_id, a.date_assigned::date,
                       0, 0, 1, (a.date_accepted IS NOT NULL)::int,
                       COALESCE(EXTRACT(EPOCH FROM a.date_accepted - a.date_assigned) / 3600.0, 0.0),
                       (fc.first_contact IS NOT NULL)::int,
                       COALESCE(EXTRACT(EPOCH FROM fc.first_contact - a.date_assigned) / 3600.0, 0.0),
                       0, 0.0
                  %(assignments)s
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
                SELECT l.user_id, l.team_id, l.date_closed::date,
                       0, 0, 0, 0, 0.0, 0, 0.0, 1, COALESCE(l.expected_revenue, 0.0)
                  %(wins)s
                  JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
                 WHERE l.active AND l.date_closed IS NOT NULL AND l.user_id IS NOT NULL
            )
            SELECT date, user_id, team_id,
                   SUM(leads_worked) AS leads_worked, MAX(worked_days) AS worked_days,
                   SUM(assigned_count) AS assigned_count, SUM(accepted_count) AS accepted_count,
                   SUM(accept_hours) AS accept_hours, SUM(contacted_count) AS contacted_count,
                   SUM(contact_hours) AS contact_hours, SUM(won_count) AS won_count,
                   SUM(won_revenue) AS won_revenue
              FROM events
             GROUP BY date, user_id, team_id
        """, messages=messages, assignments=assignments, wins=wins)

    @api.model
    def _mark_dirty(self, since):
        """Fill ``crm_rep_performance_dirty`` with the (day, rep) groups whose sources were
        written since ``since``; returns their number."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS crm_rep_performance_dirty"))
        cr.execute(SQL(
            "CREATE TEMPORARY TABLE crm_rep_performance_dirty (date date, user_id integer) ON COMMIT DROP"))
        cr.execute(SQL("""
            INSERT INTO crm_rep_performance_dirty
            -- messages: the day their author worked the lead...
            SELECT m.date::date, u.id
              FROM mail_message m
              JOIN res_users u ON u.partner_id = m.author_id AND NOT u.share
             WHERE m.model = 'crm.lead' AND m.write_date >= %(since)s
            UNION
            -- ... and the author's assignments of that lead (their first contact)
            SELECT a.date_assigned::date, a.user_id
              FROM mail_message m
              JOIN res_users u ON u.partner_id = m.author_id AND NOT u.share
              JOIN crm_lead_assignment a ON a.lead_id = m.res_id AND a.user_id = u.id
             WHERE m.model = 'crm.lead' AND m.write_date >= %(since)s AND a.date_assigned IS NOT NULL
            UNION
            SELECT a.date_assigned::date, a.user_id
              FROM crm_lead_assignment a
             WHERE a.write_date >= %(since)s AND a.date_assigned IS NOT NULL
            UNION
            SELECT l.date_closed::date, l.user_id
              FROM crm_lead l
             WHERE l.write_date >= %(since)s AND l.date_closed IS NOT NULL AND l.user_id IS NOT NULL
        """, since=since))
        cr.execute(SQL("SELECT COUNT(*) FROM crm_rep_performance_dirty"))
        count = cr.fetchone()[0]
        cr.execute(SQL("CREATE INDEX ON crm_rep_performance_dirty (user_id, date)"))
        cr.execute(SQL("ANALYZE crm_rep_performance_dirty"))
        return count

    @api.model
    def _refresh(self, full=False):
        """Bring the roll-up up to date: the (day, rep) groups touched since the last refresh
        (``full``: everything). Returns the number of groups recomputed (``-1``: full).
        Aggregates of every rep, read back through the rules of this model; no user input
        reaches the SQL."""
        cr = self.env.cr
        self.env.flush_all()
        self._no_jit()
        # one refresh at a time (cron and on-demand): the second one waits for the first
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", REFRESH_LOCK_KEY))
        cr.execute(SQL("SELECT now() AT TIME ZONE 'UTC'"))
        started = cr.fetchone()[0]
        cr.execute(SQL("SELECT value FROM %s WHERE id = 1", SQL.identifier(WATERMARK_TABLE)))
        watermark = (cr.fetchone() or [None])[0]
        full = full or not watermark
        rollup = SQL.identifier(ROLLUP_TABLE)
        if full:
            groups = -1
            cr.execute(SQL("TRUNCATE %s", rollup))
        else:
            groups = self._mark_dirty(watermark - timedelta(minutes=WATERMARK_OVERLAP_MINUTES))
            cr.execute(SQL(
                "DELETE FROM %s k USING crm_rep_performance_dirty d WHERE k.user_id = d.user_id AND k.date = d.date",
                rollup))
        if full or groups:
            columns = SQL(", ").join(SQL.identifier(name) for name, _type in SUMS)
            cr.execute(SQL("INSERT INTO %s (date, user_id, team_id, %s) %s",
                           rollup, columns, self._figures_query(scoped=not full)))
        cr.execute(SQL(
            "INSERT INTO %s (id, value) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value",
            SQL.identifier(WATERMARK_TABLE), started))
        self.invalidate_model()
        _logger.info("rep performance roll-up refreshed (%s)", "full" if full else f"{groups} groups")
        return groups

    @api.model
    def _cron_refresh(self, full=False):
        self._refresh(full=full)
