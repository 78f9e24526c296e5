from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.gamification.models import gamification_challenge as challenge_module

QUARTERLY = "quarterly"


def quarter_dates(day):
    """First and last day of the 3-month period (calendar quarter) of ``day``."""
    start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return start, start + relativedelta(months=3, days=-1)


_start_end_date_for_period = challenge_module.start_end_date_for_period


def start_end_date_for_period(period, default_start_date=False, default_end_date=False):
    """gamification's period dates, plus the customer's 3-month period (a calendar quarter:
    Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec; also the Indian fiscal quarters)."""
    if period == QUARTERLY:
        start, end = quarter_dates(date.today())
        return fields.Datetime.to_string(start), fields.Datetime.to_string(end)
    return _start_end_date_for_period(period, default_start_date, default_end_date)


# gamification calls the module-level function from its methods (goal generation, reports,
# ranking): replacing it there is the one hook that covers every caller
challenge_module.start_end_date_for_period = start_end_date_for_period


class GamificationChallenge(models.Model):
    _inherit = "gamification.challenge"

    period = fields.Selection(
        selection_add=[(QUARTERLY, "Quarterly (3 months)")], ondelete={QUARTERLY: "set default"}
    )

    @api.model
    def _crm_is_target_admin(self):
        user = self.env.user
        return self.env.su or user.has_group("crm_event_products.group_crm_conf_admin") or user.has_group(
            "base.group_erp_manager"
        )

    @api.model
    def _crm_check_target_users(self, users):
        """Managers set targets for their people only: users of their own department
        whose role is under theirs (role hierarchy). Administrators for anyone."""
        if self._crm_is_target_admin() or not users:
            return
        manager = self.env.user
        level = manager.crm_role_id.crm_role_level or 0
        refused = users.sudo().filtered(
            lambda u: not manager.crm_department_id
            or u.crm_department_id != manager.crm_department_id
            or (u.crm_role_id.crm_role_level or 0) >= level
        )
        if refused:
            raise AccessError(
                _(
                    "You can set targets only for the people of your department whose role is under "
                    "yours. Not allowed: %(users)s.",
                    users=", ".join(refused.mapped("name")),
                )
            )

    def _crm_check_targets(self, vals_list):
        if self._crm_is_target_admin():
            return
        if any(vals.get("user_domain") for vals in vals_list):
            raise AccessError(_("Only administrators can pick the participants of a challenge by a domain."))
        self._crm_check_target_users(self.user_ids)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._crm_is_target_admin():
            # gamification's default participants are every internal user (default_get)
            for vals in vals_list:
                vals.setdefault("user_domain", False)
        challenges = super().create(vals_list)
        challenges._crm_check_targets(vals_list)
        return challenges

    def write(self, vals):
        res = super().write(vals)
        if "user_ids" in vals or "user_domain" in vals:
            self._crm_check_targets([vals])
        return res
