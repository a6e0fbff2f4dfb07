from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, mute_logger

from ..tools import phone as phone_tools

MESSENGERS = ("whatsapp", "max")  # consent channels that are messengers: a number may or may not be on them
REACHABLE = [("yes", "Reachable"), ("no", "Not reachable")]
RECHECK_AFTER = timedelta(days=30)  # a patient may install the messenger later: «not reachable» ages out


class ClinicPartnerPhone(models.Model):
    """One phone of a person; a phone is a contact, never an identity key."""

    _name = "clinic.partner.phone"
    _description = "Phone number"
    _order = "partner_id, sequence, id"
    _rec_name = "display"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(string="Sequence", default=10)
    kind = fields.Selection(
        [("mobile", "Mobile"), ("home", "Home"), ("work", "Work")],
        string="Kind",
        required=True,
        default="mobile",
    )
    number = fields.Char(
        string="Number",
        required=True,
        index=True,
        help="Stored in the international E.164 form (+79123456789); type it in any usual way.",
    )
    extension = fields.Char(string="Extension", help="Internal extension dialled after the number (доб.).")
    raw_input = fields.Char(string="As typed", readonly=True, help="The number exactly as it was entered or imported.")
    note = fields.Char(string="Note", help="Whose phone it is, when to call, etc.")
    display = fields.Char(string="Phone", compute="_compute_display")
    whatsapp_reachable = fields.Selection(
        REACHABLE,
        string="On WhatsApp",
        readonly=True,
        help="Learned from delivery results: delivered means reachable, «not on WhatsApp» means not; empty: unknown.",
    )
    max_reachable = fields.Selection(
        REACHABLE,
        string="On MAX",
        readonly=True,
        help="Learned from delivery results of the MAX messenger; empty: unknown.",
    )
    messenger_checked_at = fields.Datetime(
        string="Messenger checked at",
        readonly=True,
        help="When a delivery result last told whether this number is on a messenger.",
    )

    @api.depends("number", "extension")
    def _compute_display(self):
        for line in self:
            line.display = phone_tools.format_ru(line.number, line.extension)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_vals(vals)
        lines = super().create(vals_list)
        lines.partner_id._sync_phone_fields()
        return lines

    def write(self, vals):
        self._normalize_vals(vals)
        partners = self.partner_id
        result = super().write(vals)
        (partners | self.partner_id)._sync_phone_fields()
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        partners.exists()._sync_phone_fields()
        return result

    @api.model
    def _set_messenger_reachable(self, number, channel, reachable, at=None):
        """Record what a delivery result told about ``number`` on a messenger (``channel`` of MESSENGERS)."""
        if channel not in MESSENGERS or not number:
            return
        column, value = f"{channel}_reachable", "yes" if reachable else "no"
        self.flush_model([column, "messenger_checked_at"])
        try:
            # a hint shared by every message to the number: when another worker records it at the same
            # moment, its news is as good as ours, and our transaction (a batch of sends) must not fail
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "UPDATE clinic_partner_phone SET %s = %s, messenger_checked_at = %s"
                        " WHERE number = %s AND %s IS DISTINCT FROM %s",
                        SQL.identifier(column),
                        value,
                        at or fields.Datetime.now(),
                        number,
                        SQL.identifier(column),
                        value,
                    )
                )
        except psycopg2.errors.SerializationFailure:
            return
        self.invalidate_model([column, "messenger_checked_at"])

    @api.model
    def _messenger_unreachable(self, numbers, channel, at=None):
        """Those of ``numbers`` known, and recently, not to be on that messenger: skip it for them."""
        numbers = [number for number in numbers if number]
        if channel not in MESSENGERS or not numbers:
            return set()
        at = at or fields.Datetime.now()
        lines = self.sudo().search_fetch(
            [
                ("number", "in", numbers),
                (f"{channel}_reachable", "=", "no"),
                ("messenger_checked_at", ">", at - RECHECK_AFTER),
            ],
            ["number"],
        )
        return set(lines.mapped("number"))

    @api.model
    def _normalize_vals(self, vals):
        """Store E.164 whatever the receptionist typed; refuse junk quoting it."""
        if not vals.get("number"):
            return
        raw = vals["number"]
        parsed = self._parse(raw)
        vals["number"] = parsed["e164"]
        vals.setdefault("raw_input", raw)
        if parsed["extension"] and not vals.get("extension"):
            vals["extension"] = parsed["extension"]
        if "kind" not in vals and parsed["kind"] != "mobile":
            vals["kind"] = parsed["kind"]

    @api.model
    def _parse(self, raw, field_label=None):
        try:
            return phone_tools.normalize(raw)
        except phone_tools.PhoneError as exc:
            raise ValidationError(
                self.env._(
                    "%(field)s: «%(value)s» is not a phone number. Type it with the area code, "
                    "e.g. 8 912 345-67-89 or +7 (495) 123-45-67.",
                    field=field_label or self.env._("Phone"),
                    value=raw,
                )
            ) from exc
