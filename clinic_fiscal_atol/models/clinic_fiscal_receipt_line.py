from odoo import fields, models

from .product_template import VAT_RATES

PAYMENT_METHODS = [
    ("fullPrepayment", "Full prepayment"),
    ("prepayment", "Partial prepayment"),
    ("advance", "Advance"),
    ("fullPayment", "Full payment"),
]
PAYMENT_OBJECTS = [("service", "Service"), ("payment", "Payment (advance)")]


class ClinicFiscalReceiptLine(models.Model):
    """A position of a receipt, as sent to the register (FFD 1.2 tags 1030, 1079, 1023, 1199, 1214, 1212, 2108)."""

    _name = "clinic.fiscal.receipt.line"
    _description = "Receipt line"
    _order = "receipt_id, sequence, id"

    receipt_id = fields.Many2one(
        "clinic.fiscal.receipt", string="Receipt", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(string="Sequence", default=10)
    product_id = fields.Many2one("product.product", string="Service", ondelete="restrict")
    name = fields.Char(string="Name", required=True, help="As printed, at most 128 characters (tag 1030).")
    price = fields.Float(string="Price", digits=(16, 2), required=True)
    quantity = fields.Float(string="Quantity", digits=(16, 3), required=True, default=1.0)
    amount = fields.Float(string="Amount", digits=(16, 2), required=True, help="Price × quantity, to the kopeck.")
    vat = fields.Selection(VAT_RATES, string="VAT", required=True, default="none")
    payment_method = fields.Selection(PAYMENT_METHODS, string="Payment method", required=True, default="fullPayment")
    payment_object = fields.Selection(PAYMENT_OBJECTS, string="Payment object", required=True, default="service")

    def _as_atol(self):
        return [
            {
                "type": "position",
                "name": line.name[:128],
                "price": round(line.price, 2),
                "quantity": line.quantity,
                "amount": round(line.amount, 2),
                "measurementUnit": 0,  # FFD 1.2 tag 2108: pieces / units
                "paymentMethod": line.payment_method,
                "paymentObject": line.payment_object,
                "tax": {"type": line.vat},
            }
            for line in self
        ]
