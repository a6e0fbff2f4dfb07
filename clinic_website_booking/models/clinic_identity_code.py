import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.clinic_base.tools.dedupe import REVIEW_SCORE

from .clinic_online_booking import OnlineBookingError

CODE_DIGITS = 6
VALID_MINUTES = 10
MAX_ATTEMPTS = 5


def new_code():
    """CODE_DIGITS random digits."""
    return "".join(secrets.choice("0123456789") for _digit in range(CODE_DIGITS))


class ClinicIdentityCode(models.Model):
    """A one-time code sent to a phone already on a patient's card, so that a visitor booking online proves the
    card is theirs: only then is the booking made on that card.

    The code is kept as an HMAC (keyed by the database secret), lives VALID_MINUTES and allows MAX_ATTEMPTS
    tries in all. A challenge is answered the same way whether or not a card matched, so asking for a code reveals
    nothing; when none matched, no code is sent and none can be right. Sending is ``_deliver_code``, which a
    messaging module (SMS, WhatsApp) overrides.
    """

    _name = "clinic.identity.code"
    _description = "One-time code proving a patient card"
    _order = "id desc"

    ref = fields.Char(string="Challenge", required=True, readonly=True, index=True, copy=False)
    partner_id = fields.Many2one("res.partner", string="Card", readonly=True, ondelete="cascade", index=True)
    phone = fields.Char(string="Sent to", readonly=True, help="A number of the card, normalized.")
    code_hash = fields.Char(string="Code hash", readonly=True, groups="base.group_system")
    expires_at = fields.Datetime(string="Valid until", required=True, readonly=True)
    used = fields.Boolean(string="Used", readonly=True)

    _sql_constraints = [("ref_unique", "UNIQUE(ref)", "Two challenges cannot share a reference.")]

    def _digest(self, ref, code):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        return hmac.new(secret.encode(), f"{ref}:{code}".encode(), hashlib.sha256).hexdigest()

    @api.model
    def _challenge(self, person, phone):
        """Start proving that the typed ``person`` (surname, first_name, patronymic, birth_date) is a card that holds
        ``phone`` (e164); returns the challenge reference, whether a card matched or not."""
        Partner = self.env["res.partner"].sudo()
        engine = self.env["clinic.duplicate.engine"].sudo()
        row = engine.row_from_values(
            person["surname"], person["first_name"], person["patronymic"], person["birth_date"], "", [phone]
        )
        card = Partner
        for match in engine.match_row(row):
            candidate = Partner.browse(match["id"])
            same_person = match["score"] >= REVIEW_SCORE and candidate.birth_date == person["birth_date"]
            if same_person and phone in candidate.clinic_phone_ids.mapped("number"):
                card = candidate
                break
        ref = secrets.token_urlsafe(12)
        code = new_code()
        self.sudo().create(
            {
                "ref": ref,
                "partner_id": card.id,
                "phone": phone,
                "code_hash": self._digest(ref, code) if card else False,
                "expires_at": fields.Datetime.now() + timedelta(minutes=VALID_MINUTES),
            }
        )
        if card:
            self._deliver_code(phone, code)
        return ref

    @api.model
    def _deliver_code(self, phone, code):
        """Send ``code`` to ``phone``; messaging modules override this (without one, no code reaches anyone)."""
        return False

    @api.model
    def _verify(self, ref, code, phone):
        """The challenge ``ref`` (asked with ``phone``) whose ``code`` is right; its ``partner_id`` is the card
        proven. The caller marks it ``used`` once the booking went through.

        Every try is counted in a transaction of its own (clinic.rate.limit), so that a refused booking rolled
        back does not give the try back; the error names the field and never tells whether a card matched.
        """
        ref = str(ref or "")[:32]
        challenge = self.sudo().search([("ref", "=", ref), ("used", "=", False)], limit=1)
        tried_out = self.env["clinic.rate.limit"]._hit(f"identity:{ref}", MAX_ATTEMPTS, VALID_MINUTES * 60)
        if tried_out or not challenge or challenge.expires_at < fields.Datetime.now() or challenge.phone != phone:
            raise OnlineBookingError(
                "invalid_field",
                self.env._("This code has expired or was tried too often: ask for a new one."),
                "identity.challenge",
            )
        right = challenge.code_hash and hmac.compare_digest(challenge.code_hash, self._digest(challenge.ref, str(code)))
        if not right:
            raise OnlineBookingError(
                "invalid_field", self.env._("The code is not right: check it or ask for a new one."), "identity.code"
            )
        return challenge

    @api.model
    def _cron_purge(self):
        self.sudo().search([("expires_at", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
