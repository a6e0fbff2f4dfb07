from . import test_access, test_channels, test_messaging, test_race, test_webhooks
