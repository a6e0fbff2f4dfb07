from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.clinic_base.tools import checksums


class ResCompany(models.Model):
    """The clinic's registry data a SEMD carries and the key that gives its signature."""

    _inherit = "res.company"

    ogrn = fields.Char(string="OGRN", size=13, help="Primary state registration number, 13 digits.")
    remd_mis_oid = fields.Char(
        string="MIS OID",
        help="Root of the clinic's own identifiers in its medical information system: <FRMO OID>.100.<MIS>.<instance>. "
        "Documents, patients and staff get ids under it (….51, ….10, ….70).",
    )
    remd_org_key_id = fields.Many2one(
        "clinic.semd.key",
        string="Clinic's signature key",
        help="The head's certificate, or that of an employee acting under a power of attorney: it signs every "
        "SEMD after the doctor.",
    )

    @api.constrains("ogrn")
    def _check_ogrn(self):
        for company in self.filtered("ogrn"):
            if not checksums.ogrn_is_valid(company.ogrn):
                raise ValidationError(
                    self.env._("Clinic %(name)s: the OGRN %(ogrn)s is not valid.", name=company.name, ogrn=company.ogrn)
                )

    @api.constrains("remd_mis_oid")
    def _check_remd_mis_oid(self):
        for company in self.filtered("remd_mis_oid"):
            if ".100." not in company.remd_mis_oid or not all(
                part.isdigit() for part in company.remd_mis_oid.split(".")
            ):
                raise ValidationError(
                    self.env._(
                        "Clinic %(name)s: the MIS OID must read <FRMO OID>.100.<MIS>.<instance>, digits and dots only.",
                        name=company.name,
                    )
                )
