from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.clinic_base.tools.access import require_one

from ..acquiring import AcquiringError, get_terminal
from ..models.clinic_visit_payment import require_cash_desk


class ClinicFiscalPaymentWizard(models.TransientModel):
    """Take a payment (or a refund) at the desk: the card terminal first, then the payment and its receipt.

    The terminal's approval is committed on its own before the payment is written, so that nothing
    that fails afterwards can make the cashier charge the card a second time.
    """

    _name = "clinic.fiscal.payment.wizard"
    _description = "Take a payment"

    visit_id = fields.Many2one("clinic.visit", string="Visit", required=True, ondelete="cascade")
    kind = fields.Selection(
        [("payment", "Payment"), ("refund", "Refund")], string="Kind", required=True, default="payment"
    )
    refund_of_id = fields.Many2one(
        "clinic.visit.payment",
        string="Refund of",
        domain="[('visit_id', '=', visit_id), ('kind', '=', 'payment'), ('fiscal_state', '=', 'done')]",
        help="The printed payment the money is returned from.",
    )
    register_id = fields.Many2one(
        "clinic.fiscal.register",
        string="Register",
        required=True,
        default=lambda self: self.env["clinic.fiscal.register"].search([], limit=1),
    )
    method = fields.Selection(
        [("cash", "Cash"), ("card", "Card"), ("transfer", "Bank transfer")],
        string="Method",
        required=True,
        default="cash",
    )
    amount = fields.Float(string="Amount", digits=(16, 2), required=True)
    email_or_phone = fields.Char(
        string="Send receipt to", help="E-mail or phone for an electronic copy; empty for none."
    )
    terminal_rrn = fields.Char(string="RRN", readonly=True)
    terminal_auth_code = fields.Char(string="Authorization code", readonly=True)
    terminal_slip = fields.Text(string="Slip", readonly=True)
    shift_warning = fields.Char(related="register_id.shift_warning", string="Warning")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        visit = self.env["clinic.visit"].browse(values.get("visit_id") or self.env.context.get("active_id"))
        if visit.exists() and "amount" in fields_list and not values.get("amount"):
            values["amount"] = max(visit.balance_due, 0.0)
        return values

    @api.onchange("refund_of_id")
    def _onchange_refund_of_id(self):
        if self.refund_of_id:
            self.method, self.amount = self.refund_of_id.method, self.refund_of_id.amount

    def action_confirm(self):
        """Charge the card when needed, then record the payment; its receipt is queued with it."""
        require_cash_desk(self.env)
        require_one(self)
        if self.amount <= 0:
            raise ValidationError(self.env._("Amount: enter a sum greater than zero."))
        if self.kind == "refund":
            self._check_refund()
        else:
            self.register_id._check_can_sell()
        terminal = {
            "terminal_rrn": self.terminal_rrn,
            "terminal_auth_code": self.terminal_auth_code,
            "terminal_slip": self.terminal_slip,
        }
        if self.method == "card" and self.register_id.terminal != "none" and not self.terminal_rrn:
            terminal = self._charge_terminal()
        vals = {"payer_id": self.refund_of_id.payer_id.id} if self.kind == "refund" else {}
        payment = self.env["clinic.visit.payment"].create(
            {
                **vals,
                "visit_id": self.visit_id.id,
                "kind": self.kind,
                "refund_of_id": self.refund_of_id.id,
                "method": self.method,
                "amount": self.amount,
                "register_id": self.register_id.id,
                "email_or_phone": self.email_or_phone,
                **terminal,
            }
        )
        receipt = payment.sudo().receipt_ids[:1]
        return receipt._open_form() if receipt else {"type": "ir.actions.act_window_close"}

    def _check_refund(self):
        original = self.refund_of_id
        if not original:
            raise ValidationError(self.env._("Refund of: choose the printed payment the money is returned from."))
        refunded = sum(original.search([("refund_of_id", "=", original.id)]).mapped("amount"))
        if self.amount > original.amount - refunded + 0.001:
            raise ValidationError(
                self.env._(
                    "Amount: %(amount).2f is more than what is left of payment %(payment)s (%(left).2f).",
                    amount=self.amount,
                    payment=original.display_name,
                    left=original.amount - refunded,
                )
            )

    def _charge_terminal(self):
        """One terminal operation; its approval is committed at once, in a transaction of its own, on the
        wizard the browser saved: confirming again (a lost answer, a retried request) never charges twice."""
        terminal = get_terminal(self.register_id.sudo())
        try:
            if self.kind == "refund":
                if not self.refund_of_id.terminal_rrn:
                    raise UserError(
                        self.env._("The original card payment has no RRN: refund it in cash or by transfer.")
                    )
                result = terminal.refund(self.amount, self.refund_of_id.terminal_rrn)
            else:
                result = terminal.sale(self.amount)
        except AcquiringError as exc:
            raise UserError(
                self.env._(
                    "The terminal did not answer (%(error)s). Check its journal before trying again: "
                    "the card may have been charged.",
                    error=str(exc),
                )
            ) from exc
        if not result.approved:
            raise UserError(
                self.env._("The terminal declined: %(code)s %(message)s", code=result.code, message=result.message)
            )
        vals = {"terminal_rrn": result.rrn, "terminal_auth_code": result.auth_code, "terminal_slip": result.slip}
        with self.env.registry.cursor() as cr:
            cr.execute(
                "UPDATE clinic_fiscal_payment_wizard "
                "SET terminal_rrn = %s, terminal_auth_code = %s, terminal_slip = %s WHERE id = %s",
                [result.rrn, result.auth_code, result.slip, self.id],
            )
            saved = cr.rowcount
        if not saved:  # the wizard was created in this very transaction: it keeps the approval itself
            self.write(vals)
        return vals
