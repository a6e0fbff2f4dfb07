from odoo import api, models


class ClinicCacheSourceMixin(models.AbstractModel):
    """A record a registry cache (``tools.ormcache``) is made of: creating or deleting one, or changing one of its
    ``_cache_fields``, clears the registry's cache, in every worker. The clear comes after the change, so that a
    change the caller may not make (an access error) clears nothing: the caches are no lever for an anonymous
    caller to make every worker refill them."""

    _name = "clinic.cache.source.mixin"
    _description = "Source of a cached value"
    _cache_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._cache_fields.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
