from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount, format_date

PAYMENT_METHODS = [("cash", "Cash"), ("card", "Card"), ("transfer", "Bank transfer")]


class ClinicVisitPayment(models.Model):
    """Money received for a visit; the tax-deduction certificates are built from these, by payer and date."""

    _name = "clinic.visit.payment"
    _inherit = ["clinic.visit.part"]
    _description = "Visit payment"
    _order = "date desc, id desc"

    visit_id = fields.Many2one(
        "clinic.visit", string="Visit", required=True, index=True, ondelete="restrict", help="The visit paid for."
    )
    patient_id = fields.Many2one(related="visit_id.patient_id", string="Patient", store=True, index=True)
    date = fields.Date(
        string="Date",
        required=True,
        default=lambda self: self.env.company._clinic_today(),
        index=True,
        help="Day the money was received: the tax certificate counts it in this year.",
    )
    method = fields.Selection(PAYMENT_METHODS, string="Method", required=True, default="cash", help="How it was paid.")
    currency_id = fields.Many2one("res.currency", string="Currency", related="visit_id.currency_id")
    amount = fields.Monetary(string="Amount", required=True, help="Money received, above zero.")
    is_today = fields.Boolean(
        string="Today",
        compute="_compute_is_today",
        search="_search_is_today",
        help="Received today at the clinic (its time zone, not the browser's).",
    )
    payer_id = fields.Many2one(
        "res.partner",
        string="Payer",
        compute="_compute_payer_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        index=True,
        domain="[('id', 'in', allowed_payer_ids)]",
        help="Who paid: the patient or one of their relatives. The tax certificate is issued to this person.",
    )
    allowed_payer_ids = fields.Many2many(
        "res.partner", string="Possible payers", compute="_compute_allowed_payer_ids", help="The patient and relatives."
    )
    note = fields.Char(string="Note", help="Receipt number or anything the cashier should know.")

    @api.depends("visit_id.patient_id.relation_ids.relative_id", "visit_id.patient_id.relative_of_ids.partner_id")
    def _compute_allowed_payer_ids(self):
        for payment in self:
            payment.allowed_payer_ids = payment._possible_payers()

    @api.depends("visit_id")
    def _compute_payer_id(self):
        """The relative marked as the usual payer, else the representative of a minor, else the patient."""
        for payment in self:
            if payment.payer_id and payment.payer_id in payment._possible_payers():
                continue
            visit = payment.visit_id
            usual = visit.patient_id.relation_ids.filtered("is_payer").relative_id[:1]
            payment.payer_id = usual or visit._legal_representative() or visit.patient_id

    def _possible_payers(self):
        patient = self.visit_id.patient_id
        return patient | patient.relation_ids.relative_id | patient.relative_of_ids.partner_id

    @api.depends("visit_id", "amount", "date")
    def _compute_display_name(self):
        for payment in self:
            payment.display_name = " ".join(
                part
                for part in (
                    payment.visit_id.name,
                    format_date(self.env, payment.date, date_format="dd.MM.yyyy") if payment.date else "",
                    format_amount(self.env, payment.amount, payment.currency_id) if payment.currency_id else "",
                )
                if part
            )

    @api.constrains("amount")
    def _check_amount(self):
        for payment in self:
            if payment.currency_id.compare_amounts(payment.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Payment for visit %(visit)s: amount %(value)s is not possible, it must be greater than zero. "
                        "A refund is not entered as a negative payment.",
                        visit=payment.visit_id.display_name,
                        value=format_amount(self.env, payment.amount, payment.currency_id),
                    )
                )

    @api.constrains("payer_id", "visit_id")
    def _check_payer(self):
        for payment in self:
            if payment.payer_id not in payment._possible_payers():
                raise ValidationError(
                    self.env._(
                        "Payment for visit %(visit)s: %(payer)s is neither the patient nor a relative of theirs. "
                        "Add them to the patient's relatives first, so that the tax certificate is right.",
                        visit=payment.visit_id.display_name,
                        payer=payment.payer_id.display_name,
                    )
                )

    def _compute_is_today(self):
        today = self.env.company._clinic_today()
        for payment in self:
            payment.is_today = payment.date == today

    def _search_is_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("«Today» can only be searched as true or false."))
        today = self.env.company._clinic_today()
        return [("date", "=" if (operator == "=") == value else "!=", today)]

    @api.constrains("date")
    def _check_date(self):
        today = self.env.company._clinic_today()
        for payment in self:
            if payment.date > today:
                raise ValidationError(
                    self.env._(
                        "Payment for visit %(visit)s: date %(value)s is in the future.",
                        visit=payment.visit_id.display_name,
                        value=payment.date.strftime("%d.%m.%Y"),
                    )
                )

    @api.constrains("visit_id")
    def _check_visit_state(self):
        for payment in self:
            if payment.visit_id.state == "cancelled":
                raise ValidationError(
                    self.env._(
                        "Visit %(visit)s is cancelled: it takes no payments.", visit=payment.visit_id.display_name
                    )
                )
