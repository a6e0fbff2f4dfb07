"""A Wazzup24-style WhatsApp business gateway (REST API v3), per the spec's §4.

Send: ``POST {base}/v3/message`` with ``Authorization: Bearer <API key>`` and JSON
``{"channelId", "chatType": "whatsapp", "chatId": "7916…", "text", "crmMessageId"}``; answer 201
``{"messageId", "chatId"}``. ``crmMessageId`` is the idempotency key: our outbox id, so a request
repeated after a timeout or a 5xx is answered 400 ``{"error": "repeatedCrmMessageId"}`` and the
message exists once. Errors are ``{"error": CODE, "description"}``; 429 carries ``Retry-After``.
Webhooks: POST JSON ``{"messages": [...]}`` (inbound, and echoes of ours with ``isEcho`` and
``crmMessageId``) or ``{"statuses": [{"messageId", "status", "error": {"error"}}]}`` or
``{"test": true}``, with ``Authorization: Bearer <crmKey>`` (the channel's webhook secret).
"""

import hmac
import json

import requests

from .base import Outcome, Provider, SendResult, WebhookEvent, register, retry_after

REPEATED = "repeatedCrmMessageId"
RETRY_CODES = {"TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"}
NOT_ON_WHATSAPP = {"BAD_CONTACT", "CHAT_NOT_FOUND"}
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "error": "failed"}


@register
class Wazzup(Provider):
    code = "wazzup"
    name = "WhatsApp gateway (Wazzup24 API v3)"
    contact_channel = "whatsapp"

    idempotent = True  # crmMessageId

    def send(self, outgoing):
        config = self.config
        body = {
            "channelId": config.account_ref,
            "chatType": "whatsapp",
            "chatId": outgoing.to,
            "text": outgoing.rendered["body"],
            "crmMessageId": str(outgoing.id),
        }
        try:
            response = requests.post(
                f"{config.base_url.rstrip('/')}/v3/message",
                json=body,
                headers={"Authorization": f"Bearer {config.token}"},
                timeout=config.timeout,
            )
        except requests.RequestException as exc:
            return SendResult(Outcome.RETRY, error_code="timeout", error=str(exc)[:200])
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code in (200, 201) and data.get("messageId"):
            return SendResult(Outcome.SENT, provider_message_id=data["messageId"])
        code = str(data.get("error") or response.status_code)
        text = data.get("description") or response.reason or ""
        if code == REPEATED:
            # the gateway has this message from an earlier attempt: sent; its echo webhook brings the id
            return SendResult(Outcome.SENT, provider_message_id=f"crm:{outgoing.id}")
        if response.status_code >= 500 or response.status_code == 429 or code in RETRY_CODES:
            return SendResult(Outcome.RETRY, error_code=code, error=text, retry_after=retry_after(response))
        return SendResult(
            Outcome.NEXT, error_code=code, error=text, reachable=False if code in NOT_ON_WHATSAPP else None
        )

    def unreachable_codes(self):
        return NOT_ON_WHATSAPP

    def check_signature(self, headers, raw_body, params):
        secret = self.config.app_secret
        given = headers.get("Authorization", "")
        return bool(secret) and hmac.compare_digest(given, f"Bearer {secret}")

    def parse_webhook(self, raw_body, params):
        data = json.loads(raw_body or b"{}")
        events = []
        for status in data.get("statuses", []):
            state = STATUSES.get(status.get("status"))
            if state:
                error = status.get("error") or {}
                events.append(
                    WebhookEvent("status", status["messageId"], status=state, error_code=str(error.get("error", "")))
                )
        for item in data.get("messages", []):
            if item.get("isEcho"):
                # our own message seen by the gateway: ties its id to our outbox row
                if item.get("crmMessageId"):
                    events.append(
                        WebhookEvent("status", item["messageId"], status="sent", reference=str(item["crmMessageId"]))
                    )
                continue
            events.append(
                WebhookEvent("inbound", item["messageId"], phone=str(item.get("chatId", "")), text=item.get("text", ""))
            )
        return events
