from odoo import fields, models


class ClinicPartnerPhone(models.Model):
    """The MAX user behind a number: the MAX bot API addresses people by user id, not by phone."""

    _inherit = "clinic.partner.phone"

    max_user_id = fields.Char(
        string="MAX user",
        readonly=True,
        index="btree_not_null",
        groups="clinic_base.group_clinic_manager",
        help="Learned when the patient shared this number with the clinic's MAX bot.",
    )
