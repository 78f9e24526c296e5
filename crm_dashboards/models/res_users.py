from odoo import api, models

# the home dashboard of each role (xml id of the role group -> xml id of the action),
# the highest role first: a user lands on the first one whose group he has
HOME_ACTIONS = [
    ("crm_event_products.group_phone_stl", "crm_dashboards.action_home_phone_team"),
    ("crm_event_products.group_phone_se", "crm_dashboards.action_home_phone_own"),
    ("crm_event_products.group_email_jme", "crm_dashboards.action_home_marketing"),
    ("crm_event_products.group_email_jre", "crm_dashboards.action_home_research"),
    ("crm_event_products.group_production_p", "crm_dashboards.action_home_production"),
]


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._crm_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(key == "groups_id" or key.startswith(("in_group_", "sel_groups_")) for key in vals):
            self._crm_set_home_action()
        return res

    def _crm_set_home_action(self):
        """Each role lands on its department's dashboard (``action_id``: the web client
        and the mobile app open it after login). A home action the user or an
        administrator chose (anything but one of the role dashboards) is kept."""
        homes = []
        for group_xmlid, action_xmlid in HOME_ACTIONS:
            group = self.env.ref(group_xmlid, raise_if_not_found=False)
            action = self.env.ref(action_xmlid, raise_if_not_found=False)
            if group and action:
                homes.append((group, action))
        if not homes:  # installing
            return
        role_actions = {action.id for _group, action in homes}
        for user in self.sudo():
            if user.action_id and user.action_id.id not in role_actions:
                continue
            home = next((action for group, action in homes if group in user.groups_id), None)
            if (home.id if home else False) != user.action_id.id:
                user.action_id = home.id if home else False
