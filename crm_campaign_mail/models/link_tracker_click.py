from odoo import api, fields, models


class LinkTrackerClick(models.Model):
    """Clicks of links in CRM mail, recorded by ``link_tracker`` with the
    trace of the mail they come from (as ``mass_mailing`` does with
    ``mailing_trace_id``)."""

    _inherit = "link.tracker.click"

    crm_mail_trace_id = fields.Many2one(
        "crm.mail.trace", "CRM Mail Trace", index="btree_not_null", ondelete="set null")

    def _prepare_click_values_from_route(self, **route_values):
        click_values = super()._prepare_click_values_from_route(**route_values)
        if click_values.get("crm_mail_trace_id"):
            trace = self.env["crm.mail.trace"].sudo().browse(
                click_values["crm_mail_trace_id"]).exists()
            click_values["crm_mail_trace_id"] = trace.id
        return click_values

    @api.model
    def add_click(self, code, **route_values):
        click = super().add_click(code, **route_values)
        if click and click.crm_mail_trace_id:
            click.crm_mail_trace_id.sudo().set_clicked()
        return click
