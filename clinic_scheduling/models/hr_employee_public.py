from odoo import api, fields, models


class HrEmployeePublic(models.Model):
    """What the front desk needs to book a practitioner, readable without HR rights."""

    _inherit = "hr.employee.public"

    slot_duration = fields.Integer(string="Slot length, min", readonly=True)
    default_cabinet_id = fields.Many2one("clinic.cabinet", string="Usual cabinet", readonly=True)

    @api.model
    def _clinic_offer(self, employee=None, age_group=None):
        """Specialties and medical services the clinic offers: those of its practitioners,
        narrowed to one practitioner and/or an age group. Pickers show only these."""
        domain = [("is_practitioner", "=", True)]
        if employee:
            domain.append(("id", "=", employee.id))
        if age_group:
            domain.append(("age_group", "in", (age_group, "both")))
        specialties = self.search(domain).specialty_ids
        services = self.env["product.product"].search(
            [("is_medical_service", "=", True), ("specialty_ids", "in", specialties.ids)]
        )
        return specialties, services
