import logging

from odoo import http
from odoo.http import request

from ..models.clinic_message import SendInFlight

_logger = logging.getLogger(__name__)


class ClinicMessagingWebhook(http.Controller):
    """Providers' callbacks: thin; the channel's provider checks the signature, the outbox applies events."""

    @http.route(
        "/clinic_whatsapp/webhook/<string:ref>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def webhook(self, ref, **params):
        channel = request.env["clinic.messaging.channel"].sudo().search([("webhook_ref", "=", ref)], limit=1)
        if not channel:
            return request.make_response("Not found", status=404)
        provider = channel._provider()
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
            events = provider.parse_webhook(raw, params)
        except (ValueError, KeyError, TypeError) as exc:
            _logger.warning("clinic_whatsapp: unreadable webhook on channel %s: %s", channel.id, exc)
            return request.make_response("Bad request", status=400)
        try:
            request.env["clinic.message"].sudo()._process_webhook(channel, events)
        except SendInFlight as exc:
            # the provider answered faster than our worker recorded its answer: it redelivers later
            _logger.info("clinic_whatsapp: status for message %s in flight, asked for redelivery", exc)
            request.env.cr.rollback()
            return request.make_response("Retry later", status=503, headers=[("Retry-After", "5")])
        return request.make_response(provider.webhook_response(), headers=[("Content-Type", "text/plain")])
