"""A local fake of the WhatsApp Cloud API, a Wazzup24-style gateway, the MAX bot API and an SMS gateway.

Each speaks its provider's wire format. Scripted by the recipient's last two digits: 51 → not on
WhatsApp (Cloud API 131026, Wazzup BAD_CONTACT), 54 → one HTTP 500 then OK, 55 → the first request
hangs past the client's timeout (and is accepted), 59 → SMS error 8 (undeliverable). ``script()``
plays given faults for one recipient of one provider, one per request: "500", "429" (with
``Retry-After``), "late" (accepted, answered after the client's timeout), "timeout" (not accepted,
no answer in time), "undeliverable". The SMS gateway keeps one message per ``id`` and Wazzup per
``crmMessageId``; the Cloud API and MAX have no idempotency key.
"""

import json
import logging
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

if __name__ == "__main__":  # run standalone for the demo (below): the suite's add-ons are not on Odoo's path yet
    import odoo.addons

    odoo.addons.__path__.append(str(__import__("pathlib").Path(__file__).resolve().parents[2]))

from odoo.addons.clinic_base.tools.fake_http import FakeHttpServer  # noqa: E402

_logger = logging.getLogger(__name__)

WA_TOKEN = "wa-token"
WAZZUP_KEY, MAX_TOKEN = "wazzup-key", "max-token"
SMS_LOGIN, SMS_PASSWORD = "clinic", "sms-pass"
TEMPLATES = {
    "appt_booked": 5,
    "appt_rescheduled": 4,
    "appt_cancelled": 4,
    "appt_reminder_24h": 4,
    "appt_reminder_2h": 3,
    "appt_waitlist_offer": 5,
    "appt_done": 2,
    "promo_checkup": 2,
}
RETRY_AFTER = 90  # seconds in the Retry-After of a 429
HANG_SECONDS = 10.5  # Odoo tests raise any client timeout below 10 s to 10 s


class _Server(ThreadingHTTPServer):
    """Notes when each connection came in: how late an answer is counts from there."""

    def __init__(self, *args, **kwargs):
        self.arrivals = {}
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        self.arrivals[request] = time.monotonic()
        return super().process_request(request, client_address)


class FakeProviders(FakeHttpServer):
    server_class = _Server

    def __init__(self, fault_rate=0.0, seed=1, hang_seconds=HANG_SECONDS, status_hook=None, late_after=None, port=0):
        self.lock = threading.Lock()
        self.fault_rate = fault_rate  # random faults besides the scripted ones (benchmark)
        # Meta's «sent» status webhook, called (outbox reference, wamid) for a Cloud API message taken but
        # answered late: after a scripted hang, or ``late_after`` seconds after the request came in
        self.status_hook = status_hook
        self.late_after = late_after
        self.random = random.Random(seed)
        self.hang_seconds = hang_seconds
        self.reset()
        self._serve(_handler(self), port)

    def reset(self):
        self.requests = []  # every request as (kind, body)
        self.accepted = []  # messages the provider took for delivery, as (kind, body)
        self.sms_ids = {}
        self.seen = {}  # scripted one-off faults already played, by recipient
        self.scripts = {}  # (provider, recipient) -> faults still to play
        self.crm_ids = set()
        self.counter = 0

    def script(self, kind, to, *faults):
        """Play ``faults`` on the next requests of provider ``kind`` to ``to`` (digits or MAX user id)."""
        self.scripts[(kind, to.lstrip("+"))] = list(faults)

    def _scripted(self, kind, to):
        faults = self.scripts.get((kind, to))
        return faults.pop(0) if faults else None

    def accepted_to(self, phone):
        digits = phone.lstrip("+")
        return [body for kind, body in self.accepted if body.get("to", body.get("phones")) == digits]

    # --------------------------------------------------------------- WhatsApp Cloud API

    def whatsapp(self, headers, body):
        if headers.get("Authorization") != f"Bearer {WA_TOKEN}":
            return 401, {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}}
        data = json.loads(body)
        self.requests.append(("whatsapp", data))
        to = data.get("to", "")
        if data.get("messaging_product") != "whatsapp" or not to.isdigit():
            return 400, {"error": {"message": "Invalid parameter", "code": 100}}
        if data.get("type") == "template":
            template = data["template"]
            params = next((c["parameters"] for c in template["components"] if c["type"] == "body"), [])
            if template["name"] not in TEMPLATES:
                return 404, {"error": {"message": "Template name does not exist", "code": 132001}}
            if len(params) != TEMPLATES[template["name"]]:
                return 400, {"error": {"message": "Number of parameters does not match", "code": 132000}}
        fault = self._scripted("whatsapp", to) or self._fault(to)
        if fault == "timeout":
            return -504, {"error": {"message": "Gateway timeout", "code": 131000}}
        if fault in ("51", "undeliverable"):
            return 400, {"error": {"message": "Message undeliverable", "code": 131026}}
        if fault in ("54", "500"):
            return 500, {"error": {"message": "Internal error", "code": 131000}}
        if fault == "429":
            return 429, {"error": {"message": "Rate limit hit", "code": 130429}}
        self.counter += 1
        self.accepted.append(("whatsapp", data))
        return 200 if fault not in ("55", "late") else -200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.TEST{self.counter}"}],
        }

    # --------------------------------------------------------------- Wazzup24-style gateway

    def wazzup(self, headers, body):
        if headers.get("Authorization") != f"Bearer {WAZZUP_KEY}":
            return 401, {"error": "unauthorized", "description": "Invalid API key"}
        data = json.loads(body)
        self.requests.append(("wazzup", data))
        to = str(data.get("chatId", ""))
        if data.get("chatType") != "whatsapp" or not to.isdigit() or not data.get("text") or not data.get("channelId"):
            return 400, {"error": "INVALID_MESSAGE_DATA", "description": "chatType, chatId, channelId and text"}
        crm_id = data.get("crmMessageId")
        if crm_id in self.crm_ids:
            return 400, {"error": "repeatedCrmMessageId", "description": "A message with this crmMessageId exists"}
        fault = self._scripted("wazzup", to) or self._fault(to)
        if fault == "timeout":
            return -504, {"error": "SERVICE_UNAVAILABLE", "description": "Try again"}
        if fault in ("51", "undeliverable"):
            return 400, {"error": "BAD_CONTACT", "description": "The number is not on WhatsApp"}
        if fault in ("54", "500"):
            return 500, {"error": "INTERNAL_ERROR", "description": "Internal error"}
        if fault == "429":
            return 429, {"error": "TOO_MANY_REQUESTS", "description": "Slow down"}
        self.counter += 1
        self.crm_ids.add(crm_id)
        self.accepted.append(("wazzup", {**data, "to": to}))
        return 201 if fault not in ("55", "late") else -201, {"messageId": f"wz-{self.counter}", "chatId": to}

    # --------------------------------------------------------------- MAX bot API

    def max(self, headers, query, body):
        if headers.get("Authorization") != MAX_TOKEN:
            return 401, {"code": "verify.token", "message": "Invalid access_token"}
        data = json.loads(body)
        user_id = query.get("user_id", [""])[0]
        self.requests.append(("max", {**data, "user_id": user_id}))
        if not user_id.isdigit() or not data.get("text"):
            return 400, {"code": "proto.payload", "message": "user_id and text are required"}
        fault = self._scripted("max", user_id)
        if fault == "undeliverable":
            return 403, {"code": "chat.denied", "message": "The user blocked the bot"}
        if fault == "500":
            return 503, {"code": "service.unavailable", "message": "Try later"}
        if fault == "429":
            return 429, {"code": "too.many.requests", "message": "Too many requests"}
        if fault == "timeout":
            return -503, {"code": "service.unavailable", "message": "Try later"}
        self.counter += 1
        self.accepted.append(("max", {**data, "to": user_id}))
        body = {"mid": f"mid.{self.counter}", "seq": self.counter, "text": data["text"]}
        answer = {
            "message": {"recipient": {"user_id": int(user_id)}, "timestamp": int(time.time() * 1000), "body": body}
        }
        return 200 if fault != "late" else -200, answer

    # --------------------------------------------------------------- SMS gateway

    def sms(self, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.requests.append(("sms", form))
        if form.get("login") != SMS_LOGIN or form.get("psw") != SMS_PASSWORD:
            return 200, {"error": "authorise error", "error_code": 2}
        if form.get("id") in self.sms_ids:
            return 200, {"id": self.sms_ids[form["id"]], "cnt": 1}
        fault = self._scripted("sms", form.get("phones", "")) or self._fault(form.get("phones", ""))
        if fault in ("59", "undeliverable"):
            return 200, {"error": "message is denied", "error_code": 8}
        if fault in ("54", "500"):
            return 500, {"error": "internal error"}
        self.counter += 1
        self.sms_ids[form.get("id")] = self.counter
        self.accepted.append(("sms", {**form, "to": form.get("phones")}))
        return -200 if fault in ("55", "timeout", "late") else 200, {"id": self.counter, "cnt": 1}

    def _fault(self, to):
        """The scripted fault for this recipient, played once for 54 and 55; a negative status hangs.

        With a fault rate, a random request also fails: 5xx, not on WhatsApp, no answer in time (not
        taken), or an answer after the client's timeout (taken).
        """
        if self.fault_rate and self.random.random() < self.fault_rate:
            return self.random.choice(("54", "51", "timeout", "late"))
        suffix = to[-2:]
        if suffix in ("54", "55"):
            if self.seen.get(to):
                return None
            self.seen[to] = True
        return suffix


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            arrived = self.server.arrivals.pop(self.request, time.monotonic())
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            with fake.lock:
                if url.path == "/messages":
                    status, answer = fake.max(self.headers, parse_qs(url.query), body)
                elif url.path.endswith("/messages"):
                    status, answer = fake.whatsapp(self.headers, body)
                elif url.path == "/v3/message":
                    status, answer = fake.wazzup(self.headers, body)
                elif url.path == "/sys/send.php":
                    status, answer = fake.sms(body)
                else:
                    status, answer = 404, {"error": {"message": "unknown path", "code": 100}}
            late = status < 0
            if late:  # the answer comes after the client's timeout
                time.sleep(fake.hang_seconds)
                status = -status
            elif fake.late_after is not None:
                late = time.monotonic() - arrived > fake.late_after
            if (
                late
                and fake.status_hook
                and status == 200
                and url.path.endswith("/messages")
                and url.path != "/messages"
            ):
                args = (json.loads(body).get("biz_opaque_callback_data", ""), answer["messages"][0]["id"])
                threading.Thread(target=fake.status_hook, args=args, daemon=True).start()
            try:
                raw = json.dumps(answer).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(RETRY_AFTER))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError) as exc:
                _logger.debug("fake provider: the client gave up before the answer (%s)", exc)

        def log_message(self, *args):
            pass

    return Handler


if __name__ == "__main__":
    # the demo database's channels point at http://127.0.0.1:8099: «python3 fake_providers.py 8099»
    import sys

    fake = FakeProviders(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8099)
    print(f"fake providers at {fake.url}")  # noqa: T201  # pylint: disable=print-used
    fake.start().thread.join()
