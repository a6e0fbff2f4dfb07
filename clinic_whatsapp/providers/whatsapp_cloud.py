"""WhatsApp Business Cloud API (Meta Graph API), per the spec's §2 wire format.

The Cloud API has no idempotency key: a request answered after our timeout may have been taken.
The outbox then waits ``clinic_whatsapp.reconcile`` seconds (120 by default) before the retry, and
Meta's «sent» status, which echoes our outbox id in ``biz_opaque_callback_data``, moves the row to
«sent» meanwhile: the retry's claim (only from «queued») then finds nothing to send. A status that
comes while our worker still waits for the answer is refused with 503, and Meta delivers it again.
Residual risk, accepted for reminders and logged on the row: a status that arrives later than the
wait (or never: webhook down longer than Meta's redelivery) lets the retry send the message twice;
so does a worker killed between its request and its commit whose message got no status within the
10 minutes after which ``_requeue_stale`` queues it again.
"""

import hashlib
import hmac

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

RETRY_CODES = {"1", "2", "4", "80007", "130429", "131000", "131056"}
GIVE_UP_CODES = {"131049", "131050", "131048"}  # marketing caps and refusals: never fall back
NOT_ON_WHATSAPP = "131026"
STATUSES = ("sent", "delivered", "read", "failed")


@register
class WhatsAppCloud(Provider):
    code = "whatsapp_cloud"
    name = "WhatsApp Cloud API"
    contact_channel = "whatsapp"

    def _url(self):
        config = self.config
        return f"{config.base_url.rstrip('/')}/{config.api_version}/{config.account_ref}/messages"

    def _payload(self, outgoing):
        to, rendered = outgoing.to, outgoing.rendered
        if rendered.get("free_text"):
            return {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": {"body": rendered["body"]},
            }
        components = [
            {"type": "body", "parameters": [{"type": "text", "text": str(value)} for value in rendered["params"]]}
        ]
        for index, payload in enumerate(rendered.get("buttons", [])):
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}],
                }
            )
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "biz_opaque_callback_data": f"outbox:{outgoing.id}",
            "template": {
                "name": rendered["template_name"],
                "language": {"code": rendered.get("language") or "ru"},
                "components": components,
            },
        }

    def send(self, outgoing):
        try:
            response = requests.post(
                self._url(),
                json=self._payload(outgoing),
                headers={"Authorization": f"Bearer {self.config.token}"},
                timeout=self.config.timeout,
            )
        except requests.RequestException as exc:
            return SendResult(Outcome.RETRY, error_code="timeout", error=str(exc)[:200])
        if response.status_code == 200:
            messages = response.json().get("messages") or [{}]
            return SendResult(Outcome.SENT, provider_message_id=messages[0].get("id", ""))
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        code = str(error.get("code", response.status_code))
        text = error.get("message") or response.reason or ""
        if response.status_code >= 500 or response.status_code == 429 or code in RETRY_CODES:
            return SendResult(Outcome.RETRY, error_code=code, error=text, retry_after=retry_after(response))
        if code in GIVE_UP_CODES:
            return SendResult(Outcome.GIVE_UP, error_code=code, error=text)
        return SendResult(
            Outcome.NEXT, error_code=code, error=text, reachable=False if code == NOT_ON_WHATSAPP else None
        )

    def unreachable_codes(self):
        return {NOT_ON_WHATSAPP}

    def verify_subscription(self, params):
        if params.get("hub.mode") == "subscribe" and same_secret(
            params.get("hub.verify_token", ""), self.config.verify_token
        ):
            return params.get("hub.challenge", "")
        return None

    def check_signature(self, headers, raw_body, params):
        secret = self.config.app_secret
        given = headers.get("X-Hub-Signature-256", "")
        if not secret or not given.startswith("sha256="):
            return False
        expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
        return same_secret(given[len("sha256=") :], expected)

    def parse_webhook(self, raw_body, params):
        """``{"entry": [{"changes": [{"value": {"statuses": [...], "messages": [...]}}]}]}``: each status and
        message is an item of its own."""
        parsed = Parsed()
        for where, entry in enumerate_items(envelope(load_object(raw_body), "entry", required=True), "entry"):
            for change_where, change in parsed.children(entry, "changes", where):
                value = parsed.children(change, "value", change_where, kind=dict)
                if value is None:
                    continue
                for item_where, status in parsed.children(value, "statuses", f"{change_where}.value"):
                    parsed.item(self._status_event, status, item_where)
                for item_where, item in parsed.children(value, "messages", f"{change_where}.value"):
                    parsed.item(self._inbound_event, item, item_where)
        return parsed.result()

    def _status_event(self, status, where):
        expect(status, dict, where)
        if status.get("status") not in STATUSES:
            return []
        errors = get(status, "errors", list, where, []) or [{}]
        code = expect(errors[0], dict, f"{where}.errors[0]").get("code", "")
        reference = get(status, "biz_opaque_callback_data", str, where, "")
        return [
            WebhookEvent(
                "status",
                get_ref(status, "id", where),
                status=status["status"],
                error_code=str(code),
                reference=reference.removeprefix("outbox:"),
            )
        ]

    def _inbound_event(self, item, where):
        expect(item, dict, where)
        kind = item.get("type")
        text = payload = ""
        if kind == "text":
            text = get(get(item, "text", dict, where), "body", str, f"{where}.text", "")
        elif kind == "button":
            button = get(item, "button", dict, where)
            payload = get(button, "payload", str, f"{where}.button", "")
            text = get(button, "text", str, f"{where}.button", "")
        elif kind == "interactive":
            interactive = get(item, "interactive", dict, where)
            name = "button_reply" if interactive.get("button_reply") else "list_reply"
            reply = get(interactive, name, dict, f"{where}.interactive", {})
            payload = get(reply, "id", str, f"{where}.interactive.{name}", "")
            text = get(reply, "title", str, f"{where}.interactive.{name}", "")
        return [
            WebhookEvent(
                "inbound", get_ref(item, "id", where), phone=get_phone(item, "from", where), text=text, payload=payload
            )
        ]
