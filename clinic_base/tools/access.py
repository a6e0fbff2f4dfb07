"""Rights checks for public methods: one call before anything runs as superuser."""

from odoo.exceptions import AccessError


def require_group(env, *xmlids):
    """Raise AccessError (in the user's language) unless the user is in one of the groups.

    Superuser mode passes: code that already checked rights may call on with ``sudo()``.
    """
    if env.su or any(env.user.has_group(xmlid) for xmlid in xmlids):
        return
    groups = ", ".join(env.ref(xmlid).sudo().full_name for xmlid in xmlids)
    raise AccessError(env._("This action is reserved to: %(groups)s.", groups=groups))


RECEPTIONIST = "clinic_base.group_clinic_receptionist"
DOCTOR = "clinic_base.group_clinic_doctor"
ACCOUNTANT = "clinic_base.group_clinic_accountant"
MANAGER = "clinic_base.group_clinic_manager"
STAFF = (RECEPTIONIST, DOCTOR, ACCOUNTANT, MANAGER)
