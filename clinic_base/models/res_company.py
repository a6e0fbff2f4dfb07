from odoo import fields, models


class ResCompany(models.Model):
    """The clinic as registered in the FRMO (federal register of medical organizations)."""

    _inherit = "res.company"

    frmo_oid = fields.Char(
        string="FRMO OID", help="OID of the medical organization, 1.2.643.5.1.13.13.12.2.<region>.<n>."
    )
    medical_license_number = fields.Char(string="Medical licence No.")
    medical_license_date = fields.Date(string="Medical licence date")
    medical_license_issuer = fields.Char(string="Licence issued by")
    cabinet_ids = fields.One2many("clinic.cabinet", "company_id", string="Cabinets")
