"""clinic_remd (SEMD up to «signed»): who may call its public methods over RPC.

Calls on records go to the first visit of the demo, which is not the test doctor's: a doctor is refused
there by the record rule «a doctor sees their own», so the doctor's buttons show as denied; the module's
tests (clinic_remd/tests) cover the treating doctor. Signing is the practitioner's alone: a manager is
refused by the rights check, another doctor by the record rule.
"""

from . import MANAGERS, MEDICAL, NOBODY


def _practitioner(env):
    return env(su=True)["hr.employee"].search([("is_practitioner", "=", True)], limit=1, order="id").id


MATRIX = {
    ("clinic.visit", "action_semd_generate"): MANAGERS,
    ("clinic.visit", "action_semd_correct"): MANAGERS,
    ("clinic.visit", "action_semd_sign"): NOBODY,
    ("clinic.semd.key", "action_generate_test_key"): MEDICAL,
}

ARGS = {
    ("clinic.semd.key", "action_generate_test_key"): ((_practitioner, "rsa"), {}),
}
