from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.clinic_base.tools import checksums


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    clinic_inn = fields.Char(
        string="INN (cashier)",
        size=12,
        groups="hr.group_hr_user",
        help="The cashier's personal INN, 12 digits: printed on the receipts they issue (tag 1203).",
    )

    @api.constrains("clinic_inn")
    def _check_clinic_inn(self):
        for employee in self.sudo():
            if employee.clinic_inn and (
                len(employee.clinic_inn) != 12 or not checksums.inn_is_valid(employee.clinic_inn)
            ):
                raise ValidationError(
                    self.env._(
                        "Employee %(name)s: INN %(inn)s is not a valid personal INN (12 digits, check digits).",
                        name=employee.name,
                        inn=employee.clinic_inn,
                    )
                )
