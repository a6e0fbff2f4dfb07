from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        result = super().write(vals)
        self._clinic_schedule_changed()
        return result

    def _clinic_schedule_changed(self):
        """Slots follow the schedule at once, not at the next nightly run."""
        if self.env.context.get("clinic_no_slot_refresh"):
            return
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search([("resource_calendar_id", "in", self.ids), ("is_practitioner", "=", True)])
        )
        employees._clinic_generate_slots()
