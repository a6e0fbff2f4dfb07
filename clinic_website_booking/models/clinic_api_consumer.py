import hashlib
import hmac
import secrets

from odoo import api, fields, models

from odoo.addons.clinic_base.tools.access import require_one

KEY_PREFIX = "cwb"
DEFAULT_RATE_LIMIT = 300


def hash_key(secret):
    """Keys are long random strings: a plain SHA-256 cannot be brute-forced and costs nothing per request."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ClinicApiConsumer(models.Model):
    """An outside site or aggregator allowed to read the schedule and book through the exchange API."""

    _name = "clinic.api.consumer"
    _description = "Booking API consumer"
    _order = "name"

    name = fields.Char(string="Name", required=True, help="Who calls the API: the clinic's site, an aggregator...")
    active = fields.Boolean(string="Active", default=True, help="An archived consumer's key is refused.")
    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, default=lambda self: self.env.company, index=True
    )
    key_id = fields.Char(
        string="Key ID",
        readonly=True,
        copy=False,
        index=True,
        help="The public first part of the key, to tell keys apart in logs; the secret part is stored hashed only.",
    )
    key_hash = fields.Char(string="Key hash", readonly=True, copy=False, groups="base.group_system")
    key_created_at = fields.Datetime(string="Key issued", readonly=True, copy=False)
    rate_limit = fields.Integer(
        string="Requests per minute",
        default=DEFAULT_RATE_LIMIT,
        required=True,
        help="Requests allowed per minute with this key; more are answered «429 rate_limited».",
    )
    can_book = fields.Boolean(
        string="May book and cancel",
        default=True,
        help="Without it the consumer may only read practitioners, services and free slots.",
    )
    note = fields.Text(string="Note", help="Contact of the consumer's developer, contract, and so on.")
    appointment_ids = fields.One2many("clinic.appointment", "api_consumer_id", string="Appointments")
    appointment_count = fields.Integer(string="Bookings", compute="_compute_appointment_count")

    _sql_constraints = [("key_id_unique", "UNIQUE(key_id)", "Two consumers cannot share one key.")]

    def _compute_appointment_count(self):
        counts = dict(
            self.env["clinic.appointment"]._read_group(
                [("api_consumer_id", "in", self.ids)], ["api_consumer_id"], ["__count"]
            )
        )
        for consumer in self:
            consumer.appointment_count = counts.get(consumer, 0)

    def action_generate_key(self):
        """Issue a new key (the old one stops working) and show it once; only who may edit the consumer."""
        self.check_access("write")
        require_one(self)
        key_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        self.sudo().write({"key_id": key_id, "key_hash": hash_key(secret), "key_created_at": fields.Datetime.now()})
        wizard = self.env["clinic.api.key.wizard"].create(
            {"consumer_id": self.id, "key": f"{KEY_PREFIX}_{key_id}_{secret}"}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("API key of %(consumer)s", consumer=self.name),
            "res_model": "clinic.api.key.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_appointments(self):
        self.check_access("read")
        require_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_scheduling.clinic_appointment_action")
        action.update(domain=[("api_consumer_id", "=", self.id)], context={}, view_mode="list,form",
                      views=[(False, "list"), (False, "form")])  # fmt: skip
        return action

    @api.model
    def _authenticate(self, key):
        """The active consumer holding ``key`` (``cwb_<key id>_<secret>``), or an empty recordset."""
        prefix, _sep, rest = (key or "").partition("_")
        key_id, _sep, secret = rest.partition("_")
        if prefix != KEY_PREFIX or not key_id or not secret:
            return self.browse()
        consumer = self.sudo().search([("key_id", "=", key_id)], limit=1)
        if consumer and consumer.key_hash and hmac.compare_digest(consumer.key_hash, hash_key(secret)):
            return consumer
        return self.browse()
