import uuid

from odoo import api, fields, models, tools

from ..providers import PROVIDERS, get_provider
from ..providers.base import CONFIG_FIELDS

# What a webhook request reads from the per-worker cache: a change to any of these clears it.
WEBHOOK_FIELDS = {"webhook_ref", "provider", "active", *CONFIG_FIELDS}

MANAGER = "clinic_base.group_clinic_manager"


class ClinicMessagingChannel(models.Model):
    """One configured provider account; channels are tried in sequence order, the next one on failure."""

    _name = "clinic.messaging.channel"
    _inherit = "clinic.cache.source.mixin"  # _webhook_settings may hold «no such channel» for an address
    _description = "Messaging channel"
    _order = "sequence, id"
    _cache_fields = frozenset(WEBHOOK_FIELDS)

    name = fields.Char(string="Name", required=True)
    sequence = fields.Integer(string="Order", default=10, help="Channels are tried in this order; lower first.")
    active = fields.Boolean(string="Active", default=True)
    demo = fields.Boolean(
        string="Demo channel",
        help="Points at a local address instead of a real provider (the demo database's channels): a message it "
        "cannot hand over fails at once, without retries.",
    )
    provider = fields.Selection(
        selection=lambda self: [(code, cls.name) for code, cls in sorted(PROVIDERS.items())],
        string="Provider",
        required=True,
    )
    contact_channel = fields.Char(
        string="Consent channel", compute="_compute_contact_channel", help="The consent channel this provider uses."
    )
    base_url = fields.Char(string="API address", required=True, groups=MANAGER)
    api_version = fields.Char(string="API version", default="v23.0", groups=MANAGER)
    account_ref = fields.Char(
        string="Account",
        groups=MANAGER,
        help="WhatsApp Cloud API: the phone number id; Wazzup: the channel id; SMS gateway: the login.",
    )
    token = fields.Char(string="Access token or password", groups=MANAGER)
    app_secret = fields.Char(
        string="Webhook signing secret",
        groups=MANAGER,
        help="WhatsApp Cloud API: the app secret; Wazzup: the crmKey of the webhook subscription; "
        "MAX: the subscription's secret; SMS gateway: the signing key.",
    )
    verify_token = fields.Char(string="Webhook verify token", groups=MANAGER)
    sender = fields.Char(string="Sender name", groups=MANAGER)
    timeout = fields.Float(string="Timeout, s", default=10.0, groups=MANAGER)
    webhook_ref = fields.Char(
        string="Webhook reference",
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: uuid.uuid4().hex,
        groups=MANAGER,
        help="The opaque part of the webhook address /clinic_whatsapp/webhook/<reference>.",
    )
    company_id = fields.Many2one("res.company", string="Clinic", required=True, default=lambda self: self.env.company)

    _sql_constraints = [("webhook_ref_unique", "UNIQUE(webhook_ref)", "Each channel has its own webhook address.")]

    @api.depends("provider")
    def _compute_contact_channel(self):
        for channel in self:
            channel.contact_channel = PROVIDERS[channel.provider].contact_channel if channel.provider else False

    @api.model
    def _webhook_provider(self, ref):
        """The provider of the active channel with this webhook reference, or None; its settings are cached
        per worker (cleared on any change of a channel), so that a provider's webhook request reads none."""
        found = self._webhook_settings(ref)
        if not found:
            return None
        channel_id, provider, config = found
        return PROVIDERS[provider](self.sudo().browse(channel_id), config=config)

    @api.model
    @tools.ormcache("ref")
    def _webhook_settings(self, ref):
        channel = self.sudo().search_fetch([("webhook_ref", "=", ref)], ["provider", *CONFIG_FIELDS], limit=1)
        if not channel:
            return None
        return channel.id, channel.provider, {name: channel[name] for name in CONFIG_FIELDS}

    def _provider(self):
        self.ensure_one()
        return get_provider(self.sudo())

    @api.model
    def _ordered(self, company):
        return self.sudo().search([("company_id", "=", company.id)])

    def _next(self):
        """The channel tried after this one, or an empty recordset."""
        self.ensure_one()
        later = self._ordered(self.company_id).filtered(lambda c: (c.sequence, c.id) > (self.sequence, self.id))
        return later[:1]
