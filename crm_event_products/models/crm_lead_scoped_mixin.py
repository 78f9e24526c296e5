from odoo import api, fields, models


class CrmLeadScopedMixin(models.AbstractModel):
    """A record whose visibility follows the lead it belongs to.

    The role table is defined once, by the record rules of ``crm.lead``. A model
    that holds or shows lead data (assignments, targets, mail traces, responses,
    calls...) inherits this mixin and gets a record rule
    ``[('lead_readable', '=', True)]``: the rule's sub-query is the user's own
    search of ``crm.lead``, with every lead rule of the user applied, so the model
    shows exactly the records of the leads its reader may read.

    Odoo evaluates record-rule domains as superuser (``_apply_ir_rules`` builds
    them on ``self.sudo()``), which is why a plain rule on ``lead_id.user_id``
    would never apply the lead's own rules: the search method below switches
    back to the real user (``sudo(False)``) before it searches the leads.

    ``_lead_scope_field`` names the many2one to ``crm.lead`` (default ``lead_id``).
    Records without a lead match ``lead_readable = False``; a model that keeps
    lead-less records (e.g. targets before conversion) adds its own rule for them.
    """

    _name = "crm.lead.scoped.mixin"
    _description = "Record scoped by its lead's visibility"
    _lead_scope_field = "lead_id"
    # ids per SQL check of the create rules of a bulk insert (crm_campaign_mgmt's
    # check_create_rules): with 1,000 ids, the rule's sub-query is planned as a
    # (parallel) join over the whole lead table, 266 ms per 1,000 lead assignments at
    # 240k leads; with 100, as index probes on crm_lead, about 1 ms
    _rule_check_chunk = 100

    lead_readable = fields.Boolean(
        string="Lead Readable",
        compute="_compute_lead_readable",
        search="_search_lead_readable",
        help="The current user may read this record's lead.",
    )

    @api.depends_context("uid")
    def _compute_lead_readable(self):
        field_name = self._lead_scope_field
        leads = self.sudo().mapped(field_name)
        Lead = self.env["crm.lead"].sudo(False).with_context(active_test=False)
        readable_ids = set()
        if leads and Lead.has_access("read"):
            # one SQL search with the user's lead rules (filtering records in Python
            # with the rules' domains costs ~3 ms per lead)
            readable_ids = set(Lead.search([("id", "in", leads.ids)]).ids)
        for record, lead in zip(self, self.sudo(), strict=True):
            record.lead_readable = lead[field_name].id in readable_ids

    @api.model
    def _search_lead_readable(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(operator)
        positive = bool(value) == (operator == "=")
        lead_query = self._readable_lead_query()
        field_name = self._lead_scope_field
        if positive:
            return [(field_name, "in", lead_query)]
        return ["|", (field_name, "=", False), (field_name, "not in", lead_query)]

    @api.model
    def _readable_lead_query(self):
        """The ids of the leads the real user (not the rule's superuser) may read, as a
        SQL sub-query; archived (lost) leads included."""
        Lead = self.env["crm.lead"].sudo(False).with_context(active_test=False)
        return Lead._search([])

    @api.model
    def _lead_readable_domain(self):
        """Domain of this model's records whose lead the user may read (for code
        that works as superuser on behalf of a user)."""
        return [(self._lead_scope_field, "in", self._readable_lead_query())]
