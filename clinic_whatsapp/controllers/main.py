import json
import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..providers.base import BadWebhook

_logger = logging.getLogger(__name__)


class ClinicMessagingWebhook(http.Controller):
    """Providers' callbacks: thin. The channel's provider checks the signature and parses the delivery; its
    events are stored in one INSERT and applied by a queue_job job (``clinic.message.webhook``).

    ``auth="none"``, no session saved, no CSRF: a provider has no session, and the request stays on
    Odoo's cheapest path (no public user, no session file; read/write at once, where ``auth="none"``
    would first try a read-only transaction): the registry check, one INSERT, the commit
    (the channel's settings are cached per worker).
    """

    @http.route(
        "/clinic_whatsapp/webhook/<string:ref>",
        type="http",
        auth="none",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def webhook(self, ref, **params):
        env = request.env(user=SUPERUSER_ID, su=True)
        provider = env["clinic.messaging.channel"]._webhook_provider(ref)
        if not provider:
            return request.make_response("Not found", status=404)
        channel = provider.channel
        httprequest = request.httprequest
        if httprequest.method == "GET" and "hub.mode" in params:
            challenge = provider.verify_subscription(params)
            if challenge is None:
                _logger.warning("clinic_whatsapp: refused webhook verification on channel %s", channel.id)
                return request.make_response("Forbidden", status=403)
            return request.make_response(challenge, headers=[("Content-Type", "text/plain")])
        raw = httprequest.get_data()
        if not provider.check_signature(httprequest.headers, raw, params):
            _logger.warning(
                "clinic_whatsapp: forged or unsigned webhook on channel %s from %s", channel.id, httprequest.remote_addr
            )
            return request.make_response("Forbidden", status=403)
        try:
            events, rejected = provider.parse_webhook(raw, params)
        except BadWebhook as exc:
            _logger.warning("clinic_whatsapp: unreadable webhook on channel %s: %s", channel.id, exc)
            return _json({"error": "The body is not a webhook of this provider.", "rejected": exc.rejected}, 400)
        stored = env["clinic.message.webhook"]._store(channel.id, events)
        if rejected:
            # a redelivery would bring the same items again: the good ones are kept, the others reported
            _logger.warning("clinic_whatsapp: webhook items refused on channel %s: %s", channel.id, "; ".join(rejected))
            return _json({"stored": stored, "rejected": rejected}, 200)
        return request.make_response(provider.webhook_response(), headers=[("Content-Type", "text/plain")])


def _json(data, status):
    return request.make_response(json.dumps(data), headers=[("Content-Type", "application/json")], status=status)
