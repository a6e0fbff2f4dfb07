from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.clinic_base.tools.access import MANAGER, require_group

from .clinic_slot import DEFAULT_HOLD, DEFAULT_HORIZON, HOLD_PARAM, HORIZON_PARAM
from .clinic_waitlist_offer import DEFAULT_OFFER_MINUTES, OFFER_PARAM

# field name -> (system parameter, default)
PARAMS = {
    "slot_horizon_days": (HORIZON_PARAM, DEFAULT_HORIZON),
    "hold_minutes": (HOLD_PARAM, DEFAULT_HOLD),
    "offer_minutes": (OFFER_PARAM, DEFAULT_OFFER_MINUTES),
}


class ClinicSettings(models.TransientModel):
    """The clinic manager's settings screen.

    Odoo's own Settings are for administrators only (``res.config.settings.execute`` refuses anyone
    else); a clinic manager changes the clinic's few parameters here, and nothing else.
    """

    _name = "clinic.settings"
    _description = "Clinic settings"

    clinic_tz = fields.Selection(
        _tz_get,
        string="Clinic time zone",
        required=True,
        default=lambda self: self.env.company.clinic_tz,
        help="Slots, the front desk, the website and the API show times in this zone.",
    )
    slot_horizon_days = fields.Integer(
        string="Slots ahead, days", help="How far ahead slots are generated from the schedules."
    )
    hold_minutes = fields.Integer(
        string="Hold while booking, min", help="How long a slot stays held while a patient fills the booking form."
    )
    offer_minutes = fields.Integer(
        string="Waiting-list offer, min",
        help="How long a freed slot is held for the waiting patient before it goes to the next one.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        params = self.env["ir.config_parameter"].sudo()
        for name, (param, default) in PARAMS.items():
            if name in fields_list:
                values[name] = int(params.get_param(param, default))
        return values

    @api.constrains(*PARAMS)
    def _check_positive(self):
        for settings in self:
            for name in PARAMS:
                if settings[name] <= 0:
                    field = settings._fields[name]._description_string(self.env)
                    raise ValidationError(self.env._("«%(field)s» must be a positive number.", field=field))

    def action_save(self):
        """Store the settings (system parameters and the company's zone), for clinic managers only."""
        self.ensure_one()
        require_group(self.env, MANAGER, message=self.env._("Only a clinic manager can change the clinic settings."))
        params = self.env["ir.config_parameter"].sudo()
        for name, (param, _default) in PARAMS.items():
            params.set_param(param, str(self[name]))
        self.env.company.sudo().clinic_tz = self.clinic_tz
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Clinic settings saved."),
            },
        }
