import base64
import logging
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

from odoo.addons.clinic_base.tools.access import DOCTOR, MANAGER, require_group

from ..transports import ACK_ERROR, ACK_OK, TRANSIENT_CODES, TransportError
from .remd_errors import explain

_logger = logging.getLogger(__name__)

IN_TRANSIT = ("sending", "sent")
FINAL = ("registered", "rejected")
REMD_STATES = ("sending", "sent", "registered", "rejected", "error")
STALE_SENDING = timedelta(minutes=15)  # a registration job never takes this long: its worker died


class ClinicSemdDocument(models.Model):
    """Registration of a signed document in REMD: the jobs, the callbacks and the reconciliation.

    A document is registered by one job at a time: the job claims the row with an atomic UPDATE
    (``FOR UPDATE SKIP LOCKED``) and keeps it locked until its outcome is committed, so two workers
    never send the same document; REMD's answers are matched by our WS-Addressing message ids and
    applied under a row lock, so a repeated or late answer changes nothing.
    """

    _inherit = ["clinic.semd.document", "mail.activity.mixin"]
    _name = "clinic.semd.document"

    remd_attempts = fields.Integer(string="Attempts", readonly=True, copy=False, help="Registration requests sent.")
    remd_next_attempt = fields.Datetime(string="Next attempt", readonly=True, copy=False)
    remd_state_since = fields.Datetime(
        string="In this status since", readonly=True, copy=False, help="When the REMD status last changed."
    )
    remd_sent_at = fields.Datetime(string="Accepted by REMD", readonly=True, copy=False)
    remd_registered_at = fields.Datetime(string="Registered", readonly=True, copy=False)
    remd_store_till = fields.Date(string="Stored in REMD until", readonly=True, copy=False)
    remd_error_codes = fields.Char(
        string="REMD error codes", readonly=True, copy=False, help="Codes of НСИ 1.2.643.5.1.13.13.99.2.305."
    )
    remd_exchange_ids = fields.One2many(
        "clinic.remd.exchange", "document_id", string="REMD exchanges", readonly=True, groups=MANAGER
    )

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        """REMD's statuses and answers come from the registration code (superuser) only, never from a form or RPC."""
        if not self.env.su and (vals.get("state") in REMD_STATES or any(name.startswith("remd_") for name in vals)):
            raise AccessError(self.env._("The REMD status of a document is set by REMD's answers only."))
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_register(self):
        """Queue the registration in REMD of signed documents (or again after a failure that needs no new version)."""
        require_group(
            self.env, DOCTOR, MANAGER, message=self.env._("Only doctors and managers can send documents to REMD.")
        )
        self.check_access("write")
        ready = self.filtered(lambda d: d.state in ("signed", "error"))
        if ready != self:
            raise UserError(
                self.env._(
                    "%(names)s: only signed documents, or documents REMD could not be reached for, can be sent.",
                    names=", ".join((self - ready).mapped("display_name")),
                )
            )
        ready.sudo()._remd_queue()
        return True

    def action_check_remd(self):
        """Look a document in transit up in the registry now, rather than waiting for REMD's answer."""
        require_group(self.env, MANAGER, message=self.env._("Only managers can query the REMD registry."))
        self.check_access("read")
        for document in self.sudo().filtered(lambda d: d.state in ("sent", "error")):
            document._remd_reconcile()
        return True

    # ------------------------------------------------------------------ registration job

    def _remd_queue(self):
        """Start the registration of signed documents; the signing flow calls it once both signatures are on."""
        now = fields.Datetime.now()
        self.write({"state": "sending", "remd_next_attempt": now, "remd_state_since": now, "remd_attempts": 0})
        self._remd_enqueue()

    def _remd_enqueue(self):
        for document in self:
            document.with_delay(
                eta=document.remd_next_attempt,
                channel="root.remd",
                identity_key=f"clinic.semd.document:{document.id}:register:{document.remd_attempts}",
                max_retries=1,
                description=f"Register SEMD {document.id} in REMD",
            )._remd_register()

    def _remd_claim(self):
        """Take the document for one attempt: one worker wins; returns the attempt number, or 0.

        The row stays locked until this transaction ends, i.e. until the attempt's outcome is saved.
        """
        self.env.flush_all()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "UPDATE clinic_semd_document SET remd_attempts = COALESCE(remd_attempts, 0) + 1 "
                    "WHERE id = (SELECT id FROM clinic_semd_document WHERE id = %s AND state = 'sending' "
                    "AND (remd_next_attempt IS NULL OR remd_next_attempt <= %s) FOR UPDATE SKIP LOCKED) "
                    "RETURNING remd_attempts",
                    [self.id, fields.Datetime.now()],
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            row = None
        self.invalidate_recordset(["remd_attempts"])
        return row[0] if row else 0

    def _remd_register(self):
        """The job: one registerDocument request, then sent, retry later, rejected or error."""
        self.ensure_one()
        document = self.sudo()
        attempt = document._remd_claim()
        if not attempt:
            return "not ours"
        company = document.company_id
        transport = company._remd_transport()
        message_id = f"urn:uuid:{uuid.uuid4()}"
        started, clock = fields.Datetime.now(), time.monotonic()
        try:
            metadata = document._remd_metadata()
        except UserError as exc:
            document._remd_set_state("error", str(exc))
            document._remd_notify(str(exc))
            return "error"
        ack = transport.register_document(metadata, message_id, document._remd_file_bytes())
        self.env["clinic.remd.exchange"]._log(
            document,
            "out",
            ack.exchange,
            transport=transport.code,
            outcome=ack.outcome,
            started_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
        )
        codes = [code for code, _message in ack.errors]
        if ack.outcome == ACK_OK:
            document._remd_set_state(
                "sent", extra={"remd_message_id": message_id, "remd_sent_at": fields.Datetime.now()}
            )
            return "sent"
        if ack.outcome == ACK_ERROR and "NOT_UNIQUE_PROVIDED_ID" in codes and attempt > 1:
            # an earlier attempt reached REMD although its answer got lost: wait for that one's result
            document._remd_set_state("sent", extra={"remd_sent_at": fields.Datetime.now()})
            return "sent earlier"
        if ack.outcome == ACK_ERROR and not set(codes) <= TRANSIENT_CODES:
            return document._remd_reject(ack.errors)
        return document._remd_retry(ack.errors)

    def _remd_retry(self, errors):
        """Try again after a backoff (base, ×4 each time); after the last attempt the document is in error."""
        company = self.company_id.sudo()
        if self.remd_attempts >= company.remd_max_attempts:
            text = self.env._("REMD could not be reached after %(n)s attempts:", n=self.remd_attempts)
            text = f"{text}\n{explain(self.env, errors)}"
            self._remd_set_state("error", text, errors)
            self._remd_notify(text)
            return "gave up"
        delay = company.remd_retry_seconds * 4 ** max(self.remd_attempts - 1, 0)
        self._remd_set_state(
            "sending",
            explain(self.env, errors),
            errors,
            extra={"remd_next_attempt": fields.Datetime.now() + timedelta(seconds=delay)},
        )
        self._remd_enqueue()
        return "retry"

    def _remd_reject(self, errors):
        lang = self.employee_id.user_id.lang or self.env.lang
        text = explain(self.with_context(lang=lang).env, errors)
        self._remd_set_state("rejected", text, errors)
        self._remd_notify(text)
        return "rejected"

    def _remd_set_state(self, state, text=None, errors=(), extra=None):
        vals = {"state": state, "remd_state_since": fields.Datetime.now(), **(extra or {})}
        if text is not None:
            vals["error_text"] = text
            vals["remd_error_codes"] = ",".join(code for code, _message in errors) or False
        self.write(vals)

    def _remd_notify(self, text):
        """Tell the doctor (an activity on the document, in their language) why REMD did not register it."""
        user = self.employee_id.user_id
        env = self.with_context(lang=user.lang or self.env.lang).env
        summary = env._("REMD did not register %(name)s", name=self.display_name)
        body = Markup("<p><b>%s</b></p><p>%s</p>") % (summary, Markup("<br/>").join(text.splitlines()))
        self.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        if user:
            self.activity_schedule("mail.mail_activity_data_todo", user_id=user.id, summary=summary, note=text)

    # ------------------------------------------------------------------ what REMD receives

    def _remd_file_bytes(self):
        """The frozen XML, exactly as signed."""
        self.ensure_one()
        return base64.b64decode(self.sudo().xml_content or b"")

    def _remd_metadata(self):
        """registerDocument's content: kind, local id, organization, patient, checksum, signatures."""
        self.ensure_one()
        patient, employee, company = self.patient_id, self.employee_id.sudo(), self.company_id
        missing = [
            label
            for label, value in (
                (self.env._("clinic's FRMO OID"), company.frmo_oid),
                (self.env._("local id"), self.local_uid),
                (self.env._("checksum"), self.checksum),
                (self.env._("doctor's signature"), self.doctor_signature),
                (self.env._("clinic's signature"), self.org_signature),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "%(name)s cannot be sent: missing %(what)s.", name=self.display_name, what=", ".join(missing)
                )
            )
        doctor_sig = base64.b64decode(self.doctor_signature)
        org_sig = base64.b64decode(self.org_signature)
        surname, _sp, rest = (employee.name or "").partition(" ")
        given, _sp, patronymic = rest.partition(" ")
        return {
            "kind": self.kind_code,
            "localUid": self.local_uid,
            "organization": company.frmo_oid,
            "documentNumber": self.name,
            "creationDateTime": self.create_date.replace(microsecond=0).isoformat() + "Z",
            "patient": {
                "localId": str(patient.id),
                "snils": patient.snils or None,
                "surname": patient.surname or patient.name,
                "name": patient.first_name or "-",
                "patronymic": patient.patronymic or None,
                "birthDate": patient.birth_date or None,
                "gender": {"male": "1", "female": "2"}.get(patient.gender),
            },
            "checksum": self.checksum,
            "orgSignature": {"data": org_sig, "checksum": _crc32(org_sig)},
            "personalSignatures": {
                "item": [
                    {
                        "signer": {
                            "localId": str(employee.id),
                            "role": "AUTHOR",
                            "surname": surname,
                            "name": given or "-",
                            "patronymic": patronymic or None,
                            "snils": employee.snils or None,
                            "position": employee.position_id.code or None,
                        },
                        "signature": {"data": doctor_sig, "checksum": _crc32(doctor_sig)},
                    }
                ]
            },
        }

    # ------------------------------------------------------------------ REMD's answers

    @api.model
    def _remd_document_of_message(self, message_id):
        """The document whose registerDocument request had this message id (any attempt of it)."""
        exchange = (
            self.env["clinic.remd.exchange"]
            .sudo()
            .search(
                [("direction", "=", "out"), ("operation", "=", "registerDocument"), ("message_id", "=", message_id)],
                limit=1,
            )
        )
        return exchange.document_id

    def _remd_lock(self):
        """Wait for the row (a running job or another callback) and reread it.

        When another transaction changed the row meanwhile, PostgreSQL raises a serialization failure:
        the HTTP layer (or the job runner) replays the whole call, which then sees the new state.
        """
        with mute_logger("odoo.sql_db"):
            self.env.cr.execute("SELECT id FROM clinic_semd_document WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset()

    @api.model
    def _remd_apply_result(self, message_id, result, callback_id=None):
        """Apply registerDocumentResult once: ``result`` has status, registry item fields and errors.

        ``message_id`` is our registerDocument's id as signed by the sender; each is applied once
        (``clinic.remd.result``), so a replayed result (``callback_id``, its MessageID, aside) changes nothing.
        Returns what happened: unknown / duplicate / registered / rejected / retry.
        """
        document = self._remd_document_of_message(message_id).sudo()
        if not document:
            _logger.info("clinic_remd: result for unknown message %s", message_id)
            return "unknown"
        document._remd_lock()
        if not self.env["clinic.remd.result"].sudo()._claim(document, message_id, callback_id):
            return "duplicate"
        if document.state in FINAL:
            return "duplicate"
        errors = result.get("errors") or []
        if result.get("status") == "success":
            document._remd_set_state(
                "registered",
                "",
                extra={
                    "remd_registry_number": result.get("emdrId"),
                    "remd_registered_at": _utc(result.get("registrationDateTime")) or fields.Datetime.now(),
                    "remd_store_till": result.get("storeTillDate") or False,
                    "remd_next_attempt": False,
                },
            )
            document.message_post(
                body=self.env._("Registered in REMD under %(number)s.", number=result.get("emdrId")),
                subtype_xmlid="mail.mt_note",
            )
            return "registered"
        codes = {code for code, _message in errors}
        if codes and codes <= TRANSIENT_CODES and document.state in ("sent", "error"):
            document._remd_set_state("sending")
            return document._remd_retry(errors)
        if document.state == "sending":
            return "duplicate"  # a retry is already under way: its own answer will tell
        return document._remd_reject(errors or [("", self.env._("No reason given"))])

    # ------------------------------------------------------------------ reconciliation

    @api.model
    def _remd_cron(self):
        """Queue the registry search for documents REMD did not answer for, and restart abandoned sends."""
        now = fields.Datetime.now()
        Document = self.sudo()
        for company in self.env["res.company"].sudo().search([]):
            late = now - timedelta(minutes=company.remd_reconcile_minutes or 120)
            for document in Document.search(
                [("company_id", "=", company.id), ("state", "=", "sent"), ("remd_state_since", "<", late)]
            ):
                document.with_delay(
                    channel="root.remd",
                    identity_key=f"clinic.semd.document:{document.id}:reconcile:{document.remd_state_since}",
                    description=f"Reconcile SEMD {document.id} with the REMD registry",
                )._remd_reconcile()
        Document.search([("state", "=", "sending"), ("remd_next_attempt", "<", now - STALE_SENDING)])._remd_enqueue()

    def _remd_reconcile(self):
        """No answer from REMD: search the registry; found → registered, else in error for a person to decide."""
        self.ensure_one()
        document = self.sudo()
        document._remd_lock()
        if document.state not in ("sent", "error"):
            return "nothing to do"
        transport = document.company_id._remd_transport()
        day = (document.remd_sent_at or document.create_date).date()
        query = {
            "organization": document.company_id.frmo_oid,
            "kind": document.kind_code,
            "patientSnils": document.patient_id.snils or None,
            "registerDateBegin": day,
            "registerDateEnd": fields.Date.today() + timedelta(days=1),
        }
        if transport.code == "platform":
            query = {key: str(value) if value else value for key, value in query.items()}
        try:
            items, exchange = transport.search_registry_item(query)
        except TransportError as exc:
            self.env["clinic.remd.exchange"]._log(
                document, "out", exc.exchange, transport=transport.code, outcome="retry"
            )
            return "no answer"
        self.env["clinic.remd.exchange"]._log(document, "out", exchange, transport=transport.code, outcome="ok")
        item = next((item for item in items if item.local_uid == document.local_uid), None)
        if item:
            document._remd_set_state(
                "registered",
                "",
                extra={
                    "remd_registry_number": item.emdr_id,
                    "remd_registered_at": _utc(item.registered_at) or fields.Datetime.now(),
                    "remd_store_till": item.store_till or False,
                },
            )
            return "registered"
        if document.state == "sent":
            text = self.env._("REMD sent no result and its registry does not know the document: send it again.")
            document._remd_set_state("error", text)
            document._remd_notify(text)
        return "not found"


def _crc32(data):
    return str(zlib.crc32(data))


def _utc(value):
    """Naive UTC datetime of an ISO date-time from REMD, or None."""
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
