"""A local fake of the federal REMD (SOAP, its own WSDL) and of a connected platform's REST wrapper.

It checks what the real one checks on the wire: the WS-Security signature of our requests (by the
clinic's transport certificate), the EGISZ client id, the WS-Addressing headers, unique local ids.
Registration is asynchronous as in REMD: an accepted request waits in ``pending`` until the test calls
``deliver()``, which fetches the file from our getDocumentFile, checks its checksum, and sends the
registerDocumentResult to the ReplyTo address, signed with the fake's own key. Each document's
scenario is set by local id in ``plans`` (see ``Plan``).
"""

import base64
import dataclasses
import datetime
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler

import requests
from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from odoo.addons.clinic_base.tools.fake_http import FakeHttpServer
from odoo.addons.clinic_remd.semd import signer
from odoo.addons.clinic_remd.transports import wsse

_logger = logging.getLogger(__name__)

CLIENT_ENTITY_ID = "6f1c2f7e-2b0a-4d3e-9c55-1d2e3f4a5b6c"
PLATFORM_TOKEN, PLATFORM_SECRET = "platform-token", "platform-secret"
HANG_SECONDS = 10.5  # Odoo tests raise any client timeout below 10 s to 10 s
S = wsse.SERVICE_NS
CB = wsse.CALLBACK_NS


def make_certificate(common_name):
    """A throw-away RSA-2048 key and self-signed certificate, PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def make_gost_certificate(common_name):
    """A throw-away GOST R 34.10-2012 key (PKCS#8) and self-signed certificate, PEM text."""
    certificate, private_key = signer.GostSigner.generate(common_name, "")
    return signer.gost_private_key_pem(private_key), pem.armor("CERTIFICATE", certificate).decode()


@dataclasses.dataclass
class Plan:
    """What the fake does with one document (by local id)."""

    sync_errors: list = dataclasses.field(default_factory=list)  # refuse the request with these codes
    faults: int = 0  # answer the first N requests with a SOAP Fault (HTTP 500)
    http_errors: int = 0  # answer the first N requests with HTTP 503 (no SOAP)
    hangs: int = 0  # accept the first N requests but answer after the client's timeout
    reject: list = dataclasses.field(default_factory=list)  # asynchronous result with these codes
    callbacks: int = 1  # results sent per registration: 0 (never answer), 1, 2 (duplicate)


class FakeRemd(FakeHttpServer):
    def __init__(self, clinic_certificate):
        self.clinic_certificate = clinic_certificate
        self.key, self.certificate = make_certificate("Fake REMD")
        self.lock = threading.Lock()
        with open(os.path.join(os.path.dirname(__file__), "fake_remd.wsdl"), encoding="utf-8") as wsdl:
            self.wsdl_template = wsdl.read()
        self.reset()
        self._serve(_handler(self))

    def reset(self):
        self.plans = {}
        self.seen = {}  # requests per local id
        self.calls = []  # (operation, local id) of every request received
        self.pending = []  # accepted registrations waiting for deliver(): dicts
        self.registry = {}  # local id -> registry item
        self.registrations = {}  # local id -> times registered (must never exceed 1)
        self.results = []  # (message id answered, status, HTTP status of our answer)
        self.file_requests = []
        self.files = {}  # local id -> the bytes fetched from the clinic (or sent by the platform)

    # --------------------------------------------------------------- SOAP service

    def soap(self, raw):
        try:
            root = etree.fromstring(raw)
        except etree.XMLSyntaxError:
            return 400, wsse.fault("Not XML", "soap:Client")
        try:
            wsse.verify_envelope(root, self.clinic_certificate)
        except Exception:  # noqa: BLE001
            return 200, _sync_error_envelope("registerDocumentResponse", [("SIGNATURE_VERIFICATION_ERROR", "")])
        client = root.findtext(f".//{{{wsse.EGISZ}}}clientEntityId")
        message_id, reply_to = wsse.header_value(root, "MessageID"), wsse.header_value(root, "ReplyTo")
        call = root.find(f"{{{wsse.SOAP_ENV}}}Body")[0]
        operation = etree.QName(call).localname.removesuffix("Request")
        if not message_id:
            return 500, wsse.fault("MessageID header required", "soap:Client")
        if client != CLIENT_ENTITY_ID:
            return 200, _sync_error_envelope(f"{operation}Response", [("NO_RMIS", "unknown clientEntityId")])
        if operation == "searchRegistryItem":
            self.calls.append((operation, ""))
            return 200, self._search(call)
        if operation != "registerDocument" or not reply_to:
            return 500, wsse.fault("registerDocument needs ReplyTo", "soap:Client")
        local_uid = call.findtext(f"{{{S}}}localUid")
        request = {
            "message_id": message_id,
            "reply_to": reply_to,
            "local_uid": local_uid,
            "checksum": call.findtext(f"{{{S}}}checksum"),
            "transport": "soap",
        }
        return self._register(request)

    def _register(self, request):
        """The registration rules common to SOAP and REST; returns (HTTP status, envelope or dict)."""
        local_uid = request["local_uid"]
        plan = self.plans.get(local_uid, Plan())
        attempt = self.seen[local_uid] = self.seen.get(local_uid, 0) + 1
        self.calls.append(("registerDocument", local_uid))
        if attempt <= plan.http_errors:
            return 503, None
        if attempt <= plan.http_errors + plan.faults:
            return 500, wsse.fault("Service temporarily unavailable")
        if local_uid in self.registry or any(p["local_uid"] == local_uid for p in self.pending):
            return 200, _sync_error_envelope("registerDocumentResponse", [("NOT_UNIQUE_PROVIDED_ID", local_uid)])
        if plan.sync_errors:
            return 200, _sync_error_envelope("registerDocumentResponse", [(code, "") for code in plan.sync_errors])
        self.pending.append(request)
        answer = _envelope(_element(S, "registerDocumentResponse", status="success"))
        if attempt <= plan.http_errors + plan.faults + plan.hangs:
            return -200, answer
        return 200, answer

    def _search(self, call):
        organization = call.findtext(f"{{{S}}}organization")
        answer = _element(S, "searchRegistryItemResponse", status="success")
        matches = etree.SubElement(answer, f"{{{S}}}matches")
        for item in self.registry.values():
            if item["organization"] == organization or not item["organization"]:
                match = etree.SubElement(matches, f"{{{S}}}item")
                for name in ("emdrId", "localUid", "registrationDateTime", "storeTillDate"):
                    etree.SubElement(match, f"{{{S}}}{name}").text = item[name]
        return _envelope(answer)

    # --------------------------------------------------------------- REST platform

    def rest(self, path, headers, raw):
        if headers.get("Authorization") != f"Bearer {PLATFORM_TOKEN}":
            return 401, {"status": "error", "errors": [{"code": "UNAUTHORIZED", "message": "bad token"}]}
        data = json.loads(raw)
        if path.endswith("/searchRegistryItem"):
            self.calls.append(("searchRegistryItem", ""))
            return 200, {"status": "success", "matches": list(self.registry.values())}
        request = {
            "message_id": data["messageId"],
            "reply_to": data["callbackUrl"],
            "local_uid": data["localUid"],
            "checksum": data["checksum"],
            "file": base64.b64decode(data["file"]),
            "transport": "platform",
        }
        status, envelope = self._register(request)
        if status == 503 or status == 500:
            return status, {"status": "error", "errors": [{"code": "RUNTIME_ERROR", "message": "unavailable"}]}
        body = envelope.find(f"{{{wsse.SOAP_ENV}}}Body")[0]
        errors = [
            {"code": item.findtext(f"{{{S}}}code"), "message": item.findtext(f"{{{S}}}message") or ""}
            for item in body.iter(f"{{{S}}}item")
        ]
        return status, {"status": body.findtext(f"{{{S}}}status"), "errors": errors}

    # --------------------------------------------------------------- asynchronous part, run by the test

    def deliver(self):
        """Process every pending registration: fetch the file, check it, answer to ReplyTo."""
        with self.lock:
            pending, self.pending = self.pending, []
        for request in pending:
            plan = self.plans.get(request["local_uid"], Plan())
            if request["transport"] == "platform":
                data, error = request["file"], None
            else:
                data, error = self._fetch_file(request)
            if not error:
                self.files[request["local_uid"]] = data
            if error:
                errors = [("MIS_NOT_AVAILABLE", error)]
            elif str(zlib.crc32(data)) != request["checksum"]:
                errors = [("GET_DOCUMENT_FILE_ERROR", "checksum mismatch")]
            else:
                errors = [(code, f"fake REMD: {code}") for code in plan.reject]
            item = None
            if not errors:
                item = self._registered(request)
            for _copy in range(plan.callbacks):
                self._send_result(request, item, errors)

    def _registered(self, request):
        local_uid = request["local_uid"]
        self.registrations[local_uid] = self.registrations.get(local_uid, 0) + 1
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        item = {
            "emdrId": f"16.62.23.09.{len(self.registry) + 1:09d}",
            "localUid": local_uid,
            "registrationDateTime": now.isoformat(),
            "storeTillDate": (now.date() + datetime.timedelta(days=365 * 25)).isoformat(),
            "organization": "",
        }
        self.registry[local_uid] = item
        return item

    def _fetch_file(self, request):
        call = _element(CB, "getDocumentFile", localUid=request["local_uid"])
        headers = wsse.addressing_headers("getDocumentFile", request["reply_to"])
        try:
            response = self._post_signed(request["reply_to"], call, headers)
        except requests.RequestException as exc:
            return None, str(exc)
        self.file_requests.append((request["local_uid"], response.status_code))
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        root = etree.fromstring(response.content)
        return base64.b64decode(root.findtext(f".//{{{CB}}}data")), None

    def _send_result(self, request, item, errors):
        if request["transport"] == "platform":
            body = {"relatesToMessage": request["message_id"], "status": "error" if errors else "success"}
            if item:
                body["registryItem"] = {k: v for k, v in item.items() if k != "organization"}
            body["errors"] = [{"code": code, "message": message} for code, message in errors]
            raw = json.dumps(body).encode()
            signature = hmac.new(PLATFORM_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            response = requests.post(
                request["reply_to"],
                data=raw,
                headers={"Content-Type": "application/json", "X-Signature": signature},
                timeout=30,
            )
        else:
            call = _element(
                CB,
                "registerDocumentResult",
                relatesToMessage=request["message_id"],
                status="error" if errors else "success",
                localUid=request["local_uid"],
            )
            if item:
                registry_item = etree.SubElement(call, f"{{{CB}}}registryItem")
                for name in ("emdrId", "registrationDateTime", "storeTillDate"):
                    etree.SubElement(registry_item, f"{{{CB}}}{name}").text = item[name]
            if errors:
                items = etree.SubElement(call, f"{{{CB}}}errors")
                for code, message in errors:
                    error = etree.SubElement(items, f"{{{CB}}}item")
                    etree.SubElement(error, f"{{{CB}}}code").text = code
                    etree.SubElement(error, f"{{{CB}}}message").text = message
            headers = wsse.addressing_headers(
                "registerDocumentResult", request["reply_to"], relates_to=request["message_id"]
            )
            response = self._post_signed(request["reply_to"], call, headers)
        self.results.append((request["message_id"], "error" if errors else "success", response.status_code))

    def _post_signed(self, url, call, headers, key=None):
        root = wsse.envelope([call], headers)
        wsse.sign_envelope(root, key or self.key, self.certificate)
        return requests.post(
            url, data=wsse.to_bytes(root), headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30
        )

    def forged_result(self, url, message_id):
        """A registerDocumentResult signed by someone else's key: must be refused."""
        other_key, _other_cert = make_certificate("Intruder")
        call = _element(CB, "registerDocumentResult", relatesToMessage=message_id, status="success")
        registry_item = etree.SubElement(call, f"{{{CB}}}registryItem")
        etree.SubElement(registry_item, f"{{{CB}}}emdrId").text = "FORGED"
        headers = wsse.addressing_headers("registerDocumentResult", url, relates_to=message_id)
        return self._post_signed(url, call, headers, key=other_key)


def _element(ns, name, **children):
    element = etree.Element(f"{{{ns}}}{name}", nsmap={None: ns})
    for child, text in children.items():
        etree.SubElement(element, f"{{{ns}}}{child}").text = text
    return element


def _envelope(call):
    headers = wsse.addressing_headers("response", "", relates_to=f"urn:uuid:{uuid.uuid4()}")
    return wsse.envelope([call], headers)


def _sync_error_envelope(name, errors):
    answer = _element(S, name, status="error")
    items = etree.SubElement(answer, f"{{{S}}}errors")
    for code, message in errors:
        item = etree.SubElement(items, f"{{{S}}}item")
        etree.SubElement(item, f"{{{S}}}code").text = code
        etree.SubElement(item, f"{{{S}}}message").text = message
    return _envelope(answer)


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/remd") and self.path.endswith("?wsdl"):
                self._send(200, fake.wsdl_template.replace("{ADDRESS}", f"{fake.url}/remd").encode(), "text/xml")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with fake.lock:
                if self.path.startswith("/platform/"):
                    status, answer = fake.rest(self.path, self.headers, raw)
                    content, ctype = json.dumps(answer).encode(), "application/json"
                elif self.path == "/remd":
                    status, answer = fake.soap(raw)
                    content = wsse.to_bytes(answer) if answer is not None else b"Service Unavailable"
                    ctype = "text/xml; charset=utf-8" if answer is not None else "text/plain"
                else:
                    status, content, ctype = 404, b"not found", "text/plain"
            if status < 0:  # accepted, but the answer comes after the client's timeout
                time.sleep(HANG_SECONDS)
                status = -status
            self._send(status, content, ctype)

        def _send(self, status, content, ctype):
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError) as exc:
                _logger.info("fake REMD: the client gave up before the answer (%s)", exc)

        def log_message(self, *args):
            pass

    return Handler
