"""WS-Security for the REMD exchanges: XMLDSig over the SOAP Body, exc-c14n, X.509 BinarySecurityToken.

The keys are PEM text from the clinic's settings and the certificate decides the algorithm: a GOST
R 34.10-2012 certificate signs with GOST R 34.10-2012 / 34.11-2012 (256 bit), as REMD requires, in pure
Python (the signer of the documents' CMS signatures, ``semd/signer.py``): xmlsec1 has no GOST transforms
unless built for them. Any other certificate (RSA, the test contour) signs with RSA-SHA256 through xmlsec
(zeep's WS-Security helpers). Verification follows the signature's own SignatureMethod.
"""

import base64
import uuid
from datetime import UTC, datetime

import xmlsec
from asn1crypto import pem
from lxml import etree
from zeep.exceptions import SignatureVerificationFailed
from zeep.wsse import signature as zeep_signature
from zeep.wsse.utils import get_security_header

from ..semd import signer

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
EGISZ = "http://egisz.rosminzdrav.ru"
SERVICE_NS = "http://egisz.rosminzdrav.ru/iehr/emdr/service/"
CALLBACK_NS = "http://egisz.rosminzdrav.ru/iehr/emdr/callback/"
DS = "http://www.w3.org/2000/09/xmldsig#"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
GOST_SIGNATURE = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"
GOST_DIGEST = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
BODY_ID = "body"
CLOCK_SKEW_SECONDS = 300


class BinaryMemorySignature(zeep_signature.MemorySignature):
    """zeep's BinarySignature with the key and certificate given as PEM bytes rather than file names."""

    def __init__(self, key_data, cert_data, password=None):
        super().__init__(
            key_data,
            cert_data,
            password,
            signature_method=xmlsec.Transform.RSA_SHA256,
            digest_method=xmlsec.Transform.SHA256,
        )

    def apply(self, envelope, headers):
        key = zeep_signature._make_sign_key(self.key_data, self.cert_data, self.password)
        zeep_signature._sign_envelope_with_key_binary(envelope, key, self.signature_method, self.digest_method)
        return envelope, headers

    def verify(self, envelope):
        return envelope  # answers are checked by their content; callbacks by verify_envelope()


class GostMemorySignature:
    """zeep's WS-Security plug-in for a GOST key: XMLDSig of the Body (``#body``), exc-c14n, GOST R 34.10-2012
    with Streebog-256, the certificate as a BinarySecurityToken. Key and certificate are PEM bytes."""

    def __init__(self, key_data, cert_data):
        self.key_data = key_data
        self.cert_data = cert_data

    def apply(self, envelope, headers):
        certificate = _der(self.cert_data)
        gost = signer.GostSigner(certificate, signer.gost_private_key_from_pem(self.key_data))
        security = get_security_header(envelope)
        body = _body(envelope)
        body_id = body.get(f"{{{WSU}}}Id") or BODY_ID
        body.set(f"{{{WSU}}}Id", body_id)
        token_id = f"X509-{uuid.uuid4()}"
        token = etree.SubElement(
            security,
            f"{{{WSSE}}}BinarySecurityToken",
            {"EncodingType": BASE64_BINARY, "ValueType": X509_TOKEN, f"{{{WSU}}}Id": token_id},
        )
        token.text = base64.b64encode(certificate).decode()
        signature = etree.SubElement(security, f"{{{DS}}}Signature", nsmap={"ds": DS})
        signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
        etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
        etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=GOST_SIGNATURE)
        reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", URI=f"#{body_id}")
        transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=EXC_C14N)
        etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=GOST_DIGEST)
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = _b64(gost.digest(_c14n(body)))
        etree.SubElement(signature, f"{{{DS}}}SignatureValue").text = _b64(gost.sign_bytes(_c14n(signed_info)))
        token_reference = etree.SubElement(
            etree.SubElement(signature, f"{{{DS}}}KeyInfo"), f"{{{WSSE}}}SecurityTokenReference"
        )
        etree.SubElement(token_reference, f"{{{WSSE}}}Reference", URI=f"#{token_id}", ValueType=X509_TOKEN)
        return envelope, headers

    def verify(self, envelope):
        return envelope  # answers are checked by their content; callbacks by verify_envelope()


def envelope_signature(key_pem, cert_pem):
    """The WS-Security plug-in of a transport key: GOST for a GOST certificate, RSA-SHA256 otherwise."""
    is_gost = signer.is_gost_certificate(_der(cert_pem))
    return (GostMemorySignature if is_gost else BinaryMemorySignature)(_bytes(key_pem), _bytes(cert_pem))


def sign_envelope(envelope, key_pem, cert_pem):
    """Sign an lxml SOAP envelope in place."""
    get_security_header(envelope)
    envelope_signature(key_pem, cert_pem).apply(envelope, {})
    return envelope


def verify_envelope(envelope, cert_pem):
    """Raise SignatureVerificationFailed unless ``cert_pem``'s key signed this envelope's Body.

    The Body actually read must be the one referenced (no signature wrapping). Whatever the sender
    wrote in the signature (odd URIs, missing parts) ends here as a failed verification, never a crash.
    """
    if not cert_pem:
        raise SignatureVerificationFailed()
    methods = envelope.xpath("//ds:Signature/ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces={"ds": DS})
    try:
        if methods == [GOST_SIGNATURE]:
            _verify_gost(envelope, _der(cert_pem))
        else:
            key = xmlsec.Key.from_memory(_bytes(cert_pem), xmlsec.KeyFormat.CERT_PEM, None)
            zeep_signature._verify_envelope_with_key(envelope, key)
    except (
        xmlsec.Error,
        signer.SignatureError,
        etree.LxmlError,
        ValueError,
        AttributeError,
        IndexError,
        KeyError,
        TypeError,
    ) as exc:
        raise SignatureVerificationFailed() from exc
    if not _signed_once(envelope, envelope.find(f"{{{SOAP_ENV}}}Body")):
        raise SignatureVerificationFailed()
    return envelope


def check_timestamp(envelope, now=None):
    """Raise ValueError when the envelope carries a wsu:Timestamp that is unreadable, expired or from the future.

    REMD's contract signs the Body only and needs no Timestamp; when one is there it bounds how long the
    message may be replayed. When the signature covers it (the RSA contour signs it), it cannot be moved on.
    """
    timestamp = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSU}}}Timestamp")
    if timestamp is None:
        return
    now = now or datetime.now(UTC)
    expires = _utc(timestamp.findtext(f"{{{WSU}}}Expires"))
    created = _utc(timestamp.findtext(f"{{{WSU}}}Created"))
    if expires is not None and expires <= now:
        raise ValueError(f"the message expired at {expires.isoformat()}")
    if created is not None and (created - now).total_seconds() > CLOCK_SKEW_SECONDS:
        raise ValueError(f"the message is dated in the future ({created.isoformat()})")


def _signed_once(envelope, element):
    """``element`` has a wsu:Id referenced by the signature, and no other element has that id."""
    element_id = element.get(f"{{{WSU}}}Id") if element is not None else None
    refs = envelope.xpath("//ds:Signature/ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": DS})
    return bool(
        element_id
        and f"#{element_id}" in refs
        and len(envelope.xpath("//*[@*[local-name()='Id']=$id]", id=element_id)) == 1
    )


def _utc(text):
    """An xsd:dateTime as an aware UTC datetime (naive ones taken as UTC); None when absent."""
    if not text:
        return None
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def addressing_headers(action, to, message_id=None, relates_to=None, reply_to=None, client_entity_id=None):
    """WS-Addressing 2005/08 headers and the EGISZ transport header, as lxml elements."""
    headers = []
    if client_entity_id:
        transport = etree.Element(f"{{{EGISZ}}}transportHeader", nsmap={"egisz": EGISZ})
        auth = etree.SubElement(transport, f"{{{EGISZ}}}authInfo")
        etree.SubElement(auth, f"{{{EGISZ}}}clientEntityId").text = client_entity_id
        headers.append(transport)
    values = [("Action", action), ("MessageID", message_id or new_message_id()), ("To", to)]
    if relates_to:
        values.append(("RelatesTo", relates_to))
    for name, value in values:
        element = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
        element.text = value
        headers.append(element)
    if reply_to:
        element = etree.Element(f"{{{WSA}}}ReplyTo", nsmap={"wsa": WSA})
        etree.SubElement(element, f"{{{WSA}}}Address").text = reply_to
        headers.append(element)
        fault_to = etree.Element(f"{{{WSA}}}FaultTo", nsmap={"wsa": WSA})
        etree.SubElement(fault_to, f"{{{WSA}}}Address").text = f"{WSA}/anonymous"
        headers.append(fault_to)
    return headers


def envelope(body_children, headers=()):
    """A SOAP 1.1 envelope with the given header and body elements."""
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    header = etree.SubElement(root, f"{{{SOAP_ENV}}}Header")
    for element in headers:
        header.append(element)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    for element in body_children:
        body.append(element)
    return root


def fault(message, code="soap:Server"):
    element = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(element, "faultcode").text = code
    etree.SubElement(element, "faultstring").text = message
    return envelope([element])


def header_value(root, name):
    """Text of a WS-Addressing header (``ReplyTo`` gives its Address)."""
    element = root.find(f"{{{SOAP_ENV}}}Header/{{{WSA}}}{name}")
    if element is None:
        return ""
    if name == "ReplyTo":
        element = element.find(f"{{{WSA}}}Address")
    return (element.text or "").strip() if element is not None else ""


def new_message_id():
    return f"urn:uuid:{uuid.uuid4()}"


def to_bytes(root):
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _bytes(value):
    return value.encode() if isinstance(value, str) else value


def _der(cert_pem):
    """DER bytes of a PEM certificate."""
    _kind, _headers, der = pem.unarmor(_bytes(cert_pem).strip())
    return der


def _b64(data):
    return base64.b64encode(data).decode()


def _c14n(element):
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _body(envelope):
    """The Body of a SOAP 1.1 or 1.2 envelope."""
    body = next((child for child in envelope if etree.QName(child).localname == "Body"), None)
    if body is None:
        raise signer.SignatureError("the envelope has no Body")
    return body


def _verify_gost(envelope, certificate):
    """Check the one GOST signature of the envelope: one reference, to the Body, exc-c14n, GOST digest and key."""
    ns = {"ds": DS}
    (signature,) = envelope.xpath("//ds:Signature", namespaces=ns)
    signed_info = signature.find("ds:SignedInfo", ns)
    (reference,) = signed_info.findall("ds:Reference", ns)
    transforms = reference.xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=ns)
    if (
        signed_info.find("ds:CanonicalizationMethod", ns).get("Algorithm") != EXC_C14N
        or reference.find("ds:DigestMethod", ns).get("Algorithm") != GOST_DIGEST
        or set(transforms) - {EXC_C14N}
    ):
        raise signer.SignatureError("unexpected canonicalization, digest or transform")
    body = _body(envelope)
    if reference.get("URI") != f"#{body.get(f'{{{WSU}}}Id')}":
        raise signer.SignatureError("the signature does not cover the Body")
    gost = signer.GostSigner(certificate)
    if gost.digest(_c14n(body)) != base64.b64decode(reference.findtext("ds:DigestValue", namespaces=ns)):
        raise signer.SignatureError("the Body differs from the signed one")
    gost.verify_bytes(_c14n(signed_info), base64.b64decode(signature.findtext("ds:SignatureValue", namespaces=ns)))
