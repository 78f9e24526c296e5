from odoo import api, fields, models

# KPI of the roll-up -> contact kind of crm_event_editions it counts
KIND_KPIS = {
    "speakers": "speaker",
    "delegates": "delegate",
    "sponsors": "sponsor",
}


class CrmKpiDaily(models.Model):
    """Leads by contact kind (crm_event_editions) as a source of the KPI roll-up
    (crm_dashboards' extension point)."""

    _inherit = "crm.kpi.daily"

    kpi = fields.Selection(
        selection_add=[
            ("speakers", "Speakers"),
            ("delegates", "Delegates"),
            ("sponsors", "Sponsors"),
        ],
        ondelete={"speakers": "cascade", "delegates": "cascade", "sponsors": "cascade"},
    )

    @api.model
    def _kpi_sources(self):
        sources = super()._kpi_sources()
        if self.env.context.get("crm_kpi_without_kinds"):
            return sources  # uninstalling (see hooks.uninstall_hook)
        kinds = ", ".join(f"'{kind}'" for kind in KIND_KPIS.values())
        # active leads of a converted kind (not the prospects), counted for their
        # salesperson on their creation day; ``inputs``: a change of kind between two
        # converted kinds (delegate -> sponsor) re-counts the lead's group too
        sources["contact_kind"] = {
            "table": "crm_lead",
            "from": "crm_lead l",
            "where": f"l.active AND l.crm_contact_kind IN ({kinds})",
            "date": "l.create_date::date",
            "user": "l.user_id",
            "event": "l.event_id",
            "team": "l.team_id",
            "values": {
                kpi: f"COUNT(*) FILTER (WHERE l.crm_contact_kind = '{kind}')" for kpi, kind in KIND_KPIS.items()
            },
            "inputs": ["l.crm_contact_kind"],
        }
        return sources
