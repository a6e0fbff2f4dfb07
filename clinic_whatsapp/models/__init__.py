from . import (
    clinic_messaging_channel,
    clinic_message_template,
    clinic_message,
    clinic_message_sending,
    clinic_appointment,
    clinic_partner_phone,
    res_company,
)
