from odoo import Command, models

from .crm_lead_bulk import insert_followers


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    def _insert_followers(self, res_model, res_ids, partner_ids, subtypes=None,
                          customer_ids=None, check_existing=True, existing_policy="skip"):
        """With ``crm_bulk_followers`` in the context (``crm.lead._bulk_create``), the new
        followers are written by two INSERTs (:func:`~.crm_lead_bulk.insert_followers`)
        instead of the ORM's ``create``: the salesperson's auto-subscription of an
        import batch dealt to four reps cost 0.45 ms per lead through ``create``.

        With given subtypes and the *skip* or *update* policy (auto-subscription), the
        existing followers are found by one query on the (model, document, partner)
        index, and looked up in a dict: ``_add_followers`` looks each one up among all
        the existing followers of the documents (quadratic: 100 ms for 1,000 leads whose
        salesperson already follows them), and its query goes through the partner's
        index, which grows with every document the partner follows."""
        if not self.env.context.get("crm_bulk_followers"):
            return super()._insert_followers(
                res_model, res_ids, partner_ids, subtypes=subtypes, customer_ids=customer_ids,
                check_existing=check_existing, existing_policy=existing_policy)
        if subtypes and check_existing and existing_policy in ("skip", "update") and res_ids:
            new, updates = self._bulk_add_followers(
                res_model, res_ids, partner_ids, subtypes, existing_policy)
        elif subtypes:
            new, updates = self._add_followers(
                res_model, res_ids, partner_ids, subtypes,
                check_existing=check_existing, existing_policy=existing_policy)
        else:
            new, updates = self._add_default_followers(
                res_model, res_ids, partner_ids, customer_ids=customer_ids,
                check_existing=check_existing, existing_policy=existing_policy)
        insert_followers(self.env, new)
        followers = self.sudo().with_context(default_partner_id=False)
        for follower_id, values in updates.items():
            followers.browse(follower_id).write(values)
        return None

    def _bulk_add_followers(self, res_model, res_ids, partner_ids, subtypes, existing_policy):
        """``_add_followers`` with ``check_existing`` for the *skip* and *update*
        policies: the same ``(new, updates)``, without its quadratic lookup."""
        new, _updates = self._add_followers(res_model, res_ids, partner_ids, subtypes)
        existing = self._bulk_existing_followers(res_model, res_ids, partner_ids)
        updates = {}
        for res_id in list(new):
            fresh = []
            for values in new[res_id]:
                found = existing.get((res_id, values["partner_id"]))
                if not found:
                    fresh.append(values)
                    continue
                follower_id, subtype_ids = found
                missing = set(subtypes[values["partner_id"]]) - set(subtype_ids)
                if existing_policy == "update" and missing:
                    updates[follower_id] = {"subtype_ids": [Command.link(sid) for sid in missing]}
            if fresh:
                new[res_id] = fresh
            else:
                del new[res_id]
        return new, updates

    def _bulk_existing_followers(self, res_model, res_ids, partner_ids):
        """``{(document id, partner id): (follower id, subtype ids)}`` of the followers
        among ``partner_ids`` of the documents, one index probe per document (15 ms
        for 1,000 documents, whatever the number of documents the partners follow)."""
        self.flush_model(["partner_id", "res_id", "res_model", "subtype_ids"])
        self.env.cr.execute("""
            SELECT fol.id, fol.res_id, fol.partner_id,
                   array_remove(array_agg(rel.mail_message_subtype_id), NULL)
              FROM unnest(%s::int[]) AS doc(res_id)
              JOIN mail_followers fol
                ON fol.res_model = %s AND fol.res_id = doc.res_id
               -- "+ 0": not through the partner's index (the planner takes it for a new
               -- user's partner, then reads every document he follows)
               AND fol.partner_id + 0 = ANY(%s)
              LEFT JOIN mail_followers_mail_message_subtype_rel rel ON rel.mail_followers_id = fol.id
             GROUP BY fol.id""", [list(res_ids), res_model, list(partner_ids)])
        return {(res_id, partner_id): (follower_id, subtype_ids)
                for follower_id, res_id, partner_id, subtype_ids in self.env.cr.fetchall()}
