from asn1crypto import cms

from odoo.tests import BaseCase, tagged

from ..semd import signer

CONTENT = "<ClinicalDocument>Протокол консультации</ClinicalDocument>".encode()


@tagged("post_install", "-at_install")
class TestSigners(BaseCase):
    """Both signer implementations produce a detached CMS that verifies over the bytes, and only over them."""

    def _roundtrip(self, signer_class):
        certificate, key = signer_class.generate("Дмитриева Галина Евгеньевна", "41291490463")
        signature = signer_class(certificate, key).sign(CONTENT)
        signed_data = cms.ContentInfo.load(signature)["content"]
        self.assertIsNone(signed_data["encap_content_info"]["content"].native, "the signature must be detached")
        found = signer.Signer.verify(CONTENT, signature)
        self.assertIn("41291490463", found.subject.human_friendly)
        with self.assertRaisesRegex(signer.SignatureError, "differ"):
            signer.Signer.verify(CONTENT + b" ", signature)
        return signed_data

    def test_rsa(self):
        signed_data = self._roundtrip(signer.RsaSigner)
        self.assertEqual(signed_data["digest_algorithms"][0]["algorithm"].native, "sha256")

    def test_gost(self):
        signed_data = self._roundtrip(signer.GostSigner)
        info = signed_data["signer_infos"][0]
        self.assertEqual(info["digest_algorithm"]["algorithm"].dotted, signer.OID_GOST_DIGEST)
        self.assertEqual(info["signature_algorithm"]["algorithm"].dotted, signer.OID_GOST_SIGNATURE)
        key_algorithm = signed_data["certificates"][0].chosen["tbs_certificate"]["subject_public_key_info"]
        self.assertIn(bytes.fromhex("06082a850307010101 01".replace(" ", "")), key_algorithm.dump())

    def test_tampered_signature_fails(self):
        certificate, key = signer.GostSigner.generate("Тест", "")
        signature = bytearray(signer.GostSigner(certificate, key).sign(CONTENT))
        signature[-5] ^= 0xFF  # inside the signature value
        with self.assertRaises(signer.SignatureError):
            signer.Signer.verify(CONTENT, bytes(signature))

    def test_foreign_certificate_fails(self):
        """A signature re-wrapped with another person's certificate does not verify."""
        cert_a, key_a = signer.RsaSigner.generate("A", "")
        cert_b, _key_b = signer.RsaSigner.generate("B", "")
        info = cms.ContentInfo.load(signer.RsaSigner(cert_a, key_a).sign(CONTENT))
        info["content"]["certificates"] = [signer.x509.Certificate.load(cert_b)]
        with self.assertRaises(signer.SignatureError):
            signer.Signer.verify(CONTENT, info.dump(force=True))
