"""The REMD transport interface: what a registration needs from the wire, whatever carries it.

Two implementations are registered: the direct SOAP connection to the federal REMD
(``soap_direct``) and a connected platform's REST wrapper (``platform_rest``); the clinic's
settings choose one. Each call returns plain data and the raw exchange, never an Odoo record.
"""

import dataclasses

TRANSPORTS = {}

ACK_OK = "ok"  # the synchronous acknowledgement accepted the request: the result comes later
ACK_ERROR = "error"  # refused for good (data to fix)
ACK_RETRY = "retry"  # transient: timeout, 5xx, SOAP fault; the same request may be sent again later

# Codes of НСИ 1.2.643.5.1.13.13.99.2.305 after which the same document may simply be sent again.
TRANSIENT_CODES = frozenset({"MIS_NOT_AVAILABLE", "CA_INACCESSIBILITY", "RUNTIME_ERROR", "RMIS_ERROR"})


@dataclasses.dataclass
class Exchange:
    """One message on the wire, kept for audit."""

    operation: str
    message_id: str = ""
    url: str = ""
    request: str = ""
    response: str = ""
    http_status: int = 0
    error: str = ""


@dataclasses.dataclass
class Ack:
    outcome: str
    errors: list = dataclasses.field(default_factory=list)  # [(code, message)]
    exchange: Exchange = None


@dataclasses.dataclass
class RegistryItem:
    local_uid: str
    emdr_id: str = ""
    registered_at: str = ""
    store_till: str = ""


class TransportError(Exception):
    """A call that got no usable answer; ``exchange`` holds what was sent."""

    def __init__(self, message, exchange=None):
        super().__init__(message)
        self.exchange = exchange


def register(cls):
    TRANSPORTS[cls.code] = cls
    return cls


class Transport:
    """Implementations: ``register_document`` and ``search_registry_item``."""

    code = None

    def __init__(self, settings):
        self.settings = settings
        self.timeout = settings.remd_timeout or 30.0

    def register_document(self, metadata, message_id, file_bytes=b""):
        """Send the registration request of one document; returns an Ack (never raises on the wire).

        ``file_bytes`` is the frozen file, for transports that carry it (REMD itself pulls it from us).
        """
        raise NotImplementedError

    def search_registry_item(self, query):
        """The registry's items for ``query`` (organization, kind, patient SNILS, dates, local id).

        Returns (list of RegistryItem, Exchange); raises TransportError when the registry did not answer.
        """
        raise NotImplementedError
