from odoo import fields, models

TAXATION_TYPES = [
    ("osn", "General (OSN)"),
    ("usnIncome", "Simplified, income (USN 6%)"),
    ("usnIncomeOutcome", "Simplified, income less expenses (USN 15%)"),
    ("esn", "Unified agricultural tax (ESKhN)"),
    ("patent", "Patent"),
]


class ResCompany(models.Model):
    """What receipts and certificates take from the clinic: its taxation system and its tax office."""

    _inherit = "res.company"

    clinic_taxation_type = fields.Selection(
        TAXATION_TYPES,
        string="Taxation system",
        default="usnIncome",
        help="Printed on every receipt (tag 1055); must match the register's registration, "
        "else the register refuses the receipt (error 143).",
    )
    clinic_tax_office_code = fields.Char(
        string="Tax office code",
        size=4,
        help="Four-digit code of the clinic's tax office (e.g. 6671), the recipient of the certificates' XML file.",
    )
