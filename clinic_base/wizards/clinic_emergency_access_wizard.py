from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.access import DOCTOR, require_group


class ClinicEmergencyAccessWizard(models.TransientModel):
    """The doctor states why they need a patient's medical data they do not treat; the opening is logged."""

    _name = "clinic.emergency.access.wizard"
    _description = "Emergency access to medical data"

    partner_id = fields.Many2one("res.partner", string="Patient", required=True, domain=[("is_patient", "=", True)])
    reason = fields.Text(string="Reason", help="Why the data is needed now: it is logged and shown to the managers.")

    def action_confirm(self):
        self.ensure_one()
        require_group(self.env, DOCTOR)
        if not (self.reason or "").strip():
            raise UserError(
                self.env._("Reason: say why you need the medical data of %(patient)s.", patient=self.partner_id.name)
            )
        self.env["clinic.emergency.access"]._open(self.partner_id, self.reason.strip())
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "target": "current",
        }
