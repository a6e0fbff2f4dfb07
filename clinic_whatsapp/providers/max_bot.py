"""The MAX messenger bot API (platform-api.max.ru), per the spec's §4.

A bot writes to a person by MAX user id, not by phone: the id is learned when the patient shares
their own contact with the clinic's bot (a ``contact`` attachment whose vCard has the number and whose
``max_info`` is the sender: what the «request contact» button sends), and kept on the phone line. A
contact card of anyone else is ignored: it would let anyone take over a patient's number.
Send: ``POST {base}/messages?user_id=N`` with ``Authorization: <bot token>`` and JSON
``{"text", "attachments": [{"type": "inline_keyboard", "payload": {"buttons": [[...]]}}]}``;
answer ``{"message": {"body": {"mid"}}}``. Errors are ``{"code", "message"}``: 429
``too.many.requests`` (with ``Retry-After``) and 5xx are transient; ``chat.denied`` (the patient
blocked the bot) and ``chat.not.found`` mean the patient is not reachable there. The bot API has no
delivery statuses: an accepted message counts as delivered to the patient's chat.
Webhooks: POST of one Update (``message_created``, ``message_callback``, ``bot_started``) with the
subscription's secret in ``X-Max-Bot-Api-Secret``.
"""

import re

import requests

from .base import (
    Outcome,
    Outgoing,
    Parsed,
    Provider,
    SendResult,
    WebhookEvent,
    get,
    get_ref,
    load_object,
    register,
    retry_after,
    same_secret,
)

RETRY_CODES = {"too.many.requests", "internal.error", "service.unavailable"}
UNREACHABLE = {"chat.denied", "chat.not.found"}
BUTTON_TITLES = {"CONFIRM": "Подтвердить", "CANCEL": "Отменить", "RESCHEDULE": "Перенести"}
_VCARD_TEL = re.compile(r"^TEL[^:]*:(.+)$", re.MULTILINE)


@register
class MaxBot(Provider):
    code = "max_bot"
    name = "MAX messenger bot"
    contact_channel = "max"

    def outgoing(self, message, rendered):
        line = (
            self.channel.env["clinic.partner.phone"]
            .sudo()
            .search([("number", "=", message.phone), ("max_user_id", "!=", False)], limit=1)
        )
        return Outgoing(message.id, message.phone, line.max_user_id or "", rendered)

    def send(self, outgoing):
        if not outgoing.to:
            return SendResult(Outcome.NEXT, error_code="no_max_chat", error="The patient has not written to the bot.")
        body = {"text": outgoing.rendered["body"]}
        buttons = [
            {"type": "callback", "text": BUTTON_TITLES.get(payload.split(":")[2], payload), "payload": payload}
            for payload in outgoing.rendered.get("buttons", [])
            if payload.count(":") >= 2
        ]
        if buttons:
            body["attachments"] = [{"type": "inline_keyboard", "payload": {"buttons": [buttons]}}]
        try:
            response = requests.post(
                f"{self.config.base_url.rstrip('/')}/messages",
                params={"user_id": outgoing.to},
                json=body,
                headers={"Authorization": self.config.token or ""},
                timeout=self.config.timeout,
            )
        except requests.RequestException as exc:
            return SendResult(Outcome.RETRY, error_code="timeout", error=str(exc)[:200])
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code == 200 and isinstance(data.get("message"), dict):
            mid = (data["message"].get("body") or {}).get("mid")
            if mid:
                return SendResult(Outcome.SENT, provider_message_id=mid, reachable=True)
        code = str(data.get("code") or response.status_code)
        text = data.get("message") or response.reason or ""
        if response.status_code >= 500 or response.status_code == 429 or code in RETRY_CODES:
            return SendResult(Outcome.RETRY, error_code=code, error=text, retry_after=retry_after(response))
        return SendResult(Outcome.NEXT, error_code=code, error=text, reachable=False if code in UNREACHABLE else None)

    def unreachable_codes(self):
        return UNREACHABLE

    def check_signature(self, headers, raw_body, params):
        secret = self.config.app_secret
        return bool(secret) and same_secret(headers.get("X-Max-Bot-Api-Secret", ""), secret)

    def parse_webhook(self, raw_body, params):
        """One Update per request: it is the delivery's only item."""
        parsed = Parsed()
        parsed.item(self._update_events, load_object(raw_body), "body")
        return parsed.result()

    def _update_events(self, update, where):
        kind = get(update, "update_type", str, where)
        if kind == "message_created":
            message = get(update, "message", dict, where)
            user_ref = get_ref(get(message, "sender", dict, f"{where}.message"), "user_id", f"{where}.message.sender")
            body = get(message, "body", dict, f"{where}.message")
            phone = self._shared_phone(body, user_ref, f"{where}.message.body") or self._phone_of(user_ref)
            return [
                WebhookEvent(
                    "inbound",
                    get_ref(body, "mid", f"{where}.message.body"),
                    phone=phone,
                    text=get(body, "text", str, f"{where}.message.body", ""),
                    user_ref=user_ref,
                )
            ]
        if kind == "message_callback":
            callback = get(update, "callback", dict, where)
            user_ref = get_ref(get(callback, "user", dict, f"{where}.callback"), "user_id", f"{where}.callback.user")
            return [
                WebhookEvent(
                    "inbound",
                    f"cb:{get_ref(callback, 'callback_id', f'{where}.callback')}",
                    phone=self._phone_of(user_ref),
                    payload=get(callback, "payload", str, f"{where}.callback", ""),
                    user_ref=user_ref,
                )
            ]
        return []

    def _shared_phone(self, body, user_ref, where):
        """The number of the sender's own contact card, as the bot's «request contact» button sends it: the
        card's MAX user (``max_info.user_id``) is the sender. A card of anyone else (a contact from the
        sender's address book, typed or forwarded) says nothing about who the sender is: ignored."""
        for index, attachment in enumerate(get(body, "attachments", list, where, [])):
            if not isinstance(attachment, dict) or attachment.get("type") != "contact":
                continue
            at = f"{where}.attachments[{index}].payload"
            payload = get(attachment, "payload", dict, f"{where}.attachments[{index}]", {})
            owner = get(payload, "max_info", dict, at, {}).get("user_id")
            if isinstance(owner, bool) or not isinstance(owner, int | str) or str(owner) != user_ref:
                continue
            found = _VCARD_TEL.search(get(payload, "vcf_info", str, at, ""))
            digits = "".join(ch for ch in found.group(1) if ch.isdigit()) if found else ""
            if digits:
                return digits
        return ""

    def _phone_of(self, user_ref):
        line = self.channel.env["clinic.partner.phone"].sudo().search([("max_user_id", "=", user_ref)], limit=1)
        return (line.number or "").lstrip("+")
