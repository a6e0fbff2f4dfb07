from odoo import api, models


class ClinicReception(models.AbstractModel):
    """The receptionists' live channel: website bookings, cancellations, waiting-list answers.

    Every module posts here; the front desk sees a pop-up with a link to the record.
    """

    _name = "clinic.reception"
    _description = "Front desk notifications"

    @api.private
    @api.model
    def notify(self, kind, title, message, record=None, sticky=False):
        """Send one pop-up to every receptionist on line; returns the payload for callers that log it."""
        payload = {
            "kind": kind,
            "title": title,
            "message": message,
            "sticky": sticky,
            "res_model": record._name if record else False,
            "res_id": record.id if record else False,
        }
        group = self.env["res.groups"].browse(  # the id from the registry's cache, without env.ref()'s query
            self.env["ir.model.data"]._xmlid_to_res_id("clinic_base.group_clinic_receptionist")
        )
        for user in group.sudo().users.filtered(lambda u: not u.share):
            user._bus_send("clinic/reception", payload)
        return payload
