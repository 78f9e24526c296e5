from odoo import api, fields, models


class CrmKpiDaily(models.Model):
    """Calls of crm_yealink as a source of the KPI roll-up (crm_dashboards' extension point)."""

    _inherit = "crm.kpi.daily"

    kpi = fields.Selection(
        selection_add=[
            ("calls", "Calls"),
            ("calls_answered", "Calls Answered"),
            ("talk_minutes", "Talk Time (min)"),
        ],
        ondelete={"calls": "cascade", "calls_answered": "cascade", "talk_minutes": "cascade"},
    )

    @api.model
    def _kpi_sources(self):
        sources = super()._kpi_sources()
        call = {
            "table": "crm_call",
            "from": "crm_call c",
            "touched": "c.write_date",
            "date": "c.ring_start::date",
            "user": "c.user_id",
            "event": "c.event_id",
            "team": "c.team_id",
        }
        sources["call"] = dict(call, where="c.state NOT IN ('dialing', 'ringing', 'talking')", values={
            "calls": "COUNT(*)",
            "calls_answered": "COUNT(*) FILTER (WHERE c.is_answered)",
            "talk_minutes": "COALESCE(SUM(c.talk_seconds), 0) / 60.0",
        })
        # leads reached by phone count with the leads contacted by other sources
        sources["call_contact"] = dict(
            call, where="c.is_answered AND c.direction = 'out' AND c.lead_id IS NOT NULL",
            values={"leads_contacted_other": "COUNT(DISTINCT c.lead_id)"},
        )
        return sources
