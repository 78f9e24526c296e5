from collections import defaultdict

from odoo import fields, models

from .mail_thread import MATCH_KEY


class CrmLead(models.Model):
    """Campaign responses and leads generated on the lead side."""

    _inherit = "crm.lead"

    crm_mail_trace_ids = fields.One2many("crm.mail.trace", "lead_id", "Tracked Mails")
    crm_response_ids = fields.One2many("crm.campaign.response", "lead_id", "Campaign Responses")
    crm_mail_trace_count = fields.Integer("Mails Sent", compute="_compute_crm_mail_trace_stats")
    crm_mail_opened_count = fields.Integer("Opened Mails", compute="_compute_crm_mail_trace_stats")

    def _compute_crm_mail_trace_stats(self):
        """Mails sent from the lead and how many were opened, in one read_group."""
        stats = defaultdict(lambda: [0, 0])
        lead_ids = [lead_id for lead_id in self._origin.ids if lead_id]
        if lead_ids:
            for lead, count, opened in self.env["crm.mail.trace"]._read_group(
                [("lead_id", "in", lead_ids)], ["lead_id"], ["__count", "open_datetime:count"],
            ):
                stats[lead.id] = [count, opened]
        for lead in self:
            lead.crm_mail_trace_count, lead.crm_mail_opened_count = stats[lead._origin.id]

    def action_view_crm_mail_traces(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mail.crm_mail_trace_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def message_update(self, msg_dict, update_vals=None):
        match = msg_dict.pop(MATCH_KEY, None)
        res = super().message_update(msg_dict, update_vals=update_vals)
        self.env["crm.campaign.response"]._register_inbound(self, msg_dict, match)
        return res

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        leads = self.filtered(lambda lead: lead.type == "lead")
        res = super().convert_opportunity(partner, user_ids=user_ids, team_id=team_id)
        converted = leads.filtered(lambda lead: lead.type == "opportunity")
        if converted:
            self.env["crm.campaign.response"]._mark_converted(converted)
        return res

    def _merge_dependences(self, opportunities):
        """Responses and traces of merged leads follow the master lead; a
        response merged into an opportunity is a lead generated."""
        res = super()._merge_dependences(opportunities)
        Response = self.env["crm.campaign.response"].sudo()
        self.env["crm.mail.trace"].sudo().search(
            [("lead_id", "in", opportunities.ids)]).write({"lead_id": self.id})
        own = {r.campaign_id.id: r for r in Response.search([("lead_id", "=", self.id)])}
        moved = Response
        for response in Response.search([("lead_id", "in", opportunities.ids)]):
            master = own.get(response.campaign_id.id)
            if master:
                master.message_count += response.message_count
                response.unlink()
            else:
                response.lead_id = self
                own[response.campaign_id.id] = response
                moved |= response
        if self.type == "opportunity" and moved:
            Response._mark_converted(self, responses=moved)
        return res
