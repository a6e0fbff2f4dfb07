"""The booking request of a website visitor or an API consumer: the typed values cleaned, who the patient is (never
an existing card on an unverified match), representation requests, consents, the booking or the waiting-list entry.
The front desk's pop-up of a booking comes with its follow-up (clinic.appointment._follow_up_booking). What is
offered (free times, holds, limits) is clinic.online.booking."""

import re
import uuid
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import email_normalize

from odoo.addons.clinic_base.models.res_partner import ADULT_AGE
from odoo.addons.clinic_base.tools import names
from odoo.addons.clinic_base.tools import phone as phone_tools
from odoo.addons.clinic_base.tools.dedupe import REVIEW_SCORE

from .clinic_online_booking import (
    ACTIVE_ONLINE_STATES,
    DEFAULT_MAX_ACTIVE,
    DEFAULT_PHONE_HOLDS,
    DEFAULT_PHONE_RATE,
    HOLD_WINDOW,
    MAX_AHEAD_DAYS,
    PARAM_MAX_ACTIVE,
    PARAM_PHONE_HOLDS,
    PARAM_PHONE_RATE,
    OnlineBookingError,
    echo,
)  # fmt: skip

# Under this age a legal representative books and signs the consents (from 15 the patient does, 323-FZ).
REPRESENTED_AGE = 15
REPRESENTATIVE_KINSHIPS = ("mother", "father", "guardian")
# Longest typed values accepted.
MAX_NAME = 60
MAX_PHONE = 40
MAX_EMAIL = 254
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’.-][^\W\d_]+)*\.?$")
# One-time codes a phone may be sent per hour (each is a message paid for and a nuisance to its owner).
CODES_PER_PHONE = 3
# How long the slots of a booking taken online stay held for its follow-up, which comes within seconds; a follow-up
# later than that (the server was down) books them if no one took them since, or asks the front desk to call.
RESERVE_MINUTES = 24 * 60


class ClinicOnlineBookingRequest(models.AbstractModel):
    """A booking request as typed, checked and turned into an appointment or a waiting-list entry; the website
    controller and the API only translate to it."""

    _name = "clinic.online.booking.request"
    _description = "Online booking request"

    # ------------------------------------------------------------------ booking

    @api.private
    @api.model
    def book_online(self, values):
        """Book one appointment asked for through the exchange API; returns it (the website answers with the
        reservation and lets its follow-up make the appointment: ``reserve``)."""
        reservation = self.reserve(values)
        appointment = reservation._materialize()
        if not appointment:
            raise OnlineBookingError("slot_unavailable", reservation.failure, "slot")
        return appointment

    @api.private
    @api.model
    def reserve(self, values):
        """Take the booking asked for on the website: check it all, keep its slots under the visitor's hold for
        the follow-up (RESERVE_MINUTES) and record what was typed; returns the clinic.online.reservation, whose
        follow-up makes the card, the consents and the appointment.

        ``values``: ``slot`` (first slot of the booking), ``hold_token``, ``service`` (product.product),
        either ``patient`` (a card the logged-in ``account`` may book: their own or a represented child's)
        or ``person`` (typed ``surname``, ``first_name``, ``patronymic``, ``birth_date``), ``representative``
        (typed ``surname``, ``first_name``, ``patronymic``, ``kinship``; a logged-in ``account`` represents
        their children themselves), ``phone``, ``email``, ``consent_personal_data``, ``consent_messages``,
        ``consumer`` (clinic.api.consumer of an API call), ``booking_started_at``, ``funnel``, ``identity``
        (``challenge`` and ``code`` of clinic.identity.code: the typed person proved to be that card).

        Everything is checked before anything is written; a refusal raises OnlineBookingError and leaves
        the database as it was, apart from the rate-limit counters.
        """
        request = self._clean(values)
        offer = self.env["clinic.online.booking"]
        slot = offer.check_offer(values["slot"], request["service"])
        proof = self.env["clinic.identity.code"]
        if values.get("identity") and request["person"]:
            identity = values["identity"]
            proof = proof._verify(identity.get("challenge"), identity.get("code"), request["phone"])
            request["patient"] = proof.partner_id
        self._check_age(request, slot)
        self._check_phone_limits(request["phone"])
        token = slot._hold_from(
            offer.duration(slot.employee_id, request["service"]), RESERVE_MINUTES, values.get("hold_token") or None
        )
        if not token:
            raise offer._taken(slot, request["service"])
        proof.sudo().used = bool(proof)
        funnel = values.get("funnel")
        if funnel:
            funnel._step("booked")
        person = request["person"]
        return self.env["clinic.online.reservation"]._take(
            {
                "online_ref": self.env["clinic.appointment"]._new_online_ref(),
                "access_token": str(uuid.uuid4()),
                "slot_id": slot.id,
                "hold_token": token,
                "employee_id": slot.employee_id.id,
                "start": slot.start,
                "service_id": request["service"].id,
                "typed": {
                    "person": dict(person, birth_date=person["birth_date"].isoformat()) if person else None,
                    "birth_date": request["birth_date"].isoformat(),
                    "representative": request["representative"],
                    "email": request["email"],
                    "consent_messages": request["consent_messages"],
                },
                "patient_id": request["patient"].id,
                "account_id": request["account"].id,
                "contact_phone": request["phone"],
                "api_consumer_id": (values.get("consumer") or self.env["clinic.api.consumer"]).id,
                "funnel_id": funnel.id if funnel else False,
                "booking_started_at": values.get("booking_started_at"),
            }
        )

    @api.private
    @api.model
    def join_waitlist(self, values):
        """Put a patient on the waiting list from the website; returns the entry.

        ``values`` as for ``book_online`` (without slot and hold) plus ``practitioner``, ``specialty``,
        ``date_from``, ``date_to`` and ``hours`` (local ``(from, to)``, see DAYPARTS).
        """
        request = self._clean(values)
        practitioner, specialty = values.get("practitioner"), values.get("specialty")
        if not (practitioner or specialty or request["service"]):
            raise OnlineBookingError(
                "missing_field", self.env._("Choose a practitioner, a specialty or a service to wait for."), "specialty"
            )
        self._check_phone_limits(request["phone"])
        today = self.env.company._clinic_today()
        date_from = min(max(values.get("date_from") or today, today), today + timedelta(days=MAX_AHEAD_DAYS))
        date_to = min(max(values.get("date_to") or date_from + timedelta(days=14), date_from),
                      date_from + timedelta(days=MAX_AHEAD_DAYS))  # fmt: skip
        hours = values.get("hours") or (0, 24)
        origin = self.env._("From the website, phone %(phone)s", phone=phone_tools.format_ru(request["phone"]))
        with self.env.cr.savepoint():
            patient, representative, attention = self._resolve_patient(request)
            self._record_consents(patient, representative, request, self.env["clinic.api.consumer"])
            entry = (
                self.env["clinic.waitlist"]
                .sudo()
                .create(
                    {
                        "patient_id": patient.id,
                        "employee_id": practitioner.id if practitioner else False,
                        "specialty_id": specialty.id if specialty else False,
                        "service_id": request["service"].id,
                        "date_from": date_from,
                        "date_to": date_to,
                        "hour_from": hours[0],
                        "hour_to": hours[1],
                        "note": "; ".join([origin, *attention]),
                    }
                )
            )
            self.env["clinic.reception"].notify(
                "website_waitlist",
                self.env._("Waiting list from the website"),
                self.env._("%(patient)s waits for %(what)s.", patient=patient.name, what=entry.display_name),
                entry,
                sticky=bool(attention),
            )
        return entry

    @api.model
    def _request_identity_code(self, typed_person, phone):
        """A one-time code for the typed person to prove a card holding ``phone`` (see clinic.identity.code); returns
        the challenge, the same whether or not a card matched. A phone gets at most CODES_PER_PHONE an hour."""
        person = self._clean_person(typed_person or {}, "")
        phone = self._clean_phone(phone)
        self.env["clinic.online.booking"]._check_rate(f"identity-phone:{phone}", CODES_PER_PHONE, 3600)
        return self.env["clinic.identity.code"]._challenge(person, phone)

    @api.private
    @api.model
    def represented(self, account):
        """The patients ``account`` (a logged-in visitor's contact) is the legal representative of."""
        if not account:
            return self.env["res.partner"]
        return self.env["res.partner"].sudo().search(
            [("is_patient", "=", True),
             ("relation_ids", "any", [("relative_id", "=", account.id), ("is_legal_representative", "=", True)])],
            order="name",
        )  # fmt: skip

    # ------------------------------------------------------------------ checks

    @api.model
    def _clean(self, values):
        """Typed values checked and normalized, without writing anything."""
        service = values.get("service") or self.env["product.product"]
        if service and not (service.is_medical_service and service.clinic_published):
            raise OnlineBookingError(
                "unknown_service", self.env._("Service «%(name)s» is not booked online.", name=service.name),
                "service_id",
            )  # fmt: skip
        patient = values.get("patient") or self.env["res.partner"]
        account = values.get("account") or self.env["res.partner"]
        if patient and patient != account and patient not in self.represented(account):
            raise OnlineBookingError(
                "forbidden", self.env._("You may book only yourself and the children you represent."), "who"
            )
        person = None if patient else self._clean_person(values.get("person") or {}, "")
        birth_date = patient.birth_date if patient else person["birth_date"]
        if patient and not birth_date:
            raise OnlineBookingError(
                "invalid_birth_date",
                self.env._("The card of %(name)s has no birth date: book them as a new person.", name=patient.name),
                "birth_date",
            )
        representative = None
        if values.get("representative") and not account:
            representative = self._clean_person(values["representative"], "representative_", birth_date=False)
            kinship = values["representative"].get("kinship") or "other"
            if kinship not in REPRESENTATIVE_KINSHIPS:
                raise OnlineBookingError(
                    "invalid_field",
                    self.env._("Kinship «%(value)s» is not one of %(allowed)s.", value=echo(kinship),
                               allowed=", ".join(REPRESENTATIVE_KINSHIPS)),
                    "representative_kinship",
                )  # fmt: skip
            representative["kinship"] = kinship
        if not values.get("consent_personal_data"):
            raise OnlineBookingError(
                "missing_consent",
                self.env._("Booking needs the consent to the processing of personal data."),
                "consent_personal_data",
            )
        return {
            "service": service,
            "patient": patient,
            "person": person,
            "birth_date": birth_date,
            "account": account,
            "representative": representative,
            "phone": self._clean_phone(values.get("phone")),
            "email": self._clean_email(values.get("email")),
            "consent_messages": bool(values.get("consent_messages")),
        }

    @api.model
    def _clean_person(self, person, prefix, birth_date=True):
        cleaned = {}
        for key, required in (("surname", True), ("first_name", True), ("patronymic", False)):
            value = " ".join(str(person.get(key) or "").split())
            if not value and required:
                raise OnlineBookingError(
                    "missing_field", self.env._("Fill in the field «%(field)s».", field=prefix + key), prefix + key
                )
            if value and (len(value) > MAX_NAME or not NAME_RE.match(value)):
                raise OnlineBookingError(
                    "invalid_field",
                    self.env._(
                        "%(field)s «%(value)s» is not a name: use letters only.", field=prefix + key, value=echo(value)
                    ),
                    prefix + key,
                )
            cleaned[key] = value
        if birth_date:
            cleaned["birth_date"] = self._clean_birth_date(person.get("birth_date"), prefix + "birth_date")
        return cleaned

    @api.model
    def _age_today(self, birth_date):
        """Full years at the clinic's today (not the visitor's: an anonymous one has no zone of their own)."""
        return relativedelta(self.env.company._clinic_today(), birth_date).years

    @api.model
    def _clean_birth_date(self, value, field):
        """A birth date as typed: 31.12.1990 (dots, slashes, dashes or spaces, or just 31121990) or ISO 1990-12-31."""
        if not value:
            raise OnlineBookingError("missing_field", self.env._("Fill in the birth date."), field)
        born = value if isinstance(value, date) else None
        text = str(value).strip()
        digits = re.sub(r"[./\s-]", "", text)
        for candidate, pattern in ((text, "%Y-%m-%d"), (digits, "%d%m%Y")):
            if born or not digits.isdigit():
                break
            try:
                born = datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
        if not born or born > self.env.company._clinic_today() or born.year < 1900:
            raise OnlineBookingError(
                "invalid_birth_date",
                self.env._("Birth date «%(value)s» is not a possible date: type it as 31.12.1990.", value=echo(value)),
                field,
            )
        return born

    @api.model
    def _clean_phone(self, value):
        if not value:
            raise OnlineBookingError("missing_field", self.env._("Fill in the phone number."), "phone")
        try:
            if len(str(value)) > MAX_PHONE:
                raise phone_tools.PhoneError(value)
            return phone_tools.normalize(str(value))["e164"]
        except phone_tools.PhoneError:
            raise OnlineBookingError(
                "invalid_phone",
                self.env._("Phone «%(value)s» is not a phone number: type it with the area code, e.g. "
                           "8 912 345-67-89.", value=echo(value)),
                "phone",
            ) from None  # fmt: skip

    @api.model
    def _clean_email(self, value):
        if not value:
            return ""
        email = email_normalize(str(value)) if len(str(value)) <= MAX_EMAIL else None
        if not email:
            raise OnlineBookingError(
                "invalid_email", self.env._("E-mail «%(value)s» is not an e-mail address.", value=echo(value)), "email"
            )
        return email

    @api.model
    def _check_age(self, request, slot):
        """The patient's age on the visit day fits the practitioner and the service; a young child has a
        representative."""
        visit_day = self.env["clinic.online.booking"].local_start(slot).date()
        age = relativedelta(visit_day, request["birth_date"]).years
        group = "child" if age < ADULT_AGE else "adult"
        for what, name, allowed in (
            ("practitioner", slot.employee_id.name, slot.employee_id.age_group),
            ("service", request["service"].name, request["service"].age_group or "both"),
        ):
            if allowed not in ("both", group):
                raise OnlineBookingError(
                    "age_mismatch",
                    self.env._("%(name)s is for %(allowed)s, and the patient will be %(age)s on %(day)s.",
                               name=name, allowed=self._age_label(allowed), age=age,
                               day=visit_day.strftime("%d.%m.%Y")),
                    "birth_date" if what == "practitioner" else "service_id",
                )  # fmt: skip
        needs_representative = age < REPRESENTED_AGE and not request["patient"]
        if needs_representative and not (request["representative"] or request["account"]):
            raise OnlineBookingError(
                "missing_representative",
                self.env._("A child under %(age)s is booked by a parent or guardian: fill in their name.",
                           age=REPRESENTED_AGE),
                "representative_surname",
            )  # fmt: skip

    @api.model
    def _age_label(self, group):
        labels = {"adult": self.env._("adults"), "child": self.env._("children")}
        return labels[group]

    @api.model
    def _check_phone_limits(self, phone):
        """Attempts per phone per hour, and a cap on the future online bookings made with one phone."""
        offer = self.env["clinic.online.booking"]
        offer._check_rate(f"phone:{phone}", offer._param(PARAM_PHONE_RATE, DEFAULT_PHONE_RATE), 3600)
        cap = offer._param(PARAM_MAX_ACTIVE, DEFAULT_MAX_ACTIVE)
        active = self.env["clinic.appointment"].sudo().search_count(
            [("contact_phone", "=", phone), ("source", "=", "website"), ("state", "in", ACTIVE_ONLINE_STATES),
             ("start", ">", fields.Datetime.now())]
        ) + self.env["clinic.online.reservation"].sudo().search_count(
            [("contact_phone", "=", phone), ("state", "=", "pending")]
        )  # fmt: skip
        if active >= cap:
            raise OnlineBookingError(
                "booking_limit_reached",
                self.env._("Phone %(phone)s already has %(count)s upcoming online bookings, the most allowed: cancel "
                           "one or call the clinic.", phone=phone_tools.format_ru(phone), count=active),
                "phone",
            )  # fmt: skip

    # ------------------------------------------------------------------ holds

    @api.model
    def _attach_phone(self, run, phone):
        """Attach the phone typed in the form to the visitor's held ``run`` (see clinic.online.booking.held_run),
        counted against the phone's cap on holds: one phone cannot keep many times held from many addresses.
        Resubmitting a form counts its hold once."""
        offer = self.env["clinic.online.booking"]
        if not run:
            return
        phone = self._clean_phone(phone)
        if run[0].hold_phone == phone:
            return
        offer._check_rate(f"hold-phone:{phone}", offer._param(PARAM_PHONE_HOLDS, DEFAULT_PHONE_HOLDS), HOLD_WINDOW)
        run.hold_phone = phone

    # ------------------------------------------------------------------ the patient

    @api.model
    def _resolve_patient(self, request):
        """The card to book on, the representative and what the front desk must check.

        A form proves nobody's identity, so nothing typed ever lands on, links to or reveals a card the visitor
        has not proven to be theirs (their own account's card, or a child they are the confirmed representative
        of). A typed person gets a card of their own with exactly what was typed; when clinic_base's duplicate
        engine finds a known patient like them, that card is named as a candidate for the front desk to merge.
        A declared representation of a minor becomes a request the front desk checks against documents.
        """
        attention = []
        account = request["account"]
        patient = request["patient"]
        if patient:
            if request["email"] and not patient.email:
                patient.sudo().email = request["email"]  # the visitor's own card, or their represented child's
        else:
            patient, attention = self._card_from_typed(request)
        representative = self.env["res.partner"]
        age = self._age_today(request["birth_date"])
        if age < ADULT_AGE and (account or request["representative"]) and patient != account:
            if account and patient in self.represented(account):
                representative = account
            else:
                representative = account or self._representative(request["representative"], request["phone"])
                attention.append(self._request_representation(patient, representative, request))
        return patient, representative, attention

    @api.model
    def _card_from_typed(self, request):
        """A card of the typed person (the visitor's own contact when they are a logged-in adult without a card),
        flagged with the known card it resembles, if any."""
        person, phone, account = request["person"], request["phone"], request["account"]
        engine = self.env["clinic.duplicate.engine"].sudo()
        row = engine.row_from_values(
            person["surname"], person["first_name"], person["patronymic"], person["birth_date"], "", [phone]
        )
        matches = [m for m in engine.match_row(row) if m["score"] >= REVIEW_SCORE and m["id"] != account.id]
        vals = self._card_vals(person, phone, request["email"])
        adult = self._age_today(person["birth_date"]) >= ADULT_AGE
        if account and not account.is_patient and adult:
            if account.email:
                del vals["email"]
            card = account.sudo()
            card.write(vals)
        else:
            card = self.env["res.partner"].sudo().with_context(tracking_disable=True).create(vals)
        if not matches:
            return card, []
        best = matches[0]
        card.online_candidate_id = best["id"]
        return card, [
            self.env._("The card %(card)s made online may be the patient of card %(known)s (%(why)s): check and "
                       "merge them, or dismiss the suggestion.", card=card.name, known=best["name"],
                       why=", ".join(best["reason_labels"]))
        ]  # fmt: skip

    @api.model
    def _card_vals(self, person, phone, email=None):
        vals = {
            "is_patient": True,
            "surname": person["surname"],
            "first_name": person["first_name"],
            "patronymic": person["patronymic"] or False,
            "birth_date": person["birth_date"],
            "phone": phone,
            "email": email or False,
        }
        if phone_tools.normalize(phone)["kind"] == "mobile":
            # as the card's phone line will mirror it: the card is written once, not written again by the line
            vals["mobile"] = phone
        return vals

    @api.model
    def _representative(self, typed, phone):
        """A contact made of the parent or guardian as typed, never an existing person found by name or phone."""
        full_name = names.full_name(
            names.tidy(typed["surname"]), names.tidy(typed["first_name"]), names.tidy(typed["patronymic"])
        )
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(tracking_disable=True)
            .create({"name": full_name, "phone": phone})
        )

    @api.model
    def _request_representation(self, child, representative, request):
        """Record the declared representation for the front desk; returns what they must check."""
        kinship = (request["representative"] or {}).get("kinship") or "other"
        self.env["clinic.representation.request"].sudo().create(
            {
                "child_id": child.id,
                "representative_id": representative.id,
                "kinship": kinship,
                "typed": f"{representative.name}, {phone_tools.format_ru(request['phone'])}",
            }
        )
        return self.env._(
            "%(rep)s declared online to be the legal representative of %(child)s: check the documents and confirm "
            "or reject the request.", rep=representative.name, child=child.name,
        )  # fmt: skip

    @api.model
    def _record_consents(self, patient, representative, request, consumer, at=None):
        """Consents ticked online: source «website», the time of booking (``at``, default now), who gave them."""
        age = self._age_today(request["birth_date"])
        by_representative = bool(representative) and age < REPRESENTED_AGE
        where = consumer.name if consumer else self.env._("the clinic's website")
        purposes = ["personal_data"] + (["service_messages"] if request["consent_messages"] else [])
        self.env["clinic.consent"].sudo().create(
            [
                {
                    "partner_id": patient.id,
                    "purpose": purpose,
                    "channel": "all",
                    "action": "given",
                    "source": "website",
                    "date": at or fields.Datetime.now(),
                    "given_by": "representative" if by_representative else "patient",
                    "representative_id": representative.id if by_representative else False,
                    "note": self.env._("Ticked when booking online on %(where)s", where=where),
                }
                for purpose in purposes
            ]
        )
