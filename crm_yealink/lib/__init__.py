"""Odoo-free helpers of crm_yealink: Yealink Action URL parsing and call folding,
the phone's click-to-dial HTTP client, the Yeastar P-Series Open API client, a rate
limiter. Nothing here imports ``odoo``; modules import each other relatively."""
