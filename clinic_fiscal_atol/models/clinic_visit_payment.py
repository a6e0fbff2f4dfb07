from odoo import fields, models

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, RECEPTIONIST, require_group

FISCAL_STATES = [
    ("none", "No receipt"),
    ("queued", "Receipt queued"),
    ("done", "Receipt printed"),
    ("failed", "Receipt failed"),
]


def require_cash_desk(env):
    """Payments and refunds are taken by the front desk, accountants and managers."""
    require_group(
        env,
        RECEPTIONIST,
        ACCOUNTANT,
        MANAGER,
        message=env._("Only the front desk, accountants and managers take payments."),
    )


def require_corrections(env):
    """Correction receipts are the accountants' and managers' business."""
    require_group(env, ACCOUNTANT, MANAGER, message=env._("Only accountants and managers issue correction receipts."))


class ClinicVisitPayment(models.Model):
    """A payment or a refund and the fiscal receipt it ends in; certificates count printed ones."""

    _inherit = "clinic.visit.payment"

    kind = fields.Selection(
        [("payment", "Payment"), ("refund", "Refund")],
        string="Kind",
        required=True,
        default="payment",
        help="A refund is its own record referencing the payment it returns; its amount is positive.",
    )
    refund_of_id = fields.Many2one(
        "clinic.visit.payment",
        string="Refund of",
        index=True,
        ondelete="restrict",
        help="The payment this refund returns.",
    )
    fiscal_state = fields.Selection(
        FISCAL_STATES,
        string="Receipt",
        default="none",
        required=True,
        copy=False,
        index=True,
        help="Where the fiscal receipt of this payment or refund stands.",
    )
