from . import (
    test_access,
    test_channels,
    test_demo,
    test_kpi_messaging,
    test_messaging,
    test_race,
    test_race_replies,
    test_replies,
    test_ui_tours,
    test_webhooks,
)
