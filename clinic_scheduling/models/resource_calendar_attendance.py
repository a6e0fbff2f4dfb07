from odoo import fields, models


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    cabinet_id = fields.Many2one("clinic.cabinet", string="Cabinet", help="Where the practitioner sees patients then.")

    def write(self, vals):
        result = super().write(vals)
        self.calendar_id._clinic_schedule_changed()
        return result
