from . import (
    clinic_online_booking,
    clinic_rate_limit,
    clinic_api_consumer,
    clinic_api_idempotency,
    clinic_booking_funnel,
    clinic_appointment,
    clinic_slot,
    clinic_representation_request,
    clinic_identity_code,
    res_partner,
    clinic_demo,
    res_config_settings,
)
