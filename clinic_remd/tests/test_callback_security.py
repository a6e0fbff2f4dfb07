import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from lxml import etree
from zeep.wsse.utils import get_security_header

from odoo.tests import tagged

from ..transports import wsse
from .fake_remd import PLATFORM_SECRET
from .remd_common import RemdCase

CB = wsse.CALLBACK_NS
SOAP = "/clinic_remd/soap"
PLATFORM = "/clinic_remd/platform/result"
RSA = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
FORGED_SIGNATURE = f"""<soap:Envelope xmlns:soap="{wsse.SOAP_ENV}" xmlns:wsse="{wsse.WSSE}" xmlns:wsu="{wsse.WSU}"
 xmlns:ds="{wsse.DS}"><soap:Header><wsse:Security><ds:Signature><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="{wsse.EXC_C14N}"/><ds:SignatureMethod Algorithm="{{alg}}"/>
<ds:Reference URI="{{uri}}"><ds:Transforms><ds:Transform Algorithm="{wsse.EXC_C14N}"/></ds:Transforms>
<ds:DigestMethod Algorithm="{{digest}}"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>
<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></wsse:Security></soap:Header>{{body}}</soap:Envelope>"""
BODY = (
    f'<soap:Body wsu:Id="body"><cb:getDocumentFileRequest xmlns:cb="{CB}"><cb:localUid>x</cb:localUid>'
    "</cb:getDocumentFileRequest></soap:Body>"
)


@tagged("post_install", "-at_install")
class TestCallbackSecurity(RemdCase):
    """REMD's callbacks as an attacker would send them: matched only by what REMD signed, applied once, no 500."""

    def result_envelope(self, relates_header, relates_body=None, status="success", errors=(), timestamp=None):
        """A registerDocumentResult signed with the fake REMD's key (the one in the clinic's settings)."""
        call = etree.Element(f"{{{CB}}}registerDocumentResultRequest", nsmap={"cb": CB})
        if relates_body:
            etree.SubElement(call, f"{{{CB}}}relatesToMessage").text = relates_body
        etree.SubElement(call, f"{{{CB}}}status").text = status
        if status == "success":
            item = etree.SubElement(call, f"{{{CB}}}registryItem")
            etree.SubElement(item, f"{{{CB}}}emdrId").text = "16.62.23.09.000000777"
        if errors:
            items = etree.SubElement(call, f"{{{CB}}}errors")
            for code in errors:
                error = etree.SubElement(items, f"{{{CB}}}item")
                etree.SubElement(error, f"{{{CB}}}code").text = code
                etree.SubElement(error, f"{{{CB}}}message").text = code
        headers = wsse.addressing_headers("registerDocumentResult", "", relates_to=relates_header)
        root = wsse.envelope([call], headers)
        if timestamp:
            created, expires = timestamp
            stamp = etree.SubElement(get_security_header(root), f"{{{wsse.WSU}}}Timestamp")
            stamp.set(f"{{{wsse.WSU}}}Id", "TS-1")
            etree.SubElement(stamp, f"{{{wsse.WSU}}}Created").text = created.strftime("%Y-%m-%dT%H:%M:%SZ")
            etree.SubElement(stamp, f"{{{wsse.WSU}}}Expires").text = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        wsse.sign_envelope(root, self.fake.key, self.fake.certificate)
        return root

    def post_soap(self, data):
        if not isinstance(data, bytes):
            data = wsse.to_bytes(data)
        return self.url_open(SOAP, data=data, headers={"Content-Type": "text/xml"})

    def post_platform(self, body, signature=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signature = signature or hmac.new(PLATFORM_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        return self.url_open(PLATFORM, data=raw, headers={"Content-Type": "application/json", "X-Signature": signature})

    def test_result_is_matched_by_the_signed_body_not_by_relates_to(self):
        document_a, document_b = self.signed_document(), self.signed_document()
        self.send(document_a)
        self.send(document_b)
        # the tester's attack: A's signed answer without relatesToMessage, RelatesTo re-pointed at B after signing
        root = self.result_envelope(document_a.remd_message_id)
        root.find(f"{{{wsse.SOAP_ENV}}}Header/{{{wsse.WSA}}}RelatesTo").text = document_b.remd_message_id
        response = self.post_soap(root)
        self.assertEqual(response.status_code, 400)
        self.assertIn(b"relatesToMessage: required", response.content)
        self.assertIn(b"Fault", response.content)
        # the same with relatesToMessage in the Body: the Body decides, the header is only logged
        root = self.result_envelope(document_a.remd_message_id, relates_body=document_a.remd_message_id)
        root.find(f"{{{wsse.SOAP_ENV}}}Header/{{{wsse.WSA}}}RelatesTo").text = document_b.remd_message_id
        self.assertEqual(self.post_soap(root).status_code, 200)
        document_a.invalidate_recordset()
        document_b.invalidate_recordset()
        self.assertEqual((document_a.state, document_a.remd_registry_number), ("registered", "16.62.23.09.000000777"))
        self.assertEqual((document_b.state, document_b.remd_registry_number), ("sent", False))

    def test_replayed_result_is_applied_once(self):
        document = self.signed_document()
        self.send(document)
        first = document.remd_message_id
        signed = wsse.to_bytes(
            self.result_envelope(first, relates_body=first, status="error", errors=["RUNTIME_ERROR"])
        )
        self.assertEqual(self.post_soap(signed).status_code, 200)
        self.assertEqual(document.state, "sending")
        self.run_jobs(advance=True)  # sent again: REMD now waits with it
        document.invalidate_recordset()
        self.assertEqual(document.state, "sent")
        attempts = document.remd_attempts
        # the same signed envelope again, and once more with another (unsigned) MessageID: nothing changes
        replayed = etree.fromstring(signed)
        replayed.find(f"{{{wsse.SOAP_ENV}}}Header/{{{wsse.WSA}}}MessageID").text = wsse.new_message_id()
        for data in (signed, wsse.to_bytes(replayed)):
            response = self.post_soap(data)
            self.assertEqual(response.status_code, 200, "a duplicate delivery is answered OK")
            self.assertIn(b"success", response.content)
        document.invalidate_recordset()
        self.assertEqual((document.state, document.remd_attempts), ("sent", attempts))
        outcomes = self.exchanges(document, operation="registerDocumentResult").mapped("outcome")
        self.assertEqual(outcomes, ["retry", "duplicate", "duplicate"])
        self.assertEqual(self.env["clinic.remd.result"].search([("relates_to", "=", first)]).document_id, document)

    def test_expired_timestamp_is_refused(self):
        document = self.signed_document()
        self.send(document)
        message = document.remd_message_id
        now = datetime.now(UTC).replace(tzinfo=None)
        expired = self.result_envelope(
            message, message, timestamp=(now - timedelta(hours=1), now - timedelta(minutes=55))
        )
        response = self.post_soap(expired)
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"timestamp refused: the message expired", response.content)
        future = self.result_envelope(message, message, timestamp=(now + timedelta(hours=1), now + timedelta(hours=2)))
        response = self.post_soap(future)
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"timestamp refused: the message is dated in the future", response.content)
        # a fresh one whose Expires is moved on after signing: the signature no longer verifies
        fresh = self.result_envelope(message, message, timestamp=(now, now + timedelta(minutes=5)))
        fresh.find(f".//{{{wsse.WSU}}}Expires").text = "2099-01-01T00:00:00Z"
        self.assertEqual(self.post_soap(fresh).status_code, 403)
        document.invalidate_recordset()
        self.assertEqual(document.state, "sent")
        fresh = self.result_envelope(message, message, timestamp=(now, now + timedelta(minutes=5)))
        self.assertEqual(self.post_soap(fresh).status_code, 200)
        document.invalidate_recordset()
        self.assertEqual(document.state, "registered")

    def test_malformed_signatures_are_refused_with_a_fault(self):
        gost_digest = wsse.GOST_DIGEST
        cases = {
            "quote in the Reference URI": {"alg": RSA, "uri": "#a'b", "digest": SHA256, "body": BODY},
            "forged RSA": {"alg": RSA, "uri": "#body", "digest": SHA256, "body": BODY},
            "GOST without a Body": {"alg": wsse.GOST_SIGNATURE, "uri": "#body", "digest": gost_digest, "body": ""},
            "forged GOST": {"alg": wsse.GOST_SIGNATURE, "uri": "#body", "digest": gost_digest, "body": BODY},
            "no Reference URI": {"alg": RSA, "uri": "", "digest": SHA256, "body": BODY},
        }
        for name, case in cases.items():
            with self.subTest(name):
                response = self.post_soap(FORGED_SIGNATURE.format(**case).encode())
                self.assertEqual(response.status_code, 403)
                self.assertIn(b"WS-Security signature not verified", response.content)
        self.assertFalse(self.env["clinic.remd.exchange"].search([("direction", "=", "in")]))

    def test_platform_callback_bad_input_is_a_400(self):
        document = self.signed_document()
        self.company.remd_transport = "platform"
        self.send(document)
        message = document.remd_message_id
        response = self.post_platform({"relatesToMessage": message, "status": "success"}, signature="\xc3\xa9")
        self.assertEqual(response.status_code, 403)
        cases = {
            "registryItem": {"relatesToMessage": message, "status": "success", "registryItem": [1]},
            "registryItem: emdrId": {"relatesToMessage": message, "status": "success", "registryItem": {"emdrId": 1}},
            "errors": {"relatesToMessage": message, "status": "error", "errors": [1]},
            "relatesToMessage": {"relatesToMessage": [message], "status": "success"},
            "status": {"relatesToMessage": message, "status": {"x": 1}},
            "JSON object": [1],
        }
        for field, body in cases.items():
            with self.subTest(field):
                response = self.post_platform(body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json()["message"])
        self.assertEqual(self.post_platform(b"{not json").status_code, 400)
        document.invalidate_recordset()
        self.assertEqual(document.state, "sent")
