from . import (
    clinic_messaging_channel,
    clinic_message_template,
    clinic_message,
    clinic_message_sending,
    clinic_message_reply,
    clinic_message_webhook,
    clinic_appointment,
    clinic_partner_phone,
    clinic_waitlist_offer,
    clinic_kpi,
    clinic_demo,
    res_company,
)
