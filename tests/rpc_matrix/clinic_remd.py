"""clinic_remd (SEMD up to «signed»): who may call its public methods over RPC.

Calls on records go to the first visit of the demo, which is not the test doctor's: a doctor is refused
there by the record rule «a doctor sees their own», so the doctor's buttons show as denied; the module's
tests (clinic_remd/tests) cover the treating doctor. Signing is the practitioner's alone: another doctor
is refused by the record rule; a manager (a doctor too, by the group's implication) passes the rights
check and is then told that a practitioner signs only their own documents.
"""

from . import MANAGERS, MEDICAL


def _practitioner(env):
    return env(su=True)["hr.employee"].search([("is_practitioner", "=", True)], limit=1, order="id").id


MATRIX = {
    ("clinic.visit", "action_semd_generate"): MANAGERS,
    ("clinic.visit", "action_semd_correct"): MANAGERS,
    ("clinic.visit", "action_semd_sign"): MANAGERS,
    ("clinic.semd.key", "action_generate_test_key"): MEDICAL,
}

ARGS = {
    ("clinic.semd.key", "action_generate_test_key"): ((_practitioner, "rsa"), {}),
}
