import logging

from odoo import api, models

_logger = logging.getLogger(__name__)

# key added to the gateway's message dict when a mail is routed to a lead
# because of its sender; popped by crm.lead.message_update
MATCH_KEY = "crm_campaign_match"


class MailThread(models.AbstractModel):
    """Campaign responses and bounces at the mail gateway.

    Hook: ``message_route`` (the gateway's routing decision), wrapped rather
    than rewritten:

    * replies to a mail sent from a lead are already routed by Odoo to that
      lead (``In-Reply-To``/``References``): nothing changes, the response
      is counted by ``crm.lead.message_update``;
    * a new mail (not a reply) whose sender is on the target list of a
      contacted campaign is attached to that target's lead (created from the
      target when it has none) instead of creating a duplicate lead through
      a ``crm.lead`` alias, or instead of being rejected when no route exists
      ("No possible route found"). Routes to other models are left alone.
    """

    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None,
                      custom_values=None):
        if message_dict.get("is_bounce"):
            return super().message_route(message, message_dict, model=model,
                                         thread_id=thread_id, custom_values=custom_values)
        try:
            routes = super().message_route(message, message_dict, model=model,
                                           thread_id=thread_id, custom_values=custom_values)
        except ValueError:
            route = self._crm_campaign_response_route(message, message_dict)
            if not route:
                raise
            return [route]
        new_lead_routes = [r for r in routes if r[0] == "crm.lead" and not r[1]]
        if not new_lead_routes:
            return routes
        route = self._crm_campaign_response_route(message, message_dict)
        if not route:
            return routes
        # the sender already has a lead in a campaign: update it, do not create another one
        return [r for r in routes if r not in new_lead_routes] + [route]

    @api.model
    def _crm_campaign_response_route(self, message, message_dict):
        Response = self.env["crm.campaign.response"]
        match = Response._match_sender(message_dict.get("email_from"))
        if not match:
            return None
        lead, created = Response._ensure_lead(match)
        if not lead:
            return None
        match = dict(match, lead=lead, lead_created=created)
        user_id = self._mail_find_user_for_gateway(message_dict["email_from"]).id or self._uid
        route = self._routing_check_route(
            message, message_dict, ("crm.lead", lead.id, None, user_id, None),
            raise_exception=False)
        if not route:
            return None
        message_dict.pop("parent_id", None)
        message_dict[MATCH_KEY] = match
        _logger.info(
            "Routing mail from %s with Message-Id %s: campaign response to lead %s of campaign %s",
            message_dict.get("email_from"), message_dict.get("message_id"), lead.id,
            match["campaign"].id)
        return route

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        res = super()._routing_handle_bounce(email_message, message_dict)
        traces = self.env["crm.mail.trace"]._find_by_message_ids(
            message_dict.get("bounced_msg_ids"))
        bounced_email = message_dict.get("bounced_email")
        if bounced_email:
            traces = traces.filtered(lambda t: not t.email or t.email == bounced_email)
        traces.set_bounced()
        return res
