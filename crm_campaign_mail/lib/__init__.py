# Odoo-free helpers of crm_campaign_mail (campaign metric rates). Nothing here imports odoo.
