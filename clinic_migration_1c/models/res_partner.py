from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    migration_remarks = fields.Text(
        string="Import remarks",
        readonly=True,
        help="Values from 1C that could not be normalized, kept here exactly as they were typed, with the reason. "
        "Check them against the paper card and correct the card.",
    )
