from odoo import fields, models


class ResCompany(models.Model):
    """Where the clinic sends the certificates' file: its tax office."""

    _inherit = "res.company"

    clinic_tax_office_code = fields.Char(
        string="Tax office code",
        size=4,
        help="Four-digit code of the clinic's tax office (e.g. 6671), the recipient of the certificates' XML file.",
    )
