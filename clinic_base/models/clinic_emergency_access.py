from datetime import timedelta

from odoo import api, fields, models

from .clinic_patient_medical import MEDICAL_FIELDS

HOURS_PARAM = "clinic_base.emergency_access_hours"
DEFAULT_HOURS = 12


class ClinicEmergencyAccess(models.Model):
    """«Break the glass»: a doctor opens the medical summary of a patient they do not treat, with a reason.

    Each opening is logged for the managers and lasts a few hours (setting ``clinic_base.emergency_access_hours``).
    """

    _name = "clinic.emergency.access"
    _description = "Emergency access to medical data"
    _order = "create_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Patient", required=True, index=True, ondelete="cascade", readonly=True
    )
    user_id = fields.Many2one(
        "res.users", string="Opened by", required=True, index=True, readonly=True, default=lambda self: self.env.user
    )
    reason = fields.Text(string="Reason", required=True, readonly=True, help="Why the data was needed.")
    expires_at = fields.Datetime(string="Valid until", required=True, readonly=True)
    is_current = fields.Boolean(string="In force", compute="_compute_is_current", search="_search_is_current")

    def _compute_is_current(self):
        now = fields.Datetime.now()
        for access in self:
            access.is_current = access.expires_at > now

    def _search_is_current(self, operator, value):
        """Compared with the time of the query itself: record rules use it, and their domains are cached."""
        now = fields.Datetime.now()
        current = (operator == "=") == bool(value)
        return [("expires_at", ">" if current else "<=", now)]

    @api.model
    def _hours(self):
        return int(self.env["ir.config_parameter"].sudo().get_param(HOURS_PARAM, DEFAULT_HOURS))

    @api.model
    def _open(self, partner, reason):
        """Log one emergency opening by the current user (the only way the log gets a line)."""
        expires = fields.Datetime.now() + timedelta(hours=self._hours())
        access = self.sudo().create(
            {"partner_id": partner.id, "user_id": self.env.uid, "reason": reason, "expires_at": expires}
        )
        # what this user may read of the card changes now, not at the next request
        partner.invalidate_recordset(["clinic_medical_access", *MEDICAL_FIELDS])
        partner.sudo().message_post(
            body=self.env._(
                "Emergency access to the medical data by %(user)s until %(until)s: %(reason)s",
                user=self.env.user.name,
                until=fields.Datetime.context_timestamp(self, expires).strftime("%d.%m.%Y %H:%M"),
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return access
