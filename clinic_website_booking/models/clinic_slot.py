import secrets

from odoo import api, fields, models


def new_public_ref():
    """12 random URL-safe characters."""
    return secrets.token_urlsafe(9)


class ClinicSlot(models.Model):
    """A slot as the website and the API name it: by a random reference, so that slot ids, which follow each other,
    cannot be walked through to find unpublished staff or fill the schedule blindly."""

    _inherit = "clinic.slot"

    public_ref = fields.Char(
        string="Public reference",
        readonly=True,
        copy=False,
        help="Random name of the slot in website links and API answers.",
    )
    hold_phone = fields.Char(
        string="Held for phone",
        copy=False,
        groups="base.group_system",
        help="Phone typed in the booking form while the slot was held, counted against that phone's cap on holds.",
    )

    _sql_constraints = [("public_ref_unique", "UNIQUE(public_ref)", "Two slots cannot share a public reference.")]

    def init(self):
        # Slots generated before this module was installed get a reference each.
        self.env.cr.execute(
            "UPDATE clinic_slot SET public_ref = substr(md5(random()::text || id::text), 1, 12) "
            "WHERE public_ref IS NULL"
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("public_ref", new_public_ref())
        return super().create(vals_list)

    def _hold_reset_columns(self):
        return [*super()._hold_reset_columns(), "hold_phone"]

    @api.model
    def _by_public_ref(self, ref):
        """The slot named ``ref`` (sudo), empty when there is none; one query reads it with what the booking
        steps use of it."""
        if not isinstance(ref, str) or not 6 <= len(ref) <= 32:
            return self.sudo().browse()
        slot = self.sudo().search_fetch(
            [("public_ref", "=", ref)], ["employee_id", "start", "stop", "state", "hold_until", "public_ref"], limit=1
        )
        # What the booking reads of the practitioner: reading one field of an employee otherwise fetches every
        # column of hr.employee, the costliest part of a booking step in CPU.
        slot.employee_id.fetch(["name", "slot_duration", "age_group", "user_id"])
        return slot
