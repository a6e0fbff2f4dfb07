"""The records the website's offer is made of: clinic.online.booking._published_offer keeps it in the registry's
cache, which creating, deleting or changing one of their ``_cache_fields`` clears (clinic.cache.source.mixin).
Specialties clear it already, as every FNSI book does."""

from odoo import models


class HrEmployee(models.Model):
    _name = "hr.employee"
    _inherit = ["hr.employee", "clinic.cache.source.mixin"]
    _cache_fields = frozenset({"active", "name", "is_practitioner", "clinic_published", "age_group", "specialty_ids"})


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "clinic.cache.source.mixin"]
    _cache_fields = frozenset(
        {"active", "is_medical_service", "clinic_published", "age_group", "specialty_ids", "product_variant_ids"}
    )


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "clinic.cache.source.mixin"]
    _cache_fields = frozenset({"active", "product_tmpl_id"})
