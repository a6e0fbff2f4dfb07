from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    clinic_quiet_start = fields.Float(
        string="Quiet hours from", default=21.0, help="No service message leaves after this hour, patient's time."
    )
    clinic_quiet_end = fields.Float(
        string="Quiet hours until", default=9.0, help="Messages due at night wait till then."
    )
    clinic_marketing_quiet_start = fields.Float(
        string="Promotions not after",
        default=20.0,
        help="Promotions keep stricter quiet hours than service messages: none after this hour, patient's time.",
    )
    clinic_marketing_quiet_end = fields.Float(
        string="Promotions not before", default=10.0, help="Promotions due earlier wait till this hour."
    )
