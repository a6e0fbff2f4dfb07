from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Clinic rules on top of Odoo's partner merge, whoever starts it."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if dst_partner and not dst_partner.snils:
            # SNILS is unique: move it off the source card before Odoo copies it over.
            donor = (partners - dst_partner).filtered("snils")[:1]
            if donor:
                snils = donor.snils
                donor.write({"snils": False})
                donor.flush_recordset(["snils"])
                dst_partner.write({"snils": snils})
        if dst_partner:
            self.env["clinic.patient.medical"]._merge_into(partners - dst_partner, dst_partner)
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        if dst_partner and dst_partner.exists():
            dst_partner._clinic_dedupe_lines()
        return result

    def _log_merge_operation(self, src_partners, dst_partner):
        result = super()._log_merge_operation(src_partners, dst_partner)
        self.env["clinic.merge.log"].sudo().create(
            {
                "user_id": self.env.uid,
                "dst_partner_id": dst_partner.id,
                "merged_ids": ", ".join(str(i) for i in src_partners.ids),
                "merged_names": "\n".join(
                    f"{p.name} ({p.birth_date.strftime('%d.%m.%Y') if p.birth_date else '—'}, "
                    f"{p.medical_card_number or p.id})"
                    for p in src_partners
                ),
                "cluster_id": self.env.context.get("clinic_merge_cluster_id"),
            }
        )
        dst_partner.message_post(
            body=self.env._(
                "Merged cards: %(names)s.",
                names=", ".join(src_partners.mapped("display_name")),
            )
        )
        return result
