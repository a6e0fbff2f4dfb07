from odoo import fields, models

from odoo.addons.clinic_base.models.hr_employee import HR_GROUP


class HrEmployee(models.Model):
    """The practitioner's name as the FRMR and a SEMD header write it: surname, first name, patronymic."""

    _inherit = "hr.employee"

    surname = fields.Char(string="Surname", groups=HR_GROUP, help="As in the FRMR; the SEMD author's family name.")
    first_name = fields.Char(string="First name", groups=HR_GROUP)
    patronymic = fields.Char(string="Patronymic", groups=HR_GROUP)
    semd_key_ids = fields.One2many(
        "clinic.semd.key", "employee_id", string="Signature keys", help="Certificates this person signs SEMD with."
    )
