from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import require_one

from ..models.clinic_visit_payment import require_corrections


class ClinicFiscalCorrectionWizard(models.TransientModel):
    """The two FFD 1.2 corrections: a payment taken without a receipt gets a sale correction; a wrong receipt
    is first reversed by a correction repeating it, then the right one is issued as a sale correction."""

    _name = "clinic.fiscal.correction.wizard"
    _description = "Correction receipt"

    payment_id = fields.Many2one("clinic.visit.payment", string="Payment", required=True, ondelete="cascade")
    receipt_id = fields.Many2one(
        "clinic.fiscal.receipt",
        string="Wrong receipt",
        domain="[('payment_id', '=', payment_id), ('state', '=', 'done'), "
        "('operation', 'in', ('sell', 'sellCorrection'))]",
        help="Empty when the payment got no receipt at all.",
    )
    register_id = fields.Many2one("clinic.fiscal.register", string="Register", required=True)
    method = fields.Selection(
        [("cash", "Cash"), ("electronically", "Card or transfer")], string="Paid by", required=True, default="cash"
    )
    correction_type = fields.Selection(
        [("self", "On our own"), ("instruction", "By the tax office's instruction")],
        string="Basis",
        required=True,
        default="self",
    )
    correction_date = fields.Date(string="Date of the error", required=True, default=fields.Date.context_today)
    correction_number = fields.Char(string="Instruction number", help="Only with the tax office's instruction.")

    def action_confirm(self):
        """Queue the correction receipts (reversal first, when a wrong receipt is corrected)."""
        require_corrections(self.env)
        require_one(self)
        if self.correction_type == "instruction" and not self.correction_number:
            raise UserError(self.env._("Instruction number: required when the tax office instructed the correction."))
        payment = self.payment_id
        if not self.receipt_id and payment.fiscal_state == "done":
            raise UserError(
                self.env._(
                    "Payment %(name)s has a printed receipt: choose it as the wrong receipt.", name=payment.display_name
                )
            )
        Receipt = self.env["clinic.fiscal.receipt"].sudo()
        common = {
            "register_id": self.register_id.id,
            "payment_id": payment.id,
            "cashier_id": self.env.user.id,
            "correction_type": self.correction_type,
            "correction_date": self.correction_date,
            "correction_number": self.correction_number,
        }
        receipts = Receipt.browse()
        if self.receipt_id:
            wrong = self.receipt_id.sudo()
            receipts |= Receipt.create(
                {
                    **common,
                    "operation": "sellReturnCorrection",
                    "corrected_id": wrong.id,
                    "payment_type": wrong.payment_type,
                    "amount": wrong.amount,
                    "line_ids": [
                        fields.Command.create(line.copy_data({"receipt_id": False})[0]) for line in wrong.line_ids
                    ],
                }
            )
        receipts |= Receipt.create(
            {
                **common,
                "operation": "sellCorrection",
                "corrected_id": self.receipt_id.id,
                "payment_type": self.method,
                "amount": payment.amount,
                "line_ids": [fields.Command.create(vals) for vals in payment._clinic_fiscal_lines()],
            }
        )
        receipts._freeze_request()
        payment.sudo().with_context(clinic_fiscal_sync=True).write({"fiscal_state": "queued"})
        receipts._schedule()
        return receipts[-1]._open_form()
