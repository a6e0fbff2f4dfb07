"""WS-Security for the REMD exchanges: XMLDSig over the SOAP Body, exc-c14n, X.509 BinarySecurityToken.

Signing and verification go through xmlsec (via zeep's WS-Security helpers); the keys are PEM text from
the clinic's settings. RSA-SHA256 here; a GOST R 34.10-2012 transform needs an xmlsec1 built with GOST.
"""

import uuid

import xmlsec
from lxml import etree
from zeep.exceptions import SignatureVerificationFailed
from zeep.wsse import signature as zeep_signature
from zeep.wsse.utils import get_security_header

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
EGISZ = "http://egisz.rosminzdrav.ru"
SERVICE_NS = "http://egisz.rosminzdrav.ru/iehr/emdr/service/"
CALLBACK_NS = "http://egisz.rosminzdrav.ru/iehr/emdr/callback/"


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


def sign_envelope(envelope, key_pem, cert_pem):
    """Sign an lxml SOAP envelope in place."""
    get_security_header(envelope)
    BinaryMemorySignature(_bytes(key_pem), _bytes(cert_pem)).apply(envelope, {})
    return envelope


def verify_envelope(envelope, cert_pem):
    """Raise SignatureVerificationFailed unless ``cert_pem``'s key signed this envelope's Body.

    The Body actually read must be the one referenced (no signature wrapping).
    """
    if not cert_pem:
        raise SignatureVerificationFailed()
    try:
        key = xmlsec.Key.from_memory(_bytes(cert_pem), xmlsec.KeyFormat.CERT_PEM, None)
        zeep_signature._verify_envelope_with_key(envelope, key)
    except (xmlsec.Error, AttributeError, IndexError, TypeError) as exc:
        raise SignatureVerificationFailed() from exc
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    body_id = body.get(f"{{{WSU}}}Id") if body is not None else None
    refs = envelope.xpath(
        "//ds:Signature/ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": "http://www.w3.org/2000/09/xmldsig#"}
    )
    if not body_id or f"#{body_id}" not in refs or len(envelope.xpath(f"//*[@*[local-name()='Id']='{body_id}']")) != 1:
        raise SignatureVerificationFailed()
    return envelope


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
