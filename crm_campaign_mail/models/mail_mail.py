from odoo import api, fields, models


class MailMail(models.Model):
    """Track mail sent from campaign leads (see ``crm.mail.trace``).

    Same mechanism as ``mass_mailing``: a trace per outgoing ``mail.mail``
    at creation, links shortened with ``link_tracker`` and a tracking pixel
    added to the outgoing body only (the chatter keeps the original), the
    trace marked sent or failed once the SMTP server answered.
    """

    _inherit = "mail.mail"

    crm_mail_trace_ids = fields.One2many("crm.mail.trace", "mail_mail_id", "CRM Mail Traces")

    @api.model_create_multi
    def create(self, vals_list):
        mails = super().create(vals_list)
        self.env["crm.mail.trace"]._create_for_mails(mails)
        return mails

    def _prepare_outgoing_body(self):
        body = super()._prepare_outgoing_body()
        traces = self.sudo().crm_mail_trace_ids
        if body and traces:
            body = traces[0]._track_body(body)
        return body

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        traces = self.sudo().crm_mail_trace_ids
        if traces:
            if failure_type:
                traces.set_failed(failure_reason or failure_type)
            else:
                traces.set_sent()
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type)
