from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.display import moment, selection_label

PURPOSES = [
    ("personal_data", "Personal data processing (152-FZ)"),
    ("medical_intervention", "Informed voluntary consent to medical intervention"),
    ("service_messages", "Service messages"),
    ("marketing", "Advertising and promotions (38-FZ)"),
]
CHANNELS = [
    ("all", "All channels"),
    ("whatsapp", "WhatsApp"),
    ("max", "MAX"),
    ("sms", "SMS"),
    ("email", "E-mail"),
    ("phone", "Phone call"),
]
SOURCES = [
    ("paper", "Signed paper"),
    ("website", "Website checkbox"),
    ("message", "Message reply"),
    ("front_desk", "Front desk"),
    ("import", "Imported"),
]


class ClinicConsent(models.Model):
    """Append-only log of consents given and withdrawn.

    The latest event for a purpose and channel decides; nothing is edited or
    deleted, so "did the patient agree on that day" always has an answer.
    """

    _name = "clinic.consent"
    _description = "Consent event"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Patient", required=True, ondelete="restrict", index=True)
    purpose = fields.Selection(PURPOSES, string="Purpose", required=True)
    channel = fields.Selection(
        CHANNELS,
        string="Channel",
        required=True,
        default="all",
        help="For messaging purposes: the channel this event is about; «All channels» covers every channel.",
    )
    action = fields.Selection([("given", "Given"), ("withdrawn", "Withdrawn")], string="Action", required=True)
    date = fields.Datetime(string="When", required=True, default=fields.Datetime.now)
    given_by = fields.Selection(
        [("patient", "Patient"), ("representative", "Legal representative")],
        string="Given by",
        required=True,
        default="patient",
    )
    representative_id = fields.Many2one("res.partner", string="Representative", ondelete="restrict")
    source = fields.Selection(SOURCES, string="Source", required=True)
    scan = fields.Binary(string="Scan", attachment=True, help="The signed paper or a screenshot of the reply.")
    scan_filename = fields.Char(string="Scan file name")
    user_id = fields.Many2one("res.users", string="Recorded by", default=lambda self: self.env.user, readonly=True)
    note = fields.Char(string="Note")

    @api.depends("partner_id", "purpose", "action", "date")
    def _compute_display_name(self):
        """«Иванова Анна: Обработка персональных данных — Дано, 03.12.2026 10:00»."""
        for event in self:
            what = " — ".join(filter(None, (selection_label(event, "purpose"), selection_label(event, "action"))))
            event.display_name = f"{event.partner_id.name or ''}: {what}, {moment(self.env, event.date)}"

    @api.constrains("given_by", "representative_id")
    def _check_representative(self):
        for event in self:
            if event.given_by == "representative" and not event.representative_id:
                raise ValidationError(
                    self.env._(
                        "Consent of %(patient)s: «Given by» is the legal representative, so say who that is.",
                        patient=event.partner_id.display_name,
                    )
                )

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("Consent history is append-only: record a new event instead of editing."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise UserError(self.env._("Consent history is append-only: record a withdrawal instead of deleting."))
        return super().unlink()

    @api.model
    def _state_at(self, partner, purpose, channel, at=None):
        """The latest event for purpose on channel (or on all channels) at the given time."""
        at = at or fields.Datetime.now()
        channels = ["all"] if channel == "all" else ["all", channel]
        return self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("purpose", "=", purpose),
                ("channel", "in", channels),
                ("date", "<=", at),
            ],
            order="date desc, id desc",
            limit=1,
        )

    @api.model
    def _may_contact_many(self, partners, purpose, channel, at=None):
        """The ids of ``partners`` that ``may_contact`` would allow, in one query (a batch of messages)."""
        if not partners:
            return set()
        self.flush_model(["partner_id", "purpose", "channel", "action", "date"])
        self.env.cr.execute(
            "SELECT DISTINCT ON (partner_id, purpose) partner_id, purpose, action FROM clinic_consent"
            " WHERE partner_id = ANY(%s) AND date <= %s"
            " AND ((purpose = 'personal_data' AND channel = 'all') OR (purpose = %s AND channel IN ('all', %s)))"
            " ORDER BY partner_id, purpose, date DESC, id DESC",
            [list(partners.ids), at or fields.Datetime.now(), purpose, channel],
        )
        given = {
            (partner_id, row_purpose) for partner_id, row_purpose, action in self.env.cr.fetchall() if action == "given"
        }
        return {
            partner_id
            for partner_id in partners.ids
            if (partner_id, "personal_data") in given and (purpose == "personal_data" or (partner_id, purpose) in given)
        }

    @api.private
    @api.model
    def may_contact(self, partner, purpose, channel, at=None):
        """May the clinic contact this person for this purpose on this channel at that time?

        Needs a personal-data consent in force and, for the messaging
        purposes, a consent for the purpose on the channel; withdrawal wins
        from the moment it is recorded.
        """
        partner.ensure_one()
        personal = self._state_at(partner, "personal_data", "all", at)
        if personal.action != "given":
            return False
        if purpose == "personal_data":
            return True
        event = self._state_at(partner, purpose, channel, at)
        return event.action == "given"
