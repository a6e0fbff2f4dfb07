from odoo import fields, models
from odoo.exceptions import ValidationError

from odoo.addons.clinic_base.tools.access import require_one


class ClinicFiscalCashWizard(models.TransientModel):
    """Put cash into the drawer (change in the morning) or take it out (to the bank), through the register."""

    _name = "clinic.fiscal.cash.wizard"
    _description = "Cash in or out"

    register_id = fields.Many2one("clinic.fiscal.register", string="Register", required=True, ondelete="cascade")
    operation = fields.Selection([("cashIn", "Cash in"), ("cashOut", "Cash out")], string="Operation", required=True)
    amount = fields.Float(string="Amount", digits=(16, 2), required=True)

    def action_confirm(self):
        """Queue the cash operation on the register."""
        self.register_id._require_cashier()
        require_one(self)
        if self.amount <= 0:
            raise ValidationError(self.env._("Amount: enter a sum greater than zero."))
        return self.register_id._queue_operation(self.operation, amount=self.amount)
