"""Rights checks for public methods: one call before anything runs as superuser."""

from odoo.exceptions import AccessError, UserError


def require_group(env, *xmlids, message=None):
    """Raise AccessError (in the user's language) unless the user is in one of the groups.

    ``message``, already translated, says what the action is reserved for; by default the groups are named.
    Superuser mode passes: code that already checked rights may call on with ``sudo()``.
    """
    if env.su or any(env.user.has_group(xmlid) for xmlid in xmlids):
        return
    if not message:
        groups = ", ".join(env.ref(xmlid).sudo().full_name for xmlid in xmlids)
        message = env._("This action is reserved to: %(groups)s.", groups=groups)
    raise AccessError(message)


def require_one(records):
    """Raise UserError unless ``records`` is one record: a public action called over RPC on none or several.

    Call it after the rights check, in place of ``ensure_one()`` (whose ValueError is a traceback in the log).
    """
    if len(records) != 1:
        raise UserError(
            records.env._(
                "%(model)s: this action works on exactly one record, not %(count)s.",
                model=records._description,
                count=len(records),
            )
        )


RECEPTIONIST = "clinic_base.group_clinic_receptionist"
DOCTOR = "clinic_base.group_clinic_doctor"
ACCOUNTANT = "clinic_base.group_clinic_accountant"
MANAGER = "clinic_base.group_clinic_manager"
STAFF = (RECEPTIONIST, DOCTOR, ACCOUNTANT, MANAGER)
