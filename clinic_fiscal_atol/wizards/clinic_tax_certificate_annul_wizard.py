from odoo import fields, models

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, require_group, require_one


class ClinicTaxCertificateAnnulWizard(models.TransientModel):
    """The accountant's «Annul»: the reason, then an annulling certificate (correction number 999) for each one."""

    _name = "clinic.tax.certificate.annul.wizard"
    _description = "Annul tax certificates"

    def _default_certificate_ids(self):
        """The certificates selected in the register (the list's Action menu or the form's button)."""
        if self.env.context.get("active_model") != "clinic.tax.certificate":
            return []
        return self.env.context.get("active_ids") or []

    certificate_ids = fields.Many2many(
        "clinic.tax.certificate",
        relation="clinic_tax_certificate_annul_wizard_rel",
        string="Certificates",
        required=True,
        default=lambda self: self._default_certificate_ids(),
        help="The certificates in force to annul.",
    )
    reason = fields.Text(
        string="Reason", required=True, help="Why they are annulled (issued by mistake, to the wrong person…)."
    )

    def action_confirm(self):
        """Annul the certificates and open their annulling certificates."""
        require_group(self.env, ACCOUNTANT, MANAGER)
        require_one(self)
        self.certificate_ids.check_access("read")
        return self.certificate_ids._annul(self.reason)._action_open()
