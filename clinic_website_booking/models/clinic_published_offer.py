from odoo import api, models


class ClinicPublishedOfferMixin(models.AbstractModel):
    """A record the website's offer is made of (practitioners, services): creating, deleting or changing one of its
    ``_offer_fields`` clears the registry's cache, where clinic.online.booking._published_offer keeps the offer
    that every step of the booking checks the visitor's choice against. Specialties clear it already
    (clinic.nsi.mixin)."""

    _name = "clinic.published.offer.mixin"
    _description = "Part of the website's offer"
    _offer_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _published_offer
        return records

    def write(self, vals):
        if self._offer_fields & set(vals):
            self.env.registry.clear_cache()  # _published_offer
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _published_offer
        return super().unlink()


class HrEmployee(models.Model):
    _name = "hr.employee"
    _inherit = ["hr.employee", "clinic.published.offer.mixin"]
    _offer_fields = frozenset({"active", "name", "is_practitioner", "clinic_published", "age_group", "specialty_ids"})


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "clinic.published.offer.mixin"]
    _offer_fields = frozenset(
        {"active", "is_medical_service", "clinic_published", "age_group", "specialty_ids", "product_variant_ids"}
    )


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "clinic.published.offer.mixin"]
    _offer_fields = frozenset({"active", "product_tmpl_id"})
