from . import (
    test_online_booking,
    test_online_reservation,
    test_api,
    test_website_brand,
    test_website_http,
    test_website_tours,
    test_race,
    test_trust_boundary,
    test_performance,
)
