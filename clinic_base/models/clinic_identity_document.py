import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Codes of reference book 1.2.643.5.1.13.13.99.2.48 whose format is fixed by law.
RF_PASSPORT_CODE = "1"  # "2" is the passport abroad (загранпаспорт): other format
BIRTH_CERTIFICATE_CODE = "6"


class ClinicIdentityDocument(models.Model):
    _name = "clinic.identity.document"
    _description = "Identity document"
    _order = "partner_id, issue_date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, ondelete="cascade", index=True)
    doc_type_id = fields.Many2one(
        "clinic.nsi.identity.document.type",
        string="Document type",
        required=True,
        help="From the federal reference book of identity documents (1.2.643.5.1.13.13.99.2.48).",
    )
    series = fields.Char(string="Series")
    number = fields.Char(string="Number", required=True)
    issuer = fields.Char(string="Issued by")
    issue_date = fields.Date(string="Issue date")
    expiry_date = fields.Date(string="Valid until")
    division_code = fields.Char(string="Division code", help="Code of the issuing division, NNN-NNN (RF passport).")
    is_current = fields.Boolean(string="Current", default=True)

    @api.depends("doc_type_id", "series", "number")
    def _compute_display_name(self):
        for doc in self:
            doc.display_name = " ".join(filter(None, [doc.doc_type_id.name, doc.series, doc.number]))

    @api.constrains("doc_type_id", "series", "number", "division_code")
    def _check_format(self):
        for doc in self:
            code = doc.doc_type_id.code
            if code == RF_PASSPORT_CODE:
                if not re.fullmatch(r"\d{2} ?\d{2}", doc.series or ""):
                    raise ValidationError(
                        self.env._(
                            "Passport of %(person)s: series «%(value)s» must be 4 digits, e.g. 45 12.",
                            person=doc.partner_id.display_name,
                            value=doc.series or "",
                        )
                    )
                if not re.fullmatch(r"\d{6}", doc.number or ""):
                    raise ValidationError(
                        self.env._(
                            "Passport of %(person)s: number «%(value)s» must be 6 digits.",
                            person=doc.partner_id.display_name,
                            value=doc.number,
                        )
                    )
            if code == BIRTH_CERTIFICATE_CODE and not re.fullmatch(
                r"[IVXLC]{1,4}-[А-ЯЁ]{2}", (doc.series or "").upper()
            ):
                raise ValidationError(
                    self.env._(
                        "Birth certificate of %(person)s: series «%(value)s» must look like IV-МЮ.",
                        person=doc.partner_id.display_name,
                        value=doc.series or "",
                    )
                )
            if doc.division_code and not re.fullmatch(r"\d{3}-\d{3}", doc.division_code):
                raise ValidationError(
                    self.env._(
                        "Document of %(person)s: division code «%(value)s» must look like 770-001.",
                        person=doc.partner_id.display_name,
                        value=doc.division_code,
                    )
                )
