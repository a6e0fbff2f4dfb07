from odoo import fields, models


class ClinicApiKeyWizard(models.TransientModel):
    """Shows a freshly issued API key once; only its hash stays on the consumer."""

    _name = "clinic.api.key.wizard"
    _description = "New API key"

    consumer_id = fields.Many2one("clinic.api.consumer", string="Consumer", required=True, ondelete="cascade")
    key = fields.Char(string="Key", readonly=True, help="Give it to the consumer now: it is not shown again.")
