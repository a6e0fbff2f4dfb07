"""An SMSC-style Russian SMS gateway HTTP API.

Send: POST ``{base}/sys/send.php`` form ``login, psw, phones, mes, sender, id, fmt=3, charset=utf-8``;
answer JSON ``{"id": N, "cnt": 1}`` or ``{"error": "...", "error_code": N}``. Our outbox id goes in
``id``, so a repeated request after a timeout names the same message (the idempotency key).
Delivery reports and incoming SMS: POST to the webhook, form ``id, phone, status, err`` or
``phone, mes, sent``, signed with ``md5`` = md5 of the values joined by ":" plus the channel's secret.
"""

import hashlib

import requests

from .base import Outcome, Parsed, Provider, SendResult, WebhookEvent, get_phone, get_ref, register, same_secret

RETRY_CODES = {"4", "9"}  # IP temporarily blocked; too many identical requests
STATUS_MAP = {
    "-1": "",
    "0": "sent",
    "1": "delivered",
    "2": "read",
    "3": "failed",
    "20": "failed",
    "22": "failed",
    "23": "failed",
    "24": "failed",
    "25": "failed",
}


def sign(values, secret):
    return hashlib.md5(":".join([*values, secret]).encode()).hexdigest()  # noqa: S324 - the gateway's format


@register
class SmscGateway(Provider):
    code = "sms_smsc"
    name = "SMS gateway (SMSC HTTP API)"
    contact_channel = "sms"

    idempotent = True  # the gateway keeps one message per ``id``

    def send(self, outgoing):
        config = self.config
        form = {
            "login": config.account_ref,
            "psw": config.token,
            "phones": outgoing.to,
            "mes": outgoing.rendered["body"],
            "sender": config.sender or "",
            "id": str(outgoing.id),
            "fmt": "3",
            "charset": "utf-8",
        }
        try:
            response = requests.post(f"{config.base_url.rstrip('/')}/sys/send.php", data=form, timeout=config.timeout)
        except requests.RequestException as exc:
            return SendResult(Outcome.RETRY, error_code="timeout", error=str(exc)[:200])
        if response.status_code >= 500:
            return SendResult(Outcome.RETRY, error_code=str(response.status_code), error=response.reason or "")
        try:
            data = response.json()
        except ValueError:
            return SendResult(Outcome.RETRY, error_code="bad_answer", error=response.text[:200])
        if "error_code" in data:
            code = str(data["error_code"])
            outcome = Outcome.RETRY if code in RETRY_CODES else Outcome.NEXT
            return SendResult(outcome, error_code=code, error=data.get("error", ""))
        return SendResult(Outcome.SENT, provider_message_id=str(data.get("id", outgoing.id)))

    def check_signature(self, headers, raw_body, params):
        secret = self.config.app_secret
        given = params.get("md5", "")
        if not secret or not given:
            return False
        if "mes" in params:
            values = [params.get("phone", ""), params.get("mes", ""), params.get("sent", "")]
        else:
            values = [params.get("id", ""), params.get("phone", ""), params.get("status", "")]
        return same_secret(given, sign(values, secret))

    def parse_webhook(self, raw_body, params):
        """One form per request: an incoming SMS (``phone, mes, sent``) or a delivery report (``id, status``)."""
        parsed = Parsed()
        parsed.item(self._inbound_event if "mes" in params else self._status_event, params, "form")
        return parsed.result()

    def _inbound_event(self, params, where):
        phone = get_phone(params, "phone", where)
        return [
            WebhookEvent("inbound", f"in:{phone}:{params.get('sent', '')}", phone=phone, text=params.get("mes", ""))
        ]

    def _status_event(self, params, where):
        status = STATUS_MAP.get(params.get("status", ""), "")
        if not status:
            return []
        reference = get_ref(params, "id", where)
        return [WebhookEvent("status", reference, status=status, error_code=params.get("err", ""), reference=reference)]
