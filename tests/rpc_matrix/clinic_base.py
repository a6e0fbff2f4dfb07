"""clinic_base: who may call its public methods over RPC (helpers are @api.private)."""

from . import FRONT_DESK, MANAGERS, MEDICAL


def _cluster(env):
    """An open cluster of two patients, made as superuser for the call."""
    su = env(su=True)
    patients = su["res.partner"].search([("is_patient", "=", True)], limit=2, order="id")
    return su["clinic.duplicate.cluster"].create({"key": "rpc-matrix", "partner_ids": [(6, 0, patients.ids)]}).ids


def _patient(env):
    return env(su=True)["res.partner"].search([("is_patient", "=", True)], limit=1, order="id").ids


def _emergency_wizard(env):
    """Made as the caller, as the form does before its button is pressed."""
    wizard = env["clinic.emergency.access.wizard"].create({"partner_id": _patient(env)[0], "reason": "RPC matrix"})
    return wizard.ids


MATRIX = {
    ("clinic.duplicate.cluster", "action_dismiss"): FRONT_DESK,
    ("clinic.duplicate.cluster", "action_merge"): FRONT_DESK,
    ("clinic.duplicate.cluster", "action_reopen"): FRONT_DESK,
    ("clinic.nsi.import.wizard", "action_import"): MANAGERS,
    # the front desk and doctors edit contact details
    ("res.partner", "action_clinic_verify_address"): frozenset({"receptionist", "doctor", "manager"}),
    # break the glass: doctors (and managers, who are doctors too) ask for a logged emergency access
    ("res.partner", "action_clinic_emergency_access"): MEDICAL,
    ("clinic.emergency.access.wizard", "action_confirm"): MEDICAL,
}

ARGS = {
    ("clinic.duplicate.cluster", "action_dismiss"): ((_cluster,), {}),
    ("clinic.duplicate.cluster", "action_merge"): ((_cluster,), {}),
    ("clinic.duplicate.cluster", "action_reopen"): ((_cluster,), {}),
    ("res.partner", "action_clinic_verify_address"): ((_patient,), {}),
    ("res.partner", "action_clinic_emergency_access"): ((_patient,), {}),
    ("clinic.emergency.access.wizard", "action_confirm"): ((_emergency_wizard,), {}),
}
