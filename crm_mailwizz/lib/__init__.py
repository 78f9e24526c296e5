# Odoo-free MailWizz helpers: API client and PHP-compatible query encoding. Nothing here imports
# odoo (the local fake MailWizz server is test code: tests/fake_mailwizz.py).
