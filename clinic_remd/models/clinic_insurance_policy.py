from odoo import fields, models


class ClinicInsurancePolicy(models.Model):
    _inherit = "clinic.insurance.policy"

    oms_policy_type_id = fields.Many2one(
        "clinic.nsi.policy.type",
        string="OMS policy type",
        help="Reference book 1.2.643.5.1.13.13.11.1035 (old form, single form, temporary certificate...); "
        "a SEMD names an OMS policy by it.",
    )
