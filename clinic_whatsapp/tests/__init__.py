from . import test_access, test_messaging, test_race, test_replies, test_webhooks
