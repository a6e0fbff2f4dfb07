import dataclasses

PROVIDERS = {}


class Outcome:
    """What the outbox does after one attempt."""

    SENT = "sent"  # accepted by the provider; statuses follow by webhook
    RETRY = "retry"  # transient: try the same channel again after a backoff
    NEXT = "next"  # permanent for this channel: fall back to the next one
    GIVE_UP = "give_up"  # a bug or a patient's refusal: no fallback, alert


@dataclasses.dataclass
class SendResult:
    outcome: str
    provider_message_id: str = ""
    error_code: str = ""
    error: str = ""


@dataclasses.dataclass
class WebhookEvent:
    """One item of a webhook: a status of an outgoing message or an incoming message."""

    kind: str  # "status" or "inbound"
    provider_message_id: str
    status: str = ""  # sent / delivered / read / failed
    error_code: str = ""
    reference: str = ""  # our outbox id when the provider echoes it back
    phone: str = ""  # E.164 without "+" for inbound
    text: str = ""
    payload: str = ""  # quick-reply button payload


def register(cls):
    PROVIDERS[cls.code] = cls
    return cls


def get_provider(channel):
    return PROVIDERS[channel.provider](channel)


class Provider:
    """The interface every provider implements; ``channel`` holds the credentials."""

    code = None
    name = None
    contact_channel = None  # the clinic.consent channel this provider speaks on

    def __init__(self, channel):
        self.channel = channel

    def send(self, message, rendered):
        """Send one outbox row; ``rendered`` is the dict from the template. Returns a SendResult."""
        raise NotImplementedError

    def verify_subscription(self, params):
        """Answer of a GET handshake (the text to return) or None when it must be refused."""
        return None

    def check_signature(self, headers, raw_body, params):
        """True when the webhook request really comes from the provider."""
        raise NotImplementedError

    def parse_webhook(self, raw_body, params):
        """The list of WebhookEvent in one webhook request."""
        raise NotImplementedError

    def webhook_response(self):
        return "OK"
