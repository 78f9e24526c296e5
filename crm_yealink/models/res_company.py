from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def cache_invalidation_fields(self):
        # the company's country is the default of its phones' local numbers (yealink.phone._yealink_ring_row)
        return super().cache_invalidation_fields() | {"country_id"}
