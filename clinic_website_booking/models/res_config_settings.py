from odoo import fields, models

from .clinic_appointment import DEFAULT_TOKEN_DAYS, PARAM_TOKEN_DAYS
from .clinic_online_booking import (
    DEFAULT_API_IP_RATE,
    DEFAULT_IP_HOLDS,
    DEFAULT_IP_RATE,
    DEFAULT_MAX_ACTIVE,
    DEFAULT_PHONE_HOLDS,
    DEFAULT_PHONE_RATE,
    PARAM_API_IP_RATE,
    PARAM_IP_HOLDS,
    PARAM_IP_RATE,
    PARAM_MAX_ACTIVE,
    PARAM_PHONE_HOLDS,
    PARAM_PHONE_RATE,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    clinic_online_max_active = fields.Integer(
        string="Upcoming online bookings per phone",
        config_parameter=PARAM_MAX_ACTIVE,
        default=DEFAULT_MAX_ACTIVE,
        help="A phone number with this many upcoming online bookings cannot book more online.",
    )
    clinic_online_phone_rate = fields.Integer(
        string="Booking attempts per phone and hour",
        config_parameter=PARAM_PHONE_RATE,
        default=DEFAULT_PHONE_RATE,
        help="Online booking and waiting-list attempts allowed per phone number in an hour.",
    )
    clinic_online_ip_rate = fields.Integer(
        string="Website actions per address and minute",
        config_parameter=PARAM_IP_RATE,
        default=DEFAULT_IP_RATE,
        help="Holds, bookings and waiting-list requests allowed per visitor's IP address in a minute.",
    )
    clinic_online_api_ip_rate = fields.Integer(
        string="API requests per address and minute",
        config_parameter=PARAM_API_IP_RATE,
        default=DEFAULT_API_IP_RATE,
        help="Exchange API requests allowed per IP address in a minute, whatever the key.",
    )
    clinic_online_ip_holds = fields.Integer(
        string="Holds per address",
        config_parameter=PARAM_IP_HOLDS,
        default=DEFAULT_IP_HOLDS,
        help="Free times one visitor's IP address may hold for the booking form within 10 minutes.",
    )
    clinic_online_phone_holds = fields.Integer(
        string="Holds per phone",
        config_parameter=PARAM_PHONE_HOLDS,
        default=DEFAULT_PHONE_HOLDS,
        help="Free times held for one phone number (typed in the booking form) within 10 minutes, from any address.",
    )
    clinic_online_token_days = fields.Integer(
        string="Appointment links valid for (days after the visit)",
        config_parameter=PARAM_TOKEN_DAYS,
        default=DEFAULT_TOKEN_DAYS,
        help="The link sent after an online booking opens the appointment until this many days after the visit; "
        "it stops working at once when the appointment is cancelled.",
    )
