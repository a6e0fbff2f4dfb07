from odoo import fields, models

TAXATION_TYPES = [
    ("osn", "General (OSN)"),
    ("usnIncome", "Simplified, income (USN 6%)"),
    ("usnIncomeOutcome", "Simplified, income less expenses (USN 15%)"),
    ("esn", "Unified agricultural tax (ESKhN)"),
    ("patent", "Patent"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    clinic_taxation_type = fields.Selection(
        TAXATION_TYPES,
        string="Taxation system",
        default="usnIncome",
        help="Printed on every receipt (tag 1055); must match the register's registration, "
        "else the register refuses the receipt (error 143).",
    )
