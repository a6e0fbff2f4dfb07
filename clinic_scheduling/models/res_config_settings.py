from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    clinic_slot_horizon_days = fields.Integer(
        string="Slots ahead, days",
        config_parameter="clinic_scheduling.slot_horizon_days",
        default=60,
        help="How far ahead slots are generated from the schedules.",
    )
    clinic_hold_minutes = fields.Integer(
        string="Hold while booking, min",
        config_parameter="clinic_scheduling.hold_minutes",
        default=5,
        help="How long a slot stays held while a patient fills the booking form.",
    )
    clinic_offer_minutes = fields.Integer(
        string="Waiting-list offer, min",
        config_parameter="clinic_scheduling.offer_minutes",
        default=30,
        help="How long a freed slot is held for the waiting patient before it goes to the next one.",
    )
