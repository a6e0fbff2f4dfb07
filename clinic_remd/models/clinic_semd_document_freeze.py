import base64
import time

from odoo import fields, models
from odoo.exceptions import UserError

from ..semd import signer

FROZEN_FIELDS = ("xml_content", "checksum", "doctor_signature", "org_signature", "local_uid", "visit_id", "version")


class ClinicSemdDocument(models.Model):
    """Up to «signed»: the frozen bytes, their checksum and the two detached signatures over them."""

    _inherit = "clinic.semd.document"

    xml_size = fields.Integer(string="Size, bytes", readonly=True, copy=False)
    validation_ms = fields.Float(string="Validation, ms", readonly=True, copy=False, digits=(8, 1))
    signing_ms = fields.Float(string="Signing, ms", readonly=True, copy=False, digits=(8, 1))
    doctor_key_id = fields.Many2one("clinic.semd.key", string="Doctor's key", readonly=True, copy=False)
    org_key_id = fields.Many2one("clinic.semd.key", string="Clinic's key", readonly=True, copy=False)
    signed_at = fields.Datetime(string="Signed on", readonly=True, copy=False)

    def write(self, vals):
        # Frozen means frozen: once set, the bytes and what refers to them never change (a correction is a new
        # version). Only the first write of each (empty) field passes.
        frozen = [name for name in FROZEN_FIELDS if name in vals]
        if frozen:
            for document in self:
                changed = [name for name in frozen if document[name] and document[name] != vals[name]]
                if changed:
                    raise UserError(
                        self.env._(
                            "SEMD %(name)s is frozen: %(fields)s cannot change. Correct the visit to build a new "
                            "version.",
                            name=document.display_name,
                            fields=", ".join(changed),
                        )
                    )
        return super().write(vals)

    def unlink(self):
        if not self.env.su and self.filtered(lambda d: d.state != "draft"):
            raise UserError(self.env._("A validated SEMD is kept: correct the visit to replace it with a new version."))
        return super().unlink()

    def _first_version(self):
        document = self
        while document.previous_id:
            document = document.previous_id
        return document

    def _freeze(self, xml, validation_ms):
        """The validated bytes become the document for good."""
        self.ensure_one()
        self.sudo().write(
            {
                "xml_content": base64.b64encode(xml),
                "checksum": self.env["clinic.semd.builder"]._checksum(xml),
                "xml_size": len(xml),
                "validation_ms": validation_ms,
                "name": f"{self.visit_id.name} v{self.version}",
                "state": "validated",
                "error_text": False,
            }
        )

    def _sign(self):
        """The doctor's detached CMS with their own key, then the clinic's; both verified over the frozen bytes."""
        self.ensure_one()
        if self.state != "validated":
            raise UserError(self.env._("SEMD %(name)s is not validated and cannot be signed.", name=self.display_name))
        if not self.env.su and self.employee_id.user_id != self.env.user:
            raise UserError(
                self.env._(
                    "SEMD %(name)s belongs to %(doctor)s: a practitioner signs only their own documents.",
                    name=self.display_name,
                    doctor=self.employee_id.name,
                )
            )
        now = fields.Datetime.now()
        doctor_key = (
            self.env["clinic.semd.key"]
            .sudo()
            .search(
                [("employee_id", "=", self.employee_id.id), ("date_from", "<=", now), ("date_to", ">=", now)],
                order="date_to desc",
                limit=1,
            )
        )
        if not doctor_key:
            raise UserError(
                self.env._(
                    "%(doctor)s has no valid signature certificate in the clinic's system.",
                    doctor=self.employee_id.name,
                )
            )
        org_key = self.company_id.sudo().remd_org_key_id
        if not org_key or not org_key.date_from or not org_key.date_from <= now <= org_key.date_to:
            raise UserError(
                self.env._(
                    "The clinic %(clinic)s has no valid signature key: a manager sets it in the clinic's settings.",
                    clinic=self.company_id.name,
                )
            )
        xml = base64.b64decode(self.sudo().xml_content)
        started = time.perf_counter()
        doctor_signature = doctor_key._signer().sign(xml)
        org_signature = org_key._signer().sign(xml)
        signing_ms = (time.perf_counter() - started) * 1000
        for signature in (doctor_signature, org_signature):
            try:
                signer.Signer.verify(xml, signature)
            except signer.SignatureError as error:
                raise UserError(self.env._("The signature does not verify: %(error)s", error=str(error))) from error
        self.sudo().write(
            {
                "doctor_signature": base64.b64encode(doctor_signature),
                "org_signature": base64.b64encode(org_signature),
                "doctor_key_id": doctor_key.id,
                "org_key_id": org_key.id,
                "signing_ms": signing_ms,
                "signed_at": now,
                "state": "signed",
            }
        )
        if self.company_id._remd_configured():
            self.sudo()._remd_queue()
