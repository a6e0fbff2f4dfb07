from . import (
    test_access,
    test_appointment,
    test_booking_window,
    test_display_names,
    test_kpi,
    test_race,
    test_rpc,
    test_slots,
    test_visit,
    test_waitlist,
)
