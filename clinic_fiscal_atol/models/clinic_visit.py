from odoo import api, models

from odoo.addons.clinic_base.tools.access import require_one

from .clinic_visit_payment import require_cash_desk


class ClinicVisit(models.Model):
    _inherit = "clinic.visit"

    @api.depends("line_ids.price_subtotal", "line_ids.discount_amount", "payment_ids.amount", "payment_ids.kind")
    def _compute_amounts(self):
        """A refund is a positive record of its own: it takes money back from what was paid."""
        result = super()._compute_amounts()
        for visit in self:
            refunded = sum(visit.payment_ids.filtered(lambda p: p.kind == "refund").mapped("amount"))
            if refunded:
                visit.amount_paid -= 2 * refunded
                visit.balance_due = visit.amount_total - visit.amount_paid
        return result

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "done":
            self.payment_ids._clinic_fiscal_settle()
        return result

    def action_clinic_fiscal_take_payment(self):
        """Open the cash desk's payment window: terminal (for a card), payment and receipt in one step."""
        self._clinic_fiscal_check()
        return self._clinic_fiscal_wizard("payment", self.env._("Payment for %(visit)s", visit=self.display_name))

    def action_clinic_fiscal_refund(self):
        """Open the refund window: money returned from a printed payment, with its refund receipt."""
        self._clinic_fiscal_check()
        return self._clinic_fiscal_wizard("refund", self.env._("Refund for %(visit)s", visit=self.display_name))

    def _clinic_fiscal_check(self):
        """Rights first, then one visit: the cash desk's actions are callable over RPC on any recordset."""
        require_cash_desk(self.env)
        require_one(self)
        self.check_access("read")

    def _clinic_fiscal_wizard(self, kind, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "clinic.fiscal.payment.wizard",
            "view_mode": "form",
            "views": [(self.env.ref("clinic_fiscal_atol.clinic_fiscal_payment_wizard_view_form").id, "form")],
            "target": "new",
            "context": {
                "default_visit_id": self.id,
                "default_kind": kind,
                "default_amount": 0.0 if kind == "refund" else max(self.balance_due, 0.0),
            },
        }
