from odoo import api, fields, models

UNAVAILABLE_KINDS = ("vacation", "sick_leave", "training")


class ResourceCalendarLeaves(models.Model):
    """Schedule exceptions are Odoo's own time off entries with a clinic kind.

    Vacation, sick leave and training days remove slots; an extra shift
    (time type «Other») adds them; public holidays are global entries.
    """

    _inherit = "resource.calendar.leaves"

    clinic_kind = fields.Selection(
        [
            ("vacation", "Vacation"),
            ("sick_leave", "Sick leave"),
            ("training", "Training day"),
            ("extra_shift", "Extra shift"),
            ("holiday", "Public holiday"),
        ],
        string="Schedule exception",
    )
    cabinet_id = fields.Many2one("clinic.cabinet", string="Cabinet", help="For an extra shift: where it takes place.")

    @api.onchange("clinic_kind")
    def _onchange_clinic_kind(self):
        if self.clinic_kind:
            self.time_type = "other" if self.clinic_kind == "extra_shift" else "leave"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("clinic_kind") == "extra_shift":
                vals["time_type"] = "other"
        leaves = super().create(vals_list)
        leaves._clinic_refresh_slots()
        return leaves

    def write(self, vals):
        before = self._clinic_affected_employees()
        result = super().write(vals)
        (before | self._clinic_affected_employees())._clinic_generate_slots()
        return result

    def unlink(self):
        employees = self._clinic_affected_employees()
        result = super().unlink()
        employees._clinic_generate_slots()
        return result

    def _clinic_affected_employees(self):
        Employee = self.env["hr.employee"].sudo()
        if any(not leave.resource_id for leave in self):
            return Employee.search([("is_practitioner", "=", True)])
        return Employee.search([("resource_id", "in", self.resource_id.ids), ("is_practitioner", "=", True)])

    def _clinic_refresh_slots(self):
        if not self.env.context.get("clinic_no_slot_refresh"):
            self._clinic_affected_employees()._clinic_generate_slots()
