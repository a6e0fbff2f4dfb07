"""clinic_remd: who may call its public methods over RPC (see tests/test_rpc_matrix.py).

The SEMD up to «signed» (remddoc):

Calls on records go to the first visit of the demo, which is not the test doctor's: a doctor is refused
there by the record rule «a doctor sees their own», so the doctor's buttons show as denied; the module's
tests (clinic_remd/tests) cover the treating doctor. Signing is the practitioner's alone: another doctor
is refused by the record rule; a manager (a doctor too, by the group's implication) passes the rights
check and is then told that a practitioner signs only their own documents.
"""

import base64
import uuid

from . import MANAGERS, MEDICAL


def _practitioner(env):
    return env(su=True)["hr.employee"].search([("is_practitioner", "=", True)], limit=1, order="id").id


DOCUMENT_MATRIX = {
    ("clinic.visit", "action_semd_generate"): MANAGERS,
    ("clinic.visit", "action_semd_correct"): MANAGERS,
    ("clinic.visit", "action_semd_sign"): MANAGERS,
    ("clinic.semd.key", "action_generate_test_key"): MEDICAL,
}

DOCUMENT_ARGS = {
    ("clinic.semd.key", "action_generate_test_key"): ((_practitioner, "rsa"), {}),
}


# ---------------------------------------------------------------- registration in REMD (remdreg)
# Everything of the registration is private (the jobs; the callbacks' processing, which the controller
# calls after checking REMD's signature). What is left are two buttons of the document, called on a
# signed document of a demo visit that is not the test doctor's: a doctor is refused there by the record
# rule «a doctor sees the documents of their own visits» (they send their own: see
# clinic_remd/tests/test_registration_access.py).


def _signed_document(env):
    su = env(su=True)
    appointment = su["clinic.appointment"].search([("state", "in", ("booked", "confirmed"))], limit=1, order="id")
    appointment.action_arrive()
    document = su["clinic.semd.document"].create(
        {
            "name": "RPC matrix",
            "visit_id": appointment.visit_id.id,
            "kind_code": "119",
            "local_uid": str(uuid.uuid4()),
            "state": "signed",
            "xml_content": base64.b64encode(b"<ClinicalDocument/>"),
            "checksum": "1",
            "doctor_signature": base64.b64encode(b"doctor"),
            "org_signature": base64.b64encode(b"clinic"),
        }
    )
    return document.ids


REGISTRATION_MATRIX = {
    # Send a signed document to REMD (queues the registration job).
    ("clinic.semd.document", "action_register"): MANAGERS,
    # Look a document up in the REMD registry now.
    ("clinic.semd.document", "action_check_remd"): MANAGERS,
}
REGISTRATION_ARGS = {
    ("clinic.semd.document", "action_register"): ([_signed_document], {}),
    ("clinic.semd.document", "action_check_remd"): ([_signed_document], {}),
}
# ---------------------------------------------------------------- end of registration (remdreg)

MATRIX = {**DOCUMENT_MATRIX, **REGISTRATION_MATRIX}
ARGS = {**DOCUMENT_ARGS, **REGISTRATION_ARGS}
