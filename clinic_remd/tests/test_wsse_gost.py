import requests
from lxml import etree

from odoo.tests import tagged

from ..transports import wsse
from .fake_remd import CLIENT_ENTITY_ID, make_certificate, make_gost_certificate
from .remd_common import RemdCase

DS = {"ds": wsse.DS}


@tagged("post_install", "-at_install")
class TestGostEnvelope(RemdCase):
    """A clinic with a GOST transport certificate signs its SOAP messages with GOST R 34.10-2012 (XMLDSig,
    exc-c14n, Reference #body); the fake REMD verifies them and refuses a tampered Body. REMD signs its own
    calls with GOST too: the clinic's callback verifies them by REMD's GOST certificate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gost_key, cls.gost_cert = make_gost_certificate("Клиника «Здоровье+», ГОСТ")
        cls.fake.key, cls.fake.certificate = make_gost_certificate("Fake REMD, ГОСТ")
        cls.company.write(
            {
                "remd_transport_key": cls.gost_key,
                "remd_transport_certificate": cls.gost_cert,
                "remd_server_certificate": cls.fake.certificate,
            }
        )

    def setUp(self):
        super().setUp()
        self.patch(self.fake, "clinic_certificate", self.gost_cert)

    def signed_request(self, key=None, cert=None):
        call = etree.Element(f"{{{wsse.SERVICE_NS}}}registerDocumentRequest", nsmap={None: wsse.SERVICE_NS})
        etree.SubElement(call, f"{{{wsse.SERVICE_NS}}}localUid").text = "8c0e2d4a-1111-4a7e-9d55-000000000001"
        headers = wsse.addressing_headers(
            "registerDocument",
            f"{self.fake.url}/remd",
            reply_to=f"{self.base_url()}/clinic_remd/soap",
            client_entity_id=CLIENT_ENTITY_ID,
        )
        return wsse.sign_envelope(wsse.envelope([call], headers), key or self.gost_key, cert or self.gost_cert)

    def post(self, root):
        response = requests.post(
            f"{self.fake.url}/remd", data=wsse.to_bytes(root), headers={"Content-Type": "text/xml"}, timeout=10
        )
        return etree.fromstring(response.content)

    def error_codes(self, answer):
        return answer.xpath("//s:errors/s:item/s:code/text()", namespaces={"s": wsse.SERVICE_NS})

    def test_registration_signed_with_gost(self):
        document = self.signed_document()
        self.assertEqual(self.send(document), ["sent"])
        self.assertEqual(self.fake.calls, [("registerDocument", document.local_uid)])
        request = etree.fromstring(self.exchanges(document, direction="out").request.encode())
        self.assertEqual(
            request.xpath("//ds:SignatureMethod/@Algorithm", namespaces=DS),
            ["urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"],
        )
        self.assertEqual(
            request.xpath("//ds:DigestMethod/@Algorithm", namespaces=DS),
            ["urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"],
        )
        self.assertEqual(
            request.xpath("//ds:CanonicalizationMethod/@Algorithm", namespaces=DS),
            ["http://www.w3.org/2001/10/xml-exc-c14n#"],
        )
        self.assertEqual(request.xpath("//ds:Reference/@URI", namespaces=DS), ["#body"])
        self.fake.deliver()  # getDocumentFile and the result, both signed with REMD's GOST key
        self.assertEqual(self.fake.file_requests, [(document.local_uid, 200)])
        document.invalidate_recordset()
        self.assertEqual(document.state, "registered")

    def test_tampered_or_foreign_body_is_refused(self):
        self.assertEqual(self.error_codes(self.post(self.signed_request())), [], "the untouched request is accepted")
        tampered = self.signed_request()
        tampered.find(f".//{{{wsse.SERVICE_NS}}}localUid").text = "8c0e2d4a-1111-4a7e-9d55-000000000002"
        self.assertEqual(self.error_codes(self.post(tampered)), ["SIGNATURE_VERIFICATION_ERROR"])
        other_key, _other_cert = make_gost_certificate("Чужая клиника")
        self.assertEqual(
            self.error_codes(self.post(self.signed_request(key=other_key))), ["SIGNATURE_VERIFICATION_ERROR"]
        )
        rsa_key, rsa_cert = make_certificate("Клиника с ключом RSA")
        rsa_signed = self.signed_request(key=rsa_key, cert=rsa_cert)
        self.assertEqual(self.error_codes(self.post(rsa_signed)), ["SIGNATURE_VERIFICATION_ERROR"])
