from odoo import api, models


class ClinicVisitPart(models.AbstractModel):
    """Lines and payments of a visit: an imported visit is read-only down to them."""

    _name = "clinic.visit.part"
    _description = "Part of a visit"

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        parts.visit_id._check_not_imported()
        return parts

    def write(self, vals):
        self.visit_id._check_not_imported()
        result = super().write(vals)
        if "visit_id" in vals:
            self.visit_id._check_not_imported()
        return result

    def unlink(self):
        self.visit_id._check_not_imported()
        return super().unlink()
