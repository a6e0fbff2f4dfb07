import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.bus.models.bus import channel_with_db, json_dump

# The clinic's zone, set on the company by setup_clinic (as the demo clinic's): not Moscow, the default, so that
# a page or an answer in a hard-coded zone shows up wrong.
TZ = "Asia/Yekaterinburg"
ADULT_SPECIALTY = "Тестовая терапия"
CHILD_SPECIALTY = "Тестовая педиатрия"
KEY_HEADER = "Authorization"


class OnlineBookingData:
    """A small published clinic of its own (every day 9-18 clinic time, 30-minute slots, two weeks ahead) that
    the website and the API offer next to whatever demo data the database holds."""

    @classmethod
    def setup_clinic(cls):
        env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.env = env
        env["ir.config_parameter"].sudo().set_param("clinic_scheduling.slot_horizon_days", 14)
        rub = env.ref("base.RUB")
        rub.active = True
        env.company.currency_id = rub
        env.company.clinic_tz = TZ
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Онлайн-запись 9-18",
                "tz": TZ,
                "attendance_ids": [
                    (0, 0, {"name": f"{day}", "dayofweek": str(day), "hour_from": 9, "hour_to": 18}) for day in range(7)
                ],
            }
        )
        Specialty = env["clinic.nsi.specialty"]
        cls.adult_specialty = Specialty.create({"code": "TEST-ADULT", "name": ADULT_SPECIALTY})
        cls.child_specialty = Specialty.create({"code": "TEST-CHILD", "name": CHILD_SPECIALTY})
        cls.doctor = cls.practitioner("Терапевтова Анна Павловна", cls.adult_specialty, "adult")
        cls.colleague = cls.practitioner("Лечащий Борис Олегович", cls.adult_specialty, "adult")
        cls.pediatrician = cls.practitioner("Детская Вера Ивановна", cls.child_specialty, "child")
        Product = env["product.product"]
        cls.service = Product.create(
            {"name": "Тестовый приём терапевта", "type": "service", "is_medical_service": True, "list_price": 1500,
             "duration_minutes": 30, "age_group": "adult", "specialty_ids": [(6, 0, cls.adult_specialty.ids)],
             "clinic_published": True}
        )  # fmt: skip
        cls.long_service = Product.create(
            {"name": "Тестовый расширенный приём терапевта", "type": "service", "is_medical_service": True,
             "list_price": 3200, "duration_minutes": 60, "age_group": "adult",
             "specialty_ids": [(6, 0, cls.adult_specialty.ids)], "clinic_published": True}
        )  # fmt: skip
        cls.child_service = Product.create(
            {"name": "Тестовый приём педиатра", "type": "service", "is_medical_service": True, "list_price": 2000,
             "duration_minutes": 30, "age_group": "child", "specialty_ids": [(6, 0, cls.child_specialty.ids)],
             "clinic_published": True}
        )  # fmt: skip
        cls.receptionist = new_test_user(
            env, login="clinic_reception_test", groups="base.group_user,clinic_base.group_clinic_receptionist"
        )
        cls.consumer = env["clinic.api.consumer"].create({"name": "Тестовый сайт клиники"})
        action = cls.consumer.action_generate_key()
        cls.api_key = env["clinic.api.key.wizard"].browse(action["res_id"]).key
        cls.Booking = env["clinic.online.booking"]
        cls.Request = env["clinic.online.booking.request"]
        cls.Appointment = env["clinic.appointment"]
        cls.Partner = env["res.partner"]

    @classmethod
    def practitioner(cls, name, specialty, age_group):
        return cls.env["hr.employee"].create(
            {"name": name, "is_practitioner": True, "resource_calendar_id": cls.calendar.id, "tz": TZ,
             "slot_duration": 30, "specialty_ids": [(6, 0, specialty.ids)], "age_group": age_group,
             "clinic_published": True, "clinic_bio": "<p>Опытный врач.</p>"}
        )  # fmt: skip

    def free_runs(self, practitioner, service=None, skip=0):
        """Free starts of one practitioner from tomorrow on (never «now», which moves during a test)."""
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        return self.Booking.search_runs(practitioner, service, date_from=tomorrow)[skip:]

    def person(self, surname="Новикова", first_name="Мария", patronymic="Сергеевна", birth_date="1990-04-12"):
        return {"surname": surname, "first_name": first_name, "patronymic": patronymic, "birth_date": birth_date}

    def values(self, slot, **extra):
        """What the booking form sends for an adult, consents ticked."""
        return {
            "slot": slot,
            "person": self.person(),
            "phone": "8 (912) 555-01-02",
            "email": "maria@example.com",
            "consent_personal_data": True,
            "consent_messages": True,
            **extra,
        }

    def follow_up(self):
        """Run the follow-up of the bookings made online, as the scheduled action each booking triggers does."""
        self.env.ref("clinic_scheduling.ir_cron_clinic_appointment_calendar").method_direct_trigger()

    def reception_pings(self, kind):
        """Pop-ups of ``kind`` sent to the test receptionist (bus rows are written when the transaction commits
        or flushes)."""
        self.env.cr.flush()
        channel = json_dump(channel_with_db(self.env.cr.dbname, self.receptionist.partner_id))
        messages = [json.loads(note.message) for note in self.env["bus.bus"].sudo().search([("channel", "=", channel)])]
        return [m["payload"] for m in messages if m["type"] == "clinic/reception" and m["payload"]["kind"] == kind]

    def counts(self):
        """Records a refused booking must not create."""
        return {
            model: self.env[model].sudo().search_count([])
            for model in ("clinic.appointment", "res.partner", "clinic.consent", "clinic.partner.relation",
                          "clinic.api.idempotency", "clinic.waitlist", "clinic.online.reservation")
        }  # fmt: skip


class OnlineBookingCase(OnlineBookingData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clinic()


class OnlineBookingHttpCase(OnlineBookingData, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clinic()

    def api(self, path, body=None, key=True, headers=None, method=None):
        """Call the API; returns (status, JSON body)."""
        headers = dict(headers or {})
        if key:
            headers[KEY_HEADER] = f"Bearer {self.api_key if key is True else key}"
        data = None
        if body is not None or method == "POST":
            headers["Content-Type"] = "application/json"
            data = json.dumps(body if body is not None else {})
        response = self.url_open(f"/api/booking/v1{path}", data=data, headers=headers, timeout=30)
        return response.status_code, response.json()
