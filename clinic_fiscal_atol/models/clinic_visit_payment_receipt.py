from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from odoo.addons.clinic_base.tools.access import require_one

from .clinic_visit_payment import require_corrections

# What a printed payment may no longer change: the receipt says otherwise (a refund or a correction does).
FROZEN_FIELDS = {"visit_id", "amount", "method", "date", "payer_id", "kind", "refund_of_id", "register_id"}
ADVANCE_NAME = "Аванс за медицинские услуги"


class ClinicVisitPayment(models.Model):
    """The receipt side of a payment: which register prints it, the card terminal's data, immutability.

    Receipt lines for a payment that covers part of the visit are the visit's services, each scaled by
    payment ÷ visit total (the last line takes the rounding remainder), so that the receipts of all the
    payments of a visit add up to its services. A payment before the visit is done is a prepayment
    («full prepayment» when it covers everything, else «prepayment»; «advance» when no service is
    entered yet); when the visit is done, each such prepayment gets a full-settlement receipt
    offsetting it (payment type «prepaid»).
    """

    _inherit = "clinic.visit.payment"

    register_id = fields.Many2one(
        "clinic.fiscal.register",
        string="Register",
        index=True,
        ondelete="restrict",
        help="The cash desk that prints the receipt; the clinic's first register when empty.",
    )
    receipt_ids = fields.One2many("clinic.fiscal.receipt", "payment_id", string="Receipts", readonly=True)
    email_or_phone = fields.Char(
        string="Send receipt to", help="The patient's e-mail or phone for an electronic copy of the receipt."
    )
    terminal_rrn = fields.Char(string="RRN", readonly=True, copy=False, help="The bank's reference of the card charge.")
    terminal_auth_code = fields.Char(string="Authorization code", readonly=True, copy=False)
    terminal_slip = fields.Text(string="Slip", readonly=True, copy=False, help="The card terminal's slip text.")

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        """Queue the receipt of each new payment; only the cash desk itself records a receipt's state."""
        if not self.env.su and not self.env.context.get("clinic_fiscal_sync"):
            if any(vals.get("fiscal_state", "none") != "none" for vals in vals_list):
                raise UserError(self.env._("Receipt: its state is recorded by the cash desk, not typed in."))
        payments = super().create(vals_list)
        payments.filtered(lambda p: not p.visit_id.is_imported and p.fiscal_state == "none")._clinic_fiscal_queue()
        return payments

    def write(self, vals):
        if "fiscal_state" in vals and not self.env.su and not self.env.context.get("clinic_fiscal_sync"):
            raise UserError(self.env._("Receipt: its state is recorded by the cash desk, not typed in."))
        if not self.env.context.get("clinic_fiscal_sync") and FROZEN_FIELDS & set(vals):
            printed = self.filtered(lambda p: p.fiscal_state != "none")
            if printed:
                raise UserError(
                    self.env._(
                        "Payment %(name)s has a fiscal receipt: it can no longer be changed. "
                        "Enter a refund, or issue a correction receipt.",
                        name=printed[0].display_name,
                    )
                )
        return super().write(vals)

    def unlink(self):
        printed = self.filtered(lambda p: p.fiscal_state != "none")
        if printed:
            raise UserError(
                self.env._(
                    "Payment %(name)s has a fiscal receipt: it cannot be deleted; enter a refund instead.",
                    name=printed[0].display_name,
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ actions

    def action_clinic_fiscal_correct(self):
        """Open the correction receipt window (a payment without receipt, or a wrong receipt)."""
        require_corrections(self.env)
        require_one(self)
        self.check_access("read")
        wrong = self.sudo().receipt_ids.filtered(
            lambda r: r.state == "done" and r.operation in ("sell", "sellCorrection")
        )
        register = self.register_id or self.env["clinic.fiscal.register"]._default_for(self.visit_id.company_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correction receipt"),
            "res_model": "clinic.fiscal.correction.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_payment_id": self.id,
                "default_receipt_id": wrong[-1:].id,
                "default_register_id": register.id,
                "default_method": "cash" if self.method == "cash" else "electronically",
            },
        }

    # ------------------------------------------------------------------ receipts

    def _clinic_fiscal_queue(self):
        """Create and queue each payment's receipt (nothing when the clinic has no register)."""
        Receipt = self.env["clinic.fiscal.receipt"].sudo()
        for payment in self:
            register = payment.register_id or self.env["clinic.fiscal.register"]._default_for(
                payment.visit_id.company_id
            )
            if not register:
                continue
            if payment.kind != "refund":
                register._check_can_sell()
            receipt = Receipt.create(
                {
                    "register_id": register.id,
                    "operation": "sellReturn" if payment.kind == "refund" else "sell",
                    "payment_id": payment.id,
                    "cashier_id": self.env.user.id,
                    "payment_type": "cash" if payment.method == "cash" else "electronically",
                    "amount": payment.amount,
                    "email_or_phone": payment.email_or_phone,
                    "slip": payment.terminal_slip,
                    "line_ids": [fields.Command.create(vals) for vals in payment._clinic_fiscal_lines()],
                }
            )
            receipt._freeze_request()
            payment.with_context(clinic_fiscal_sync=True).write({"register_id": register.id, "fiscal_state": "queued"})
            receipt._schedule()

    def _clinic_fiscal_lines(self, settle=False):
        """Receipt lines of this payment: the visit's services in proportion to the amount (see the class)."""
        self.ensure_one()
        if self.kind == "refund" and self.refund_of_id:
            source = self.refund_of_id
            done = self.refund_of_id.visit_id.state == "done"
        else:
            source, done = self, self.visit_id.state == "done" or settle
        visit = source.visit_id
        services = visit.line_ids.filtered(lambda line: line.price_subtotal > 0)
        total = sum(services.mapped("price_subtotal"))
        amount = self.amount
        if not services or total <= 0:
            return [_line(ADVANCE_NAME, amount, 1.0, "none", "advance", "payment")]
        share = min(1.0, amount / total)
        method = "fullPayment" if done else ("fullPrepayment" if share >= 1.0 else "prepayment")
        lines, left = [], float_round(min(amount, total), 2)
        for index, service in enumerate(services):
            part = left if index == len(services) - 1 else float_round(service.price_subtotal * share, 2)
            left = float_round(left - part, 2)
            vat = service.product_id.product_tmpl_id.clinic_vat or "none"
            lines.append(_line(service.name, part, service.quantity, vat, method, "service", service.product_id.id))
        if amount > total:  # paid more than the services: the rest is an advance
            lines.append(_line(ADVANCE_NAME, float_round(amount - total, 2), 1.0, "none", "advance", "payment"))
        return lines

    def _clinic_fiscal_settle(self):
        """Full-settlement receipts offsetting the printed prepayments of visits now done."""
        Receipt = self.env["clinic.fiscal.receipt"].sudo()
        for payment in self.filtered(lambda p: p.kind == "payment" and p.fiscal_state != "none"):
            advance = payment.receipt_ids.filtered(lambda r: r.operation == "sell" and not r.settlement)[:1]
            if not advance or payment.receipt_ids.filtered("settlement"):
                continue
            if all(line.payment_method == "fullPayment" for line in advance.line_ids):
                continue
            receipt = Receipt.create(
                {
                    "register_id": advance.register_id.id,
                    "operation": "sell",
                    "settlement": True,
                    "payment_id": payment.id,
                    "cashier_id": self.env.user.id,
                    "payment_type": advance.payment_type,
                    "amount": payment.amount,
                    "line_ids": [fields.Command.create(vals) for vals in payment._clinic_fiscal_lines(settle=True)],
                }
            )
            receipt._freeze_request()
            receipt._schedule()


def _line(name, amount, quantity, vat, method, kind, product_id=False):
    """One position; a quantity that does not divide the amount to the kopeck is printed as 1 × amount."""
    price = float_round(amount / quantity, 2) if quantity else amount
    if abs(price * quantity - amount) > 0.005:
        price, quantity = amount, 1.0
    return {
        "name": name[:128],
        "price": price,
        "quantity": quantity,
        "amount": amount,
        "vat": vat,
        "payment_method": method,
        "payment_object": kind,
        "product_id": product_id,
    }
