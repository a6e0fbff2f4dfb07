from markupsafe import Markup

from odoo import api, models

SEES = {"adult": "взрослых", "child": "детей", "both": "взрослых и детей"}


class ClinicDemo(models.AbstractModel):
    """The demo clinic on its website: practitioners and services published, each doctor with a short bio."""

    _inherit = "clinic.demo"

    @api.model
    def _generate_website_demo(self):
        practitioners = self.env["hr.employee"].search([("is_practitioner", "=", True)])
        for practitioner in practitioners.filtered(lambda p: not p.clinic_bio):
            since = practitioner.practice_since.year if practitioner.practice_since else None
            practitioner.clinic_bio = Markup("<p>%s. %s Принимает %s.</p>") % (
                practitioner.job_title or "Врач",
                f"Практикует с {since} года." if since else "",
                SEES[practitioner.age_group or "adult"],
            )
        practitioners.filtered("resource_calendar_id").write({"clinic_published": True})
        self.env["product.template"].search([("is_medical_service", "=", True), ("specialty_ids", "!=", False)]).write(
            {"clinic_published": True}
        )

    @api.model
    def _remove_stock_website_demo(self):
        """Odoo's demo «My Website 2»: a clinic has one site, a second one only clutters the website switcher."""
        second = self.env.ref("website.website2", raise_if_not_found=False)
        if second:
            second.unlink()
