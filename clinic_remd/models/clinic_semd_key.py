import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.clinic_base.tools.access import DOCTOR, MANAGER, require_group

from ..semd import signer

KEY_ALGORITHMS = [("gost", "GOST R 34.10-2012 (256)"), ("rsa", "RSA-2048 (test contour)")]


class ClinicSemdKey(models.Model):
    """A practitioner's signature key and certificate: its owner signs with it, managers administer it.

    Stored per person, never in code; only the owner's own documents are signed with it (and the clinic's
    key, chosen in the clinic's settings, gives the organization's signature).
    """

    _name = "clinic.semd.key"
    _description = "SEMD signature key"
    _order = "employee_id, date_to desc, id desc"

    name = fields.Char(string="Name", compute="_compute_from_certificate", store=True)
    employee_id = fields.Many2one(
        "hr.employee", string="Owner", required=True, index=True, ondelete="cascade", help="Whose certificate it is."
    )
    user_id = fields.Many2one(related="employee_id.user_id", string="User", store=True, index=True)
    algorithm = fields.Selection(KEY_ALGORITHMS, string="Algorithm", required=True, default="gost")
    certificate = fields.Binary(string="Certificate (DER)", required=True, attachment=False)
    private_key = fields.Binary(
        string="Private key",
        attachment=False,
        groups="base.group_system",
        help="Kept in the database for the test contour; a production key stays in the provider (CryptoPro).",
    )
    date_from = fields.Datetime(string="Valid from", compute="_compute_from_certificate", store=True)
    date_to = fields.Datetime(string="Valid until", compute="_compute_from_certificate", store=True)
    subject = fields.Char(string="Subject", compute="_compute_from_certificate", store=True)
    active = fields.Boolean(string="Active", default=True)

    @api.depends("certificate")
    def _compute_from_certificate(self):
        for key in self:
            key.name = key.subject = key.date_from = key.date_to = False
            if not key.certificate:
                continue
            try:
                certificate = signer.x509.Certificate.load(base64.b64decode(key.certificate))
                validity = certificate["tbs_certificate"]["validity"]
                key.subject = certificate.subject.human_friendly
                key.date_from = validity["not_before"].native.replace(tzinfo=None)
                key.date_to = validity["not_after"].native.replace(tzinfo=None)
            except ValueError as error:
                raise ValidationError(
                    self.env._("The certificate of %(owner)s cannot be read.", owner=key.employee_id.name)
                ) from error
            key.name = f"{key.employee_id.name} ({key.date_to:%d.%m.%Y})"

    @api.model
    def action_generate_test_key(self, employee_id, algorithm="rsa"):
        """A throw-away key and self-signed certificate for the test contour (never for the real REMD)."""
        require_group(self.env, MANAGER, DOCTOR)
        employee = self.env["hr.employee"].browse(employee_id).exists()
        if not employee:
            raise UserError(self.env._("The practitioner to make a key for no longer exists."))
        if not self.env.user.has_group(MANAGER) and employee.user_id != self.env.user:
            raise UserError(self.env._("A practitioner makes a test key only for themselves."))
        return self.sudo()._create_test_key(employee, algorithm).id

    @api.model
    def _create_test_key(self, employee, algorithm):
        snils = employee.sudo().snils or ""
        certificate, private_key = signer.SIGNERS[algorithm].generate(employee.name, snils)
        return self.create(
            {
                "employee_id": employee.id,
                "algorithm": algorithm,
                "certificate": base64.b64encode(certificate),
                "private_key": base64.b64encode(private_key),
            }
        )

    def _signer(self):
        """The signer object of this key (read as superuser: the private key is never shown)."""
        self.ensure_one()
        key = self.sudo()
        if not key.private_key:
            raise UserError(self.env._("The key %(name)s has no private part in the clinic's system.", name=key.name))
        return signer.SIGNERS[key.algorithm](base64.b64decode(key.certificate), base64.b64decode(key.private_key))
