"""Direct SOAP connection to the federal REMD (ИПС ЕГИСЗ) with zeep, messages signed with WS-Security."""

import requests
import zeep
from zeep.cache import InMemoryCache
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.exceptions import TransportError as ZeepTransportError

from . import wsse
from .base import ACK_ERROR, ACK_OK, ACK_RETRY, Ack, Exchange, RegistryItem, Transport, TransportError, register

_WSDL_CACHE = InMemoryCache(timeout=3600)


class _RecordingTransport(zeep.Transport):
    """zeep's HTTP transport keeping the signed request and the raw answer of the last POST."""

    def __init__(self, exchange, **kwargs):
        super().__init__(cache=_WSDL_CACHE, **kwargs)
        self.exchange = exchange

    def post(self, address, message, headers):
        self.exchange.url = address
        self.exchange.request = message.decode() if isinstance(message, bytes) else message
        response = super().post(address, message, headers)
        self.exchange.http_status = response.status_code
        self.exchange.response = response.content.decode(errors="replace")
        return response


@register
class SoapDirectTransport(Transport):
    code = "soap"

    def _service(self, exchange):
        settings = self.settings
        if not (settings.remd_endpoint_url and settings.remd_transport_key and settings.remd_transport_certificate):
            raise TransportError("REMD endpoint, transport key or certificate missing in settings", exchange)
        transport = _RecordingTransport(exchange, timeout=self.timeout, operation_timeout=self.timeout)
        client = zeep.Client(
            settings.remd_wsdl_url or f"{settings.remd_endpoint_url}?wsdl",
            transport=transport,
            wsse=wsse.envelope_signature(settings.remd_transport_key, settings.remd_transport_certificate),
        )
        binding = next(iter(client.wsdl.bindings))
        return client, client.create_service(binding, settings.remd_endpoint_url)

    def _headers(self, operation, message_id):
        settings = self.settings
        return wsse.addressing_headers(
            operation,
            settings.remd_endpoint_url,
            message_id=message_id,
            reply_to=settings.remd_callback_url,
            client_entity_id=settings.remd_client_entity_id,
        )

    def _call(self, operation, message_id, payload):
        exchange = Exchange(operation=operation, message_id=message_id)
        try:
            _client, service = self._service(exchange)
            answer = getattr(service, operation)(**payload, _soapheaders=self._headers(operation, message_id))
        except Fault as exc:
            exchange.error = f"SOAP Fault: {exc.message}"
            raise TransportError(exchange.error, exchange) from exc
        except ZeepTransportError as exc:
            exchange.http_status = exc.status_code
            exchange.error = f"HTTP {exc.status_code}"
            raise TransportError(exchange.error, exchange) from exc
        except requests.Timeout as exc:
            exchange.error = f"Timeout after {self.timeout:g} s"
            raise TransportError(exchange.error, exchange) from exc
        except (requests.RequestException, ZeepError, OSError) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            raise TransportError(exchange.error, exchange) from exc
        return answer, exchange

    def register_document(self, metadata, message_id, file_bytes=b""):
        try:
            answer, exchange = self._call("registerDocument", message_id, metadata)
        except TransportError as exc:
            return Ack(ACK_RETRY, [("TRANSPORT", str(exc))], exc.exchange)
        errors = [(item.code, item.message or "") for item in (answer.errors.item if answer.errors else [])]
        return Ack(ACK_OK if answer.status == "success" else ACK_ERROR, errors, exchange)

    def search_registry_item(self, query):
        answer, exchange = self._call("searchRegistryItem", wsse.new_message_id(), query)
        items = answer.matches.item if answer.matches else []
        return [
            RegistryItem(
                local_uid=item.localUid,
                emdr_id=item.emdrId,
                registered_at=item.registrationDateTime.isoformat() if item.registrationDateTime else "",
                store_till=item.storeTillDate.isoformat() if item.storeTillDate else "",
            )
            for item in items
        ], exchange
