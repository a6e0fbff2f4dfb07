"""A connected platform's REST wrapper of the REMD methods (same names, JSON, bearer token).

The platform takes the file with the request (it answers REMD's getDocumentFile itself) and forwards
REMD's registerDocumentResult to our JSON callback, signed with the shared secret (HMAC-SHA256).
"""

import base64
import hashlib
import hmac
import json
import uuid

import requests

from .base import ACK_ERROR, ACK_OK, ACK_RETRY, Ack, Exchange, RegistryItem, Transport, TransportError, register


def sign_body(secret, body):
    return hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()


@register
class PlatformRestTransport(Transport):
    code = "platform"

    def _post(self, operation, message_id, payload):
        settings = self.settings
        exchange = Exchange(operation=operation, message_id=message_id)
        if not (settings.remd_platform_url and settings.remd_platform_token):
            raise TransportError("Platform address or token missing in settings", exchange)
        exchange.url = f"{settings.remd_platform_url.rstrip('/')}/{operation}"
        exchange.request = json.dumps(payload, ensure_ascii=False, default=str)
        try:
            response = requests.post(
                exchange.url,
                data=exchange.request.encode(),
                headers={
                    "Authorization": f"Bearer {settings.remd_platform_token}",
                    "Content-Type": "application/json",
                    "X-Message-Id": message_id,
                },
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            exchange.error = f"Timeout after {self.timeout:g} s"
            raise TransportError(exchange.error, exchange) from exc
        except requests.RequestException as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            raise TransportError(exchange.error, exchange) from exc
        exchange.http_status = response.status_code
        exchange.response = response.text
        if response.status_code >= 500 or response.status_code in (408, 429):
            exchange.error = f"HTTP {response.status_code}"
            raise TransportError(exchange.error, exchange)
        try:
            return response.json(), exchange
        except ValueError as exc:
            exchange.error = f"HTTP {response.status_code}: not JSON"
            raise TransportError(exchange.error, exchange) from exc

    def register_document(self, metadata, message_id, file_bytes=b""):
        payload = {
            **metadata,
            "messageId": message_id,
            "callbackUrl": self.settings.remd_platform_callback_url,
            "file": base64.b64encode(file_bytes).decode(),
        }
        try:
            answer, exchange = self._post("registerDocument", message_id, payload)
        except TransportError as exc:
            return Ack(ACK_RETRY, [("TRANSPORT", str(exc))], exc.exchange)
        errors = [(e.get("code", ""), e.get("message", "")) for e in answer.get("errors") or []]
        if exchange.http_status >= 400 and not errors:
            errors = [("HTTP", f"HTTP {exchange.http_status}")]
        return Ack(ACK_OK if answer.get("status") == "success" else ACK_ERROR, errors, exchange)

    def search_registry_item(self, query):
        answer, exchange = self._post("searchRegistryItem", f"urn:uuid:{uuid.uuid4()}", query)
        return [
            RegistryItem(
                local_uid=item.get("localUid", ""),
                emdr_id=item.get("emdrId", ""),
                registered_at=item.get("registrationDateTime", ""),
                store_till=item.get("storeTillDate", ""),
            )
            for item in answer.get("matches") or []
        ], exchange
