import dataclasses
import hmac
import json
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


class BadWebhook(ValueError):
    """A signed delivery that is not what the provider sends: refused whole (400), nothing stored.

    ``rejected`` lists what could not be read, each as «where: what is wrong»."""

    def __init__(self, rejected):
        self.rejected = list(rejected)
        super().__init__("; ".join(self.rejected))


class BadItem(ValueError):
    """One item of a delivery that is not what the provider sends: reported, the delivery's other items kept."""


_MISSING = object()
_KINDS = {dict: "an object", list: "a list", str: "a string", int: "a number"}


def json_type(value):
    """«an object», «a list», «null»... for a message about a value read from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return _KINDS.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def expect(value, kind, where):
    """``value`` when it is a ``kind`` (dict, list, str, int), else BadItem naming where it is in the delivery."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadItem(f"{where}: expected {_KINDS.get(kind, kind.__name__)}, got {json_type(value)}")
    return value


def get(data, name, kind, where, default=_MISSING):
    """``data[name]`` when it is a ``kind``; when missing or null, ``default`` (no default: an error)."""
    if data.get(name) is None:
        if default is _MISSING:
            raise BadItem(f"{where}.{name}: missing")
        return default
    return expect(data[name], kind, f"{where}.{name}")


def get_ref(data, name, where):
    """A provider's id: a non-empty string, or a number (MAX user ids), as a string."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not get(data, name, str, where):
        raise BadItem(f"{where}.{name}: empty")
    return value


def get_phone(data, name, where):
    """A phone number's digits (E.164 without «+»): a number that is not one is an error."""
    digits = get_ref(data, name, where).strip().removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        raise BadItem(f"{where}.{name}: not a phone number")
    return digits


class Parsed:
    """What a delivery held: the events read and what was rejected («where: what is wrong»), item by item."""

    def __init__(self):
        self.events, self.rejected = [], []

    def item(self, read, value, where):
        """Add the events ``read(value, where)`` returns; a BadItem is reported and the next items still read."""
        try:
            self.events.extend(read(value, where))
        except BadItem as exc:
            self.rejected.append(str(exc))

    def children(self, container, name, where, kind=list):
        """(where, item) of the list ``container[name]`` (missing: none), or the object itself for
        ``kind=dict``; a container of the wrong type is reported and has nothing in it."""
        try:
            value = get(expect(container, dict, where), name, kind, where, kind())
        except BadItem as exc:
            self.rejected.append(str(exc))
            return [] if kind is list else None
        return value if kind is dict else enumerate_items(value, f"{where}.{name}")

    def result(self):
        """``(events, rejected)``; nothing readable but something rejected is a bad delivery."""
        if self.rejected and not self.events:
            raise BadWebhook(self.rejected)
        return self.events, self.rejected


def load_object(raw_body):
    """The JSON object a provider posts; anything else is a bad delivery."""
    try:
        data = json.loads(raw_body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError included; RecursionError: nested too deep
        raise BadWebhook([f"body: not JSON ({exc})"]) from exc
    if not isinstance(data, dict):
        raise BadWebhook([f"body: expected an object, got {json_type(data)}"])
    return data


def envelope(data, name, required=False):
    """The list ``data[name]`` of a delivery's envelope (missing: none, unless ``required``); anything else is
    a bad delivery."""
    try:
        return get(data, name, list, "body", _MISSING if required else [])
    except BadItem as exc:
        raise BadWebhook([str(exc)]) from exc


def enumerate_items(items, where):
    """(where, item) of a list of the delivery's envelope: ``entry[0]``, ``entry[1]``..."""
    return [(f"{where}[{index}]", item) for index, item in enumerate(items)]


def same_secret(given, expected):
    """Constant-time comparison of a secret from a request with ours, on bytes: a request's text may hold any
    character, and ``hmac.compare_digest`` refuses a str that is not ASCII."""
    if not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


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
        """``(events, rejected)`` of one webhook request: the WebhookEvent read, and each item that could not
        be read as «where: what is wrong». Raises BadWebhook when the delivery is not the provider's at all."""
        raise NotImplementedError

    def webhook_response(self):
        return "OK"
