"""Messaging providers: one class per provider, found by its code.

A provider knows one wire protocol and nothing about appointments: it turns an
outgoing ``clinic.message`` into an HTTP call and a webhook request into plain
events. Adding a provider is one module here with ``@register``.
"""

from .base import PROVIDERS, Outcome, Provider, SendResult, WebhookEvent, get_provider, register
from . import max_bot, smsc, wazzup, whatsapp_cloud

__all__ = [
    "PROVIDERS",
    "Outcome",
    "Provider",
    "SendResult",
    "WebhookEvent",
    "get_provider",
    "max_bot",
    "register",
    "smsc",
    "wazzup",
    "whatsapp_cloud",
]
