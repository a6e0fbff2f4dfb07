from . import test_messaging, test_webhooks, test_access
