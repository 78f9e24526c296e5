# Odoo-free MailWizz helpers: API client, PHP-compatible query encoding and a
# local fake MailWizz server for tests and benchmarks. Nothing here imports odoo.
