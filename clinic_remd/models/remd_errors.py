"""REMD message codes (НСИ 1.2.643.5.1.13.13.99.2.305) and what the doctor should do about each."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

EXPLANATIONS = {
    "TRANSPORT": _lt("REMD did not answer (network, timeout or server error)."),
    "NO_RMIS": _lt("REMD does not know the clinic's information system: check the client entity id in the settings."),
    "DISABLED_RMIS": _lt("The clinic's information system is disabled in EGISZ: contact the EGISZ support."),
    "NOT_UNIQUE_PROVIDED_ID": _lt("REMD already has a document with this local id."),
    "WRONG_CREATION_DATE": _lt("The document's date is later than its registration: check the visit date."),
    "CAN_NOT_ASSOCIATE": _lt("The document it replaces or refers to is not registered in REMD."),
    "NOT_UNIQUE_ASSOCIATION": _lt("Another document already replaces the same registered document."),
    "NO_DOCUMENT_KIND_ON_DATE": _lt("This kind or edition of document is not valid on the document's date."),
    "NO_SNILS": _lt("The patient has no SNILS: add it to the patient's card and make a new version."),
    "PATIENT_MPI_MISMATCH": _lt(
        "The patient's name, birth date or SNILS differ from the federal patient index: check the patient's card."
    ),
    "ORG_NOT_FOUND_IN_FRMO": _lt("The clinic's OID is not found in FRMO: check the clinic's FRMO data."),
    "PERSON_NOT_FOUND": _lt("The doctor is not found in FRMR by SNILS: check the doctor's SNILS."),
    "PERSON_CARD_NOT_FOUND": _lt("The doctor has no personal card in FRMR for this clinic."),
    "VALUE_MISMATCH_METADATA_AND_FRMR": _lt("The doctor's data differ from FRMR: check name, SNILS and position."),
    "PERSON_POST_IN_FRMR_MISMATCH": _lt("The doctor's position differs from the one in FRMR."),
    "POSITION_TO_ROLE_MISMATCH": _lt("The doctor's position may not sign this kind of document."),
    "NO_SPECIALITY": _lt("The doctor's specialty is missing or unknown in FRMR."),
    "NO_ROLE_POLICY_ON_DATE": _lt("No signing rules for this kind of document on its date."),
    "ROLE_OCCURRENCE_MISMATCH": _lt("The document lacks a required signature or has one too many."),
    "NO_SIGNATURE": _lt("A signature is missing: sign the document again."),
    "SIGNATURE_DUPLICATION": _lt("The same signature is attached twice."),
    "MULTIPLE_SIGNERS": _lt("A signature container holds several signers: one signer per signature."),
    "NO_END_ENTITY_CERTIFICATE": _lt("The signature does not contain the signer's certificate."),
    "SIGNATURE_DECODING_ERROR": _lt("A signature cannot be decoded: sign the document again."),
    "UNKNOWN_ALGORITHM": _lt("A signature uses an algorithm REMD does not accept (GOST R 34.10-2012 is required)."),
    "WRONG_SIGNATURE_FORMAT": _lt("A signature is not a detached CMS signature."),
    "SIGNATURE_VERIFICATION_ERROR": _lt("A signature does not match the document: sign it again."),
    "CANT_BUILD_CERT_CHAIN_TO_ACCREDITED_CA_CERT": _lt(
        "The certificate is not issued by an accredited certification authority."
    ),
    "DOC_DATE_MISMATCH_CERT_NOT_BEFORE": _lt("The certificate was not yet valid on the document's date."),
    "DOC_DATE_MISMATCH_CERT_NOT_AFTER": _lt("The certificate had expired on the document's date."),
    "VALUE_MISMATCH_METADATA_AND_CERTIFICATE": _lt("The signer's data differ from their certificate."),
    "CA_INACCESSIBILITY": _lt("REMD could not reach the certification authority: the document is sent again."),
    "MIS_NOT_AVAILABLE": _lt("REMD could not fetch the file from the clinic: the document is sent again."),
    "FILE_WAS_NOT_SENT": _lt("REMD did not receive the file."),
    "RMIS_ERROR": _lt("The clinic's system answered REMD with an error: the document is sent again."),
    "GET_DOCUMENT_FILE_ERROR": _lt("The file REMD fetched does not match its checksum."),
    "VALIDATION_ERROR": _lt("The document does not pass REMD's format checks: see the message and fix the visit."),
    "INVALID_ELEMENT_VALUE_CODE": _lt("A code in the document is not in its reference book."),
    "INVALID_ELEMENT_VALUE_NAME": _lt("A code's name in the document differs from its reference book."),
    "RUNTIME_ERROR": _lt("Internal error of REMD: the document is sent again."),
}
UNKNOWN = _lt("REMD refused the document.")


def explain(env, errors):
    """One line per (code, message): the explanation in env's language, then REMD's own text."""
    lines = []
    for code, message in errors:
        text = env._(EXPLANATIONS.get(code, UNKNOWN))
        lines.append(f"{code}: {text}" + (f" ({message})" if message else ""))
    return "\n".join(lines)
