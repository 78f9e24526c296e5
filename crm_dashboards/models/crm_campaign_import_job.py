from odoo import api, models


class CrmCampaignImportJob(models.Model):
    _inherit = "crm.campaign.import.job"

    @api.model
    def _crm_dashboards_demo_imports(self, logins=("jre", "sre"), weeks=12, per_week=4):
        """Demo: each researcher's imports of the last ``weeks`` weeks (a done import job
        and its leads, created as the researcher, spread over the weeks), so that the
        Research dashboard and the import targets show figures."""
        department = self.env.ref("crm_event_products.crm_department_email_sales")
        dated = []
        for login in logins:
            user = self.env["res.users"].search([("login", "=", login)], limit=1)
            product = user.crm_product_ids[:1]
            if not user or not product:
                continue
            env_user = self.with_user(user).sudo()
            job = env_user.create({"name": f"{login}_research_list.xlsx", "import_type": "leads"})
            job.state = "done"
            count = weeks * per_week
            leads = env_user.env["crm.lead"].create([{
                "name": f"{login.upper()} research prospect {index + 1}",
                "type": "lead",
                "contact_name": f"Prospect {index + 1} ({login.upper()})",
                "partner_name": f"Research Company {index + 1}",
                "email_from": f"prospect{index + 1}.{login}@example.in",
                "event_id": product.id,
                "department_id": department.id,
                "user_id": user.id,
                "crm_import_job_id": job.id,
            } for index in range(count)])
            # every 7 / per_week days back from today
            dated += [(lead.id, index * 7 // per_week) for index, lead in enumerate(leads)]
        if dated:
            self.env.flush_all()
            self.env.cr.execute(
                """UPDATE crm_lead l SET create_date = now() AT TIME ZONE 'UTC' - d.days * interval '1 day'
                     FROM unnest(%s::int[], %s::int[]) AS d(id, days) WHERE l.id = d.id""",
                [[lead_id for lead_id, _days in dated], [days for _lead_id, days in dated]],
            )
            self.env["crm.lead"].invalidate_model(["create_date"])
        return True
