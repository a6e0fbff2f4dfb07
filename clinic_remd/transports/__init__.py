from .base import ACK_ERROR, ACK_OK, ACK_RETRY, Ack, RegistryItem, TRANSIENT_CODES, TRANSPORTS, TransportError
from . import platform_rest, soap_direct
