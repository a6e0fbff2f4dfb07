from odoo import fields, models

VAT_RATES = [("none", "No VAT"), ("vat0", "0%"), ("vat10", "10%"), ("vat20", "20%")]
TAX_DEDUCTION_CODES = [
    ("none", "Not deductible"),
    ("1", "Code 1: medical service"),
    ("2", "Code 2: expensive treatment"),
]


class ProductTemplate(models.Model):
    """What a service means for receipts and for the tax-deduction certificate."""

    _inherit = "product.template"

    clinic_vat = fields.Selection(
        VAT_RATES,
        string="VAT on receipts",
        default="none",
        help="Licensed medical services carry no VAT; taxable ones (e.g. cosmetic services) carry a rate.",
    )
    clinic_tax_deduction_code = fields.Selection(
        TAX_DEDUCTION_CODES,
        string="Tax deduction code",
        default="1",
        help="Service code on the certificate for the tax office (Government Decree No. 458); "
        "«Not deductible» leaves the service off certificates (not on the licensed list).",
    )
