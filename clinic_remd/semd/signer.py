"""Detached CMS (CAdES-BES shape) signatures over a SEMD's frozen bytes, behind one signer interface.

Two implementations share the CMS assembly (asn1crypto) and differ in their key algorithm:
``RsaSigner`` (RSA-2048 / SHA-256, test keys and a demo contour, ``cryptography``) and
``GostSigner`` (GOST R 34.10-2012 256-bit with Streebog-256, pure Python ``gostcrypto``, GOST OIDs).
An adapter for an external provider (CryptoPro) implements the same two methods. Keys and
certificates come from the caller (``clinic.semd.key`` records), never from this module.
"""

import datetime
import hashlib
import os

from asn1crypto import algos, cms, core, keys, pem, x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

OID_GOST_KEY = "1.2.643.7.1.1.1.1"  # GOST R 34.10-2012 256-bit public key
OID_GOST_DIGEST = "1.2.643.7.1.1.2.2"  # GOST R 34.11-2012 256-bit (Streebog)
OID_GOST_SIGNATURE = "1.2.643.7.1.1.3.2"  # GOST R 34.10-2012 256-bit with Streebog-256
OID_GOST_PARAMSET_B = "1.2.643.7.1.2.1.1.2"  # id-tc26-gost-3410-2012-256-paramSetB (= CryptoPro-A)
GOST_CURVE = "id-tc26-gost-3410-2012-256-paramSetB"


class _GostKeyParameters(core.Sequence):
    """GostR3410-2012-PublicKeyParameters (RFC 9215): the curve; the digest is implied for 256-bit keys."""

    _fields = [("public_key_param_set", core.ObjectIdentifier)]


class _GostAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", _GostKeyParameters)]


class _GostPublicKeyInfo(core.Sequence):
    """SubjectPublicKeyInfo of a GOST key (asn1crypto has no spec for the GOST key algorithm)."""

    _fields = [("algorithm", _GostAlgorithm), ("public_key", core.OctetBitString)]


class _GostPrivateKeyInfo(core.Sequence):
    """PKCS#8 PrivateKeyInfo of a GOST key: the key an OCTET STRING of its 32 bytes, little-endian (RFC 9215)."""

    _fields = [
        ("version", core.Integer),
        ("private_key_algorithm", _GostAlgorithm),
        ("private_key", core.OctetString),
    ]


class SignatureError(Exception):
    """A signature that cannot be made or does not verify; the message says why."""


def _streebog(data):
    from gostcrypto import gosthash  # noqa: PLC0415 - only the GOST profile needs it

    return bytes(gosthash.new("streebog256", data=data).digest())


def _gost_curve():
    """The curve object and its subgroup order q."""
    from gostcrypto import gostsignature  # noqa: PLC0415 - only the GOST profile needs it

    params = gostsignature.CURVES_R_1323565_1_024_2019[GOST_CURVE]
    return gostsignature.new(gostsignature.MODE_256, params), params["q"]


class Signer:
    """Signs bytes as a detached CMS and verifies such a signature; one instance per key."""

    digest_oid = None
    signature_oid = None

    def __init__(self, certificate_der, private_key=None):
        self.certificate = x509.Certificate.load(certificate_der)
        self.private_key = private_key

    # Algorithm-specific primitives
    def _digest(self, data):
        raise NotImplementedError

    def _raw_sign(self, data):
        raise NotImplementedError

    def _raw_verify(self, certificate, data, signature):
        raise NotImplementedError

    # Bare signatures (an XML signature's SignatureValue and DigestValue)
    def digest(self, data):
        """The digest of ``data`` in the key's hash algorithm."""
        return self._digest(data)

    def sign_bytes(self, data):
        """The bare signature of ``data`` (hashed, then signed), without a CMS envelope."""
        if self.private_key is None:
            raise SignatureError("no private key")
        return self._raw_sign(data)

    def verify_bytes(self, data, signature):
        """Raise SignatureError unless ``signature`` is this certificate's key's signature of ``data``."""
        self._raw_verify(self.certificate, data, signature)

    # CMS assembly shared by every algorithm
    def sign(self, content, signing_time=None):
        """Detached CMS SignedData (DER) over ``content``, the signer's certificate embedded."""
        if self.private_key is None:
            raise SignatureError("no private key")
        signing_time = signing_time or datetime.datetime.now(datetime.UTC)
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
                cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]}),
                cms.CMSAttribute({"type": "message_digest", "values": [self._digest(content)]}),
            ]
        )
        signature = self._raw_sign(signed_attrs.dump(force=True))
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {"issuer": self.certificate.issuer, "serial_number": self.certificate.serial_number}
                        )
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": self.digest_oid}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": self.signature_oid}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v1",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": self.digest_oid})],
                "encap_content_info": {"content_type": "data"},
                "certificates": [self.certificate],
                "signer_infos": [signer_info],
            }
        )
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()

    @classmethod
    def verify(cls, content, signature_der):
        """Check a detached CMS over ``content``; return the signer's certificate or raise SignatureError."""
        try:
            info = cms.ContentInfo.load(signature_der)
            signed_data = info["content"]
            signer_info = signed_data["signer_infos"][0]
            certificate = signed_data["certificates"][0].chosen
        except (ValueError, TypeError, IndexError, KeyError) as error:
            raise SignatureError(f"not a CMS signature: {error}") from error
        signer_class = SIGNERS_BY_SIGNATURE_OID.get(signer_info["signature_algorithm"]["algorithm"].dotted)
        if not signer_class:
            raise SignatureError("unknown signature algorithm")
        signer = signer_class(certificate.dump())
        attrs = {attr["type"].native: attr["values"][0].native for attr in signer_info["signed_attrs"]}
        if attrs.get("message_digest") != signer._digest(content):
            raise SignatureError("the signed bytes differ from the document")
        # The signature covers the attributes encoded as a SET (tag 0x31), not as the [0] field they sit in.
        signed_bytes = b"\x31" + signer_info["signed_attrs"].dump()[1:]
        signer._raw_verify(certificate, signed_bytes, signer_info["signature"].native)
        return certificate


class RsaSigner(Signer):
    digest_oid = "sha256"
    signature_oid = "sha256_rsa"

    def _digest(self, data):
        return hashlib.sha256(data).digest()

    def _raw_sign(self, data):
        key = serialization.load_der_private_key(self.private_key, password=None, unsafe_skip_rsa_key_validation=True)
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def _raw_verify(self, certificate, data, signature):
        public_key = serialization.load_der_public_key(certificate.public_key.dump())
        try:
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except Exception as error:
            raise SignatureError("the RSA signature does not verify") from error

    @staticmethod
    def generate(common_name, snils, days=730):
        """A throw-away RSA-2048 key and self-signed certificate (DER, DER) for tests and the demo contour."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_info = keys.PublicKeyInfo.load(
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        key_der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tbs = _tbs_certificate(common_name, snils, public_info, "sha256_rsa", days)
        signature = key.sign(tbs.dump(), padding.PKCS1v15(), hashes.SHA256())
        return _certificate(tbs, "sha256_rsa", signature), key_der


class GostSigner(Signer):
    digest_oid = OID_GOST_DIGEST
    signature_oid = OID_GOST_SIGNATURE

    def _digest(self, data):
        return _streebog(data)

    def _raw_sign(self, data):
        curve, _q = _gost_curve()
        return bytes(curve.sign(bytearray(self.private_key), bytearray(_streebog(data))))

    def _raw_verify(self, certificate, data, signature):
        info = _GostPublicKeyInfo.load(certificate["tbs_certificate"]["subject_public_key_info"].dump())
        point = core.OctetString.load(info["public_key"].native).native
        # The key is an OCTET STRING of x and y, each 32 bytes little-endian (RFC 4491).
        public_key = bytearray(point[:32][::-1] + point[32:][::-1])
        if not _gost_curve()[0].verify(public_key, bytearray(_streebog(data)), bytearray(signature)):
            raise SignatureError("the GOST signature does not verify")

    @staticmethod
    def generate(common_name, snils, days=730):
        """A throw-away GOST R 34.10-2012 key and self-signed certificate (DER, raw 32-byte key)."""
        curve, order = _gost_curve()
        private_key = int.from_bytes(os.urandom(32), "big") % (order - 1) + 1
        private_bytes = private_key.to_bytes(32, "big")
        public_key = bytes(curve.public_key_generate(bytearray(private_bytes)))
        point = public_key[:32][::-1] + public_key[32:][::-1]
        gost_info = _GostPublicKeyInfo(
            {
                "algorithm": {"algorithm": OID_GOST_KEY, "parameters": {"public_key_param_set": OID_GOST_PARAMSET_B}},
                "public_key": core.OctetString(point).dump(),
            }
        )
        public_info = keys.PublicKeyInfo.load(gost_info.dump())
        tbs = _tbs_certificate(common_name, snils, public_info, OID_GOST_SIGNATURE, days)
        signature = bytes(curve.sign(bytearray(private_bytes), bytearray(_streebog(tbs.dump()))))
        return _certificate(tbs, OID_GOST_SIGNATURE, signature), private_bytes


SIGNERS = {"rsa": RsaSigner, "gost": GostSigner}
SIGNERS_BY_SIGNATURE_OID = {"1.2.840.113549.1.1.11": RsaSigner, OID_GOST_SIGNATURE: GostSigner}


def _tbs_certificate(common_name, snils, public_info, signature_oid, days):
    name = x509.Name.build({"common_name": common_name, "country_name": "RU"})
    if snils:
        # SNILS in the subject (OID 1.2.643.100.3), as qualified certificates carry it.
        attribute = x509.NameTypeAndValue(
            {"type": "1.2.643.100.3", "value": x509.DirectoryString({"utf8_string": snils})}
        )
        name = x509.Name({"": x509.RDNSequence(list(name.chosen) + [x509.RelativeDistinguishedName([attribute])])})
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": int.from_bytes(os.urandom(8), "big"),
            "signature": {"algorithm": signature_oid},
            "issuer": name,
            "validity": {
                "not_before": x509.Time({"utc_time": now - datetime.timedelta(days=1)}),
                "not_after": x509.Time({"utc_time": now + datetime.timedelta(days=days)}),
            },
            "subject": name,
            "subject_public_key_info": public_info,
        }
    )


def _certificate(tbs, signature_oid, signature):
    return x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": {"algorithm": signature_oid}, "signature_value": signature}
    ).dump()


def is_gost_certificate(certificate_der):
    """Whether the certificate holds a GOST R 34.10-2012 256-bit key."""
    info = x509.Certificate.load(certificate_der)["tbs_certificate"]["subject_public_key_info"]
    # asn1crypto knows no GOST key: read the algorithm with the GOST shape, without parsing the key itself
    return _GostPublicKeyInfo.load(info.dump())["algorithm"]["algorithm"].dotted == OID_GOST_KEY


def gost_private_key_pem(private_key):
    """PEM (PKCS#8) of a GOST key as ``GostSigner`` holds it (32 bytes, big-endian)."""
    info = _GostPrivateKeyInfo(
        {
            "version": 0,
            "private_key_algorithm": {
                "algorithm": OID_GOST_KEY,
                "parameters": {"public_key_param_set": OID_GOST_PARAMSET_B},
            },
            "private_key": core.OctetString(private_key[::-1]).dump(),
        }
    )
    return pem.armor("PRIVATE KEY", info.dump()).decode()


def gost_private_key_from_pem(text):
    """The 32-byte key ``GostSigner`` takes, from the PEM of ``gost_private_key_pem``; SignatureError otherwise."""
    try:
        _kind, _headers, der = pem.unarmor(text.encode() if isinstance(text, str) else text)
        info = _GostPrivateKeyInfo.load(der)
        if info["private_key_algorithm"]["algorithm"].dotted != OID_GOST_KEY:
            raise SignatureError("not a GOST R 34.10-2012 key")
        key = core.OctetString.load(info["private_key"].native).native
    except (ValueError, TypeError) as error:
        raise SignatureError(f"not a GOST private key: {error}") from error
    if len(key) != 32:
        raise SignatureError("not a 256-bit GOST private key")
    return key[::-1]
