from odoo import fields, models


class GamificationGoalDefinition(models.Model):
    _inherit = "gamification.goal.definition"

    crm_kpi = fields.Char(
        "CRM KPI", index="btree_not_null",
        help="Key of the KPI of the roll-up (crm.kpi.daily) this definition counts; dashboards find the goals "
        "of a KPI by it.")
