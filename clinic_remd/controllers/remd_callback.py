import base64
import hmac
import json
import logging

from lxml import etree
from zeep.exceptions import SignatureVerificationFailed

from odoo import http
from odoo.http import request

from ..transports import wsse
from ..transports.platform_rest import sign_body

_logger = logging.getLogger(__name__)

REGISTRY_ITEM_FIELDS = ("emdrId", "registrationDateTime", "storeTillDate")


class RemdCallback(http.Controller):
    """REMD's calls to the clinic: getDocumentFile and registerDocumentResult (SOAP), the platform's results (JSON).

    Public routes, authenticated the way REMD does it: the caller's address (when the settings list
    them) and a WS-Security signature by REMD's certificate from the settings; the platform signs
    its JSON with the shared secret. Anything else is refused before a record is looked at.
    """

    @http.route("/clinic_remd/soap", type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def soap(self, **_params):
        companies = request.env["res.company"].sudo().search([("remd_server_certificate", "!=", False)])
        raw = request.httprequest.get_data()
        address = request.httprequest.remote_addr
        allowed = {ip.strip() for c in companies for ip in (c.remd_allowed_ips or "").split(",") if ip.strip()}
        if allowed and address not in allowed:
            _logger.warning("clinic_remd: refused a call from %s (not a REMD address)", address)
            return self._answer(wsse.fault("Forbidden", "soap:Client"), 403)
        try:
            root = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return self._answer(wsse.fault("Not XML", "soap:Client"), 400)
        if not any(self._verified(root, company.remd_server_certificate) for company in companies):
            _logger.warning("clinic_remd: refused an unsigned or forged call from %s", address)
            return self._answer(wsse.fault("WS-Security signature not verified", "soap:Client"), 403)
        try:
            wsse.check_timestamp(root)
        except ValueError as exc:
            _logger.warning("clinic_remd: refused a call from %s: %s", address, exc)
            return self._answer(wsse.fault(f"WS-Security timestamp refused: {exc}", "soap:Client"), 403)
        body = root.find(f"{{{wsse.SOAP_ENV}}}Body")
        calls = _elements(body) if body is not None else []
        call = calls[0] if calls else None
        operation = etree.QName(call).localname.removesuffix("Request") if call is not None else ""
        values = {etree.QName(child).localname: child for child in _elements(call)}
        Exchange = request.env["clinic.remd.exchange"].sudo()
        incoming = {
            "operation": operation,
            "message_id": wsse.header_value(root, "MessageID"),
            "relates_to": wsse.header_value(root, "RelatesTo"),
            "url": request.httprequest.path,
            "request": raw.decode(errors="replace"),
            "transport": "soap",
        }
        if operation == "getDocumentFile":
            return self._document_file(Exchange, incoming, _text(values.get("localUid")))
        if operation == "registerDocumentResult":
            # only the signed Body says which message this answers: the WS-Addressing headers are not signed
            relates = _text(values.get("relatesToMessage"))
            if not relates:
                Exchange._log(None, "in", outcome="no relatesToMessage", **incoming)
                return self._answer(wsse.fault("relatesToMessage: required in the Body", "soap:Client"), 400)
            incoming["relates_to"] = relates
            item = {etree.QName(c).localname: (c.text or "").strip() for c in _elements(values.get("registryItem"))}
            errors = [
                (_text(e.find(f"{{{wsse.CALLBACK_NS}}}code")), _text(e.find(f"{{{wsse.CALLBACK_NS}}}message")))
                for e in _elements(values.get("errors"))
            ]
            result = {"status": _text(values.get("status")), "errors": errors, **item}
            return self._result(Exchange, incoming, relates, result)
        Exchange._log(None, "in", outcome="unknown operation", **incoming)
        return self._answer(wsse.fault(f"Unknown operation {operation}", "soap:Client"), 400)

    @http.route(
        "/clinic_remd/platform/result", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def platform_result(self, **_params):
        raw = request.httprequest.get_data()
        signature = request.httprequest.headers.get("X-Signature", "").encode()
        companies = request.env["res.company"].sudo().search([("remd_platform_secret", "!=", False)])
        if not any(hmac.compare_digest(sign_body(c.remd_platform_secret, raw).encode(), signature) for c in companies):
            _logger.warning(
                "clinic_remd: refused an unsigned platform callback from %s", request.httprequest.remote_addr
            )
            return request.make_json_response({"status": "error", "message": "forbidden"}, status=403)
        try:
            relates, result = _platform_result(raw)
        except ValueError as exc:
            return request.make_json_response({"status": "error", "message": str(exc)}, status=400)
        incoming = {
            "operation": "registerDocumentResult",
            "relates_to": relates,
            "url": request.httprequest.path,
            "request": raw.decode(errors="replace"),
            "transport": "platform",
        }
        Exchange = request.env["clinic.remd.exchange"].sudo()
        document = request.env["clinic.semd.document"].sudo()._remd_document_of_message(relates)
        outcome = request.env["clinic.semd.document"].sudo()._remd_apply_result(relates, result)
        Exchange._log(document, "in", outcome=outcome, **incoming)
        return request.make_json_response({"status": "success"})

    # ------------------------------------------------------------------ helpers

    def _verified(self, root, certificate):
        try:
            wsse.verify_envelope(root, certificate)
        except SignatureVerificationFailed:
            return False
        return True

    def _document_file(self, Exchange, incoming, local_uid):
        Document = request.env["clinic.semd.document"].sudo()
        document = Document.search(
            [("local_uid", "=", local_uid), ("state", "in", ("sending", "sent", "registered", "error"))], limit=1
        )
        if not local_uid or not document:
            Exchange._log(None, "in", outcome="unknown document", **incoming)
            return self._answer(wsse.fault(f"Unknown document {local_uid}", "soap:Client"), 404)
        try:
            data = document._remd_file_bytes()
        except Exception as exc:  # noqa: BLE001 -- whatever broke, REMD gets a fault and retries
            _logger.warning("clinic_remd: file of %s not served: %s", local_uid, exc)
            Exchange._log(document, "in", outcome="failed", error=str(exc), **incoming)
            return self._answer(wsse.fault("The document's file is not available"), 500)
        answer = etree.Element(f"{{{wsse.CALLBACK_NS}}}getDocumentFileResponse", nsmap={"cb": wsse.CALLBACK_NS})
        etree.SubElement(answer, f"{{{wsse.CALLBACK_NS}}}localUid").text = local_uid
        etree.SubElement(answer, f"{{{wsse.CALLBACK_NS}}}mimeType").text = "text/xml"
        etree.SubElement(answer, f"{{{wsse.CALLBACK_NS}}}data").text = base64.b64encode(data).decode()
        envelope = self._signed(answer, document.company_id, incoming)
        Exchange._log(document, "in", outcome="served", response=envelope.decode(), **incoming)
        return self._raw(envelope, 200)

    def _result(self, Exchange, incoming, relates, result):
        Document = request.env["clinic.semd.document"].sudo()
        document = Document._remd_document_of_message(relates)
        outcome = Document._remd_apply_result(relates, result, incoming["message_id"])
        answer = etree.Element(f"{{{wsse.CALLBACK_NS}}}registerDocumentResultResponse", nsmap={"cb": wsse.CALLBACK_NS})
        etree.SubElement(answer, f"{{{wsse.CALLBACK_NS}}}status").text = "success"
        envelope = self._signed(answer, document.company_id or request.env["res.company"].sudo().browse(), incoming)
        Exchange._log(document, "in", outcome=outcome, response=envelope.decode(), **incoming)
        return self._raw(envelope, 200)

    def _signed(self, answer, company, incoming):
        """Our answer, signed with the clinic's transport key when there is one."""
        headers = wsse.addressing_headers(f"{incoming['operation']}Response", "", relates_to=incoming["message_id"])
        root = wsse.envelope([answer], headers)
        company = company.sudo()[:1]
        if company.remd_transport_key and company.remd_transport_certificate:
            wsse.sign_envelope(root, company.remd_transport_key, company.remd_transport_certificate)
        return wsse.to_bytes(root)

    def _answer(self, root, status):
        return self._raw(wsse.to_bytes(root), status)

    def _raw(self, data, status):
        return request.make_response(data, headers=[("Content-Type", "text/xml; charset=utf-8")], status=status)


def _text(element):
    return (element.text or "").strip() if element is not None else ""


def _elements(parent):
    """The child elements of ``parent`` (comments and processing instructions left out); none for None."""
    return [child for child in parent if isinstance(child.tag, str)] if parent is not None else []


def _platform_result(raw):
    """``(relatesToMessage, result)`` of the platform's JSON; ValueError naming the field that is wrong."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValueError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    relates = data.get("relatesToMessage")
    if not relates or not isinstance(relates, str):
        raise ValueError("relatesToMessage: required, a string")
    item = data.get("registryItem") or {}
    if not isinstance(item, dict):
        raise ValueError("registryItem: must be an object")
    item = {key: item[key] for key in REGISTRY_ITEM_FIELDS if item.get(key) is not None}
    if not all(isinstance(value, str) for value in item.values()):
        raise ValueError(f"registryItem: {', '.join(REGISTRY_ITEM_FIELDS)} must be strings")
    errors = data.get("errors") or []
    if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
        raise ValueError("errors: must be a list of objects with code and message")
    status = data.get("status")
    if not isinstance(status, str | None):
        raise ValueError("status: must be a string")
    pairs = [(str(e.get("code") or ""), str(e.get("message") or "")) for e in errors]
    return relates, {"status": status, "errors": pairs, **item}
