from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .hr_employee import AGE_GROUPS


class ProductTemplate(models.Model):
    """Medical services are products, so prices, price lists and invoices work as everywhere in Odoo."""

    _inherit = "product.template"

    is_medical_service = fields.Boolean(string="Medical service")
    service_code_id = fields.Many2one(
        "clinic.nsi.service.code",
        string="Nomenclature code",
        help="Code from the nomenclature of medical services (order 804n), e.g. B01.047.001.",
    )
    duration_minutes = fields.Integer(string="Duration, min", default=30)
    age_group = fields.Selection(AGE_GROUPS, string="For", default="both")
    specialty_ids = fields.Many2many(
        "clinic.nsi.specialty", string="Performed by specialties", help="Specialties whose practitioners perform it."
    )
    clinic_published = fields.Boolean(string="Published on the website")

    @api.constrains("is_medical_service", "duration_minutes")
    def _check_duration(self):
        for service in self.filtered("is_medical_service"):
            if service.duration_minutes <= 0 or service.duration_minutes > 12 * 60:
                raise ValidationError(
                    self.env._(
                        "Service «%(name)s»: duration %(value)s min is not possible; set 1 to 720 minutes.",
                        name=service.name,
                        value=service.duration_minutes,
                    )
                )
