import dataclasses
import types

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
    retry_after: float = 0.0  # seconds the provider asked us to wait (HTTP 429 Retry-After)
    reachable: bool | None = None  # what this answer tells about the number on a messenger


@dataclasses.dataclass
class Outgoing:
    """What a provider needs to send one outbox row: plain values, safe to use from a sending thread."""

    id: int
    phone: str  # E.164 with "+"
    to: str  # the address on this provider: the phone's digits, or the messenger's user id
    rendered: dict


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
    user_ref: str = ""  # the messenger's own id of the sender when it does not address people by phone


def retry_after(response, default=0.0):
    """Seconds from an HTTP ``Retry-After`` header (delta-seconds form), else ``default``."""
    try:
        return max(float(response.headers.get("Retry-After", "")), 0.0)
    except ValueError:
        return default


def register(cls):
    PROVIDERS[cls.code] = cls
    return cls


def get_provider(channel):
    return PROVIDERS[channel.provider](channel)


CONFIG_FIELDS = ("base_url", "api_version", "account_ref", "token", "app_secret", "verify_token", "sender", "timeout")


class Provider:
    """The interface every provider implements; ``channel`` holds the credentials.

    ``send`` runs in a sending thread next to others of the same batch: it uses ``self.config`` (a
    plain copy of the channel's settings) and the ``Outgoing``, never the ORM. Whatever needs the
    database (``outgoing``) runs before, in the job's thread.
    """

    code = None
    name = None
    contact_channel = None  # the clinic.consent channel this provider speaks on
    idempotent = False  # True when a repeated request after a timeout cannot make a second message

    def __init__(self, channel, config=None):
        self.channel = channel
        self.config = types.SimpleNamespace(**(config or {name: channel[name] for name in CONFIG_FIELDS}))

    def outgoing(self, message, rendered):
        """The Outgoing of an outbox row (job's thread: may read the database)."""
        return Outgoing(message.id, message.phone, message.phone.lstrip("+"), rendered)

    def send(self, outgoing):
        """Send one Outgoing over HTTP. Returns a SendResult."""
        raise NotImplementedError

    def unreachable_codes(self):
        """Error codes (answers or failed statuses) that mean «this number is not on the messenger»."""
        return set()

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
