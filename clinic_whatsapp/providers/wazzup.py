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

import requests

from .base import (
    Outcome,
    Parsed,
    Provider,
    SendResult,
    WebhookEvent,
    enumerate_items,
    envelope,
    expect,
    get,
    get_phone,
    get_ref,
    load_object,
    register,
    retry_after,
    same_secret,
)

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
        return bool(secret) and same_secret(headers.get("Authorization", ""), f"Bearer {secret}")

    def parse_webhook(self, raw_body, params):
        """``{"statuses": [...]}``, ``{"messages": [...]}`` or ``{"test": true}``: each status and message is an
        item of its own."""
        data = load_object(raw_body)
        parsed = Parsed()
        for where, status in enumerate_items(envelope(data, "statuses"), "statuses"):
            parsed.item(self._status_event, status, where)
        for where, item in enumerate_items(envelope(data, "messages"), "messages"):
            parsed.item(self._message_event, item, where)
        return parsed.result()

    def _status_event(self, status, where):
        state = STATUSES.get(get(expect(status, dict, where), "status", str, where, ""))
        if not state:
            return []
        error = get(status, "error", dict, where, None) or {}
        return [
            WebhookEvent(
                "status", get_ref(status, "messageId", where), status=state, error_code=str(error.get("error", ""))
            )
        ]

    def _message_event(self, item, where):
        expect(item, dict, where)
        if item.get("isEcho"):
            # our own message seen by the gateway: ties its id to our outbox row
            if not item.get("crmMessageId"):
                return []
            reference = get_ref(item, "crmMessageId", where)
            return [WebhookEvent("status", get_ref(item, "messageId", where), status="sent", reference=reference)]
        return [
            WebhookEvent(
                "inbound",
                get_ref(item, "messageId", where),
                phone=get_phone(item, "chatId", where),
                text=get(item, "text", str, where, "") or "",
            )
        ]
