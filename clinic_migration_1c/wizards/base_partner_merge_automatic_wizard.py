from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Whoever merges patients, the links of their 1C rows follow the card that is kept."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_reference_fields(self, src_partners, dst_partner):
        result = super()._update_reference_fields(src_partners, dst_partner)
        self.env["clinic.migration.link"].sudo()._repoint("res.partner", src_partners.ids, dst_partner.id)
        return result
