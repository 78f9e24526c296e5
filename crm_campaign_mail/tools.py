"""The batch-commit and notification helpers of the campaign addons live in
``crm_campaign_mgmt.tools``; imported here for the mail addons built on this one."""

from odoo.addons.crm_campaign_mgmt.tools import (  # noqa: F401
    can_commit,
    commit_batch,
    notify_users,
)
