from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ClinicInsurancePolicy(models.Model):
    _name = "clinic.insurance.policy"
    _description = "Insurance policy"
    _order = "partner_id, date_to desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Insured person", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [("oms", "OMS (compulsory)"), ("dms", "DMS (voluntary)")],
        string="Kind",
        required=True,
        default="dms",
    )
    insurer_id = fields.Many2one("res.partner", string="Insurer", domain=[("is_company", "=", True)])
    number = fields.Char(string="Policy number", required=True)
    date_from = fields.Date(string="Valid from")
    date_to = fields.Date(string="Valid until")
    is_valid = fields.Boolean(string="Valid today", compute="_compute_is_valid")

    @api.depends("date_from", "date_to")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for policy in self:
            policy.is_valid = (not policy.date_from or policy.date_from <= today) and (
                not policy.date_to or policy.date_to >= today
            )

    @api.depends("kind", "number")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for policy in self:
            policy.display_name = f"{labels.get(policy.kind, '')} {policy.number or ''}".strip()

    @api.constrains("kind", "number", "date_from", "date_to")
    def _check_policy(self):
        for policy in self:
            if policy.date_from and policy.date_to and policy.date_to < policy.date_from:
                raise ValidationError(
                    self.env._(
                        "Policy %(number)s of %(person)s ends (%(end)s) before it starts (%(start)s).",
                        number=policy.number,
                        person=policy.partner_id.display_name,
                        end=policy.date_to,
                        start=policy.date_from,
                    )
                )
            digits = "".join(ch for ch in policy.number or "" if ch.isdigit())
            if policy.kind == "oms" and len(digits) != 16:
                raise ValidationError(
                    self.env._(
                        "OMS policy of %(person)s: the unified number «%(value)s» must have 16 digits.",
                        person=policy.partner_id.display_name,
                        value=policy.number,
                    )
                )
