from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import CLINIC_TZ, SchedulingCase, utc

FIGURES = (
    "no_show_rate",
    "confirmed_ahead_rate",
    "freed_count",
    "refilled_count",
    "refill_time",
    "offer_time",
    "utilization",
    "online_share",
    "booking_time_desk",
    "booking_time_online",
)
DATE_FROM, DATE_TO = date(2025, 3, 3), date(2025, 3, 9)


def local(moment):
    """«03-04 09:00» or «03-04 09:00:30» of 2025, clinic time, as naive UTC."""
    wall = datetime.strptime(f"2025-{moment}", "%Y-%m-%d %H:%M:%S" if moment.count(":") == 2 else "%Y-%m-%d %H:%M")
    return utc(wall.date(), wall.hour, wall.minute) + timedelta(seconds=wall.second)


@tagged("post_install", "-at_install")
class TestKpi(SchedulingCase):
    """A hand-made week (3-9 March 2025, clinic time) whose every figure is worked out by hand in the comments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, clinic_no_slot_refresh=True))
        cls.env.company.resource_calendar_id.tz = CLINIC_TZ
        cls.s1, cls.s2 = cls.env["clinic.nsi.specialty"].create(
            [{"code": "KPI-1", "name": "Therapist"}, {"code": "KPI-2", "name": "Paediatrician"}]
        )
        cls.a, cls.b, cls.c = cls.env["hr.employee"].create(
            [
                {"name": "A", "is_practitioner": True, "specialty_ids": [(6, 0, cls.s1.ids)]},
                {"name": "B", "is_practitioner": True, "specialty_ids": [(6, 0, (cls.s1 | cls.s2).ids)]},
                {"name": "C", "is_practitioner": True, "specialty_ids": [(6, 0, cls.s2.ids)]},
            ]
        )
        cls.staff = cls.a | cls.b | cls.c
        cls.apt = {}
        # name: practitioner, start, minutes, state, source, created, {stamps...}
        for name, employee, start, minutes, state, source, created, extra in (
            (
                "a1",
                cls.a,
                "03-03 10:00",
                30,
                "done",
                "front_desk",
                "02-28 12:00",
                {"confirmed_at": "03-01 09:00", "booking_started_at": "02-28 11:58:20", "booking_seconds": 100},
            ),
            (
                "a2",
                cls.a,
                "03-03 11:00",
                30,
                "no_show",
                "website",
                "03-03 08:00",
                {
                    "confirmed_at": "03-03 01:00",
                    "no_show_at": "03-03 11:20",
                    "booking_started_at": "03-03 07:59",
                    "booking_seconds": 60,
                },
            ),
            ("a3", cls.a, "03-04 10:00", 60, "cancelled", "front_desk", "02-20 10:00", {"cancelled_at": "03-02 12:00"}),
            (
                "a4",
                cls.a,
                "03-04 12:00",
                30,
                "cancelled",
                "phone",
                "03-03 15:00",
                {"cancelled_at": "03-04 09:00", "booking_started_at": "03-03 14:56:40", "booking_seconds": 200},
            ),
            (
                "a5",
                cls.a,
                "03-04 12:00",
                30,
                "done",
                "website",
                "03-04 09:10",
                {"refill_seconds": 600, "booking_started_at": "03-04 09:09:20", "booking_seconds": 40},
            ),
            (
                "a6",
                cls.a,
                "03-05 10:00",
                30,
                "cancelled",
                "front_desk",
                "02-27 10:00",
                {"confirmed_at": "03-04 08:00", "cancelled_at": "03-05 10:10"},
            ),
            (
                "b1",
                cls.b,
                "03-03 10:00",
                30,
                "done",
                "messenger",
                "02-28 09:00",
                {"confirmed_at": "03-01 10:00", "booking_started_at": "02-28 08:59:30", "booking_seconds": 30},
            ),
            (
                "b2",
                cls.b,
                "03-03 10:30",
                30,
                "no_show",
                "front_desk",
                "02-25 10:00",
                {"confirmed_at": "03-02 10:30", "no_show_at": "03-03 10:50"},
            ),
            ("b3", cls.b, "03-06 15:00", 30, "confirmed", "website", "03-05 14:00", {"confirmed_at": "03-05 15:01"}),
            (
                "b4",
                cls.b,
                "03-07 09:00",
                30,
                "cancelled",
                "messenger",
                "03-03 09:00",
                {"cancelled_at": "03-06 12:00", "booking_started_at": "03-03 08:55", "booking_seconds": 300},
            ),
            (
                "b5",
                cls.b,
                "03-07 09:00",
                30,
                "done",
                "front_desk",
                "03-06 13:00",
                {"refill_seconds": 3600, "booking_started_at": "03-06 12:57:30", "booking_seconds": 150},
            ),
            ("c1", cls.c, "03-03 00:30", 30, "done", "phone", "03-01 10:00", {"confirmed_at": "03-01 00:00"}),
            (
                "c2",
                cls.c,
                "03-08 11:00",
                30,
                "no_show",
                "website",
                "03-04 10:00",
                {"no_show_at": "03-08 11:30", "booking_started_at": "03-04 09:58", "booking_seconds": 120},
            ),
            (
                "c3",
                cls.c,
                "03-10 01:00",
                30,
                "done",
                "website",
                "03-09 18:00",
                {"refill_seconds": 300, "booking_started_at": "03-09 17:59:15", "booking_seconds": 45},
            ),
            ("c4", cls.c, "03-09 16:00", 45, "done", "import", "03-05 10:00", {}),
        ):
            vals = {key: local(value) if key.endswith("_at") else value for key, value in extra.items()}
            cls.apt[name] = cls.env["clinic.appointment"].create(
                {
                    "patient_id": cls.patient.id,
                    "employee_id": employee.id,
                    "start": local(start),
                    "stop": local(start) + timedelta(minutes=minutes),
                    "state": state,
                    "source": source,
                    **vals,
                }
            )
            cls.env.flush_all()
            cls.env.cr.execute(
                "UPDATE clinic_appointment SET create_date = %s WHERE id = %s", [local(created), cls.apt[name].id]
            )
        cls.env.invalidate_all()
        # 15 slots of 30 minutes in the week (450 minutes), one the night after it.
        slot_vals = []
        for employee, first, count in (
            (cls.a, "03-03 10:00", 4),
            (cls.a, "03-04 10:00", 5),
            (cls.b, "03-03 10:00", 2),
            (cls.b, "03-07 09:00", 2),
            (cls.c, "03-09 16:00", 2),
            (cls.c, "03-10 01:00", 1),
        ):
            for index in range(count):
                start = local(first) + timedelta(minutes=30 * index)
                slot_vals.append({"employee_id": employee.id, "start": start, "stop": start + timedelta(minutes=30)})
        cls.slots = cls.env["clinic.slot"].create(slot_vals)
        entry = cls.env["clinic.waitlist"].create(
            {
                "patient_id": cls.patient.id,
                "specialty_id": cls.s1.id,
                "date_from": date(2025, 3, 1),
                "date_to": date(2025, 3, 31),
            }
        )
        cls.offers = {}
        for name, employee, freed, offered in (
            ("o1", cls.a, "03-04 09:00", "03-04 09:00:30"),  # 30 s, first for a4's time
            ("o2", cls.a, "03-04 09:00", "03-04 09:40"),  # passed on after a refusal: not first
            ("o3", cls.b, "03-06 12:00", "03-06 12:02"),  # 120 s, first for b4's time
            ("o4", cls.c, None, "03-05 10:00"),  # new time, not freed
            ("o5", cls.c, "03-08 11:30", "03-08 11:30:10"),  # 10 s, first for c2's time
            ("o6", cls.c, "03-09 20:00", "03-10 00:30"),  # offered after the week
        ):
            cls.offers[name] = cls.env["clinic.waitlist.offer"].create(
                {
                    "waitlist_id": entry.id,
                    "employee_id": employee.id,
                    "start": local(offered) + timedelta(days=1),
                    "freed_at": freed and local(freed),
                    "offered_at": local(offered),
                    "expires_at": local(offered) + timedelta(minutes=30),
                }
            )

    def compute(self, employees=None, specialties=None, sources=None, date_to=DATE_TO):
        return self.env["clinic.kpi"].compute(
            DATE_FROM,
            date_to,
            employee_ids=(employees or self.staff).ids,
            specialty_ids=specialties and specialties.ids,
            sources=sources,
        )

    def appointments(self, names):
        return self.env["clinic.appointment"].browse([self.apt[name].id for name in names.split()])

    def assertFigures(self, figures, expected):
        self.assertEqual({name: figures[name]["value"] for name in FIGURES}, expected)

    def assertRecords(self, records, model, expected):
        """The drill-down domain finds exactly the records the figure counted."""
        found = self.env[model].search(records["domain"])
        self.assertEqual(records["model"], model)
        self.assertEqual(found, expected)
        self.assertEqual(records["count"], len(expected))

    def test_figures(self):
        """Held: a1 a2 a5 a6 (cancelled after its start) b1 b2 b3 b5 c1 (00:30 local, still 2 March in UTC) c2 c4;
        not held: a3 a4 b4 (cancelled before the start), c3 (10 March local).
        Bookings made in the week: a2 a4 a5 b3 b4 b5 c2 c3 (c4 is an import)."""
        figures = self.compute()
        self.assertFigures(
            figures,
            {
                "no_show_rate": 3 / 11,
                "confirmed_ahead_rate": 5 / 11,  # a1 49 h, a6 26 h, b1 48 h, b2 24 h sharp, c1; not a2 10 h, b3 23:59
                "freed_count": 5,  # a4 b4 cancelled in advance in the week, a2 b2 c2 no-shows; a3 cancelled before
                "refilled_count": 3,  # a5 600 s, b5 3600 s, c3 300 s (booked in the week, held after it)
                "refill_time": 600.0,
                "offer_time": 30.0,  # o1 30 s, o3 120 s, o5 10 s
                # Slot time covered: a1 a5 b1 b5 30 min + c4 45 min = 165 of 15 slots = 450 min; b3 and c1 lie
                # outside the schedule (no slot) and do not count, so the load cannot pass 100 %.
                "utilization": 165 / 450,
                "online_share": 6 / 8,
                "booking_time_desk": 175.0,  # a4 200 s, b5 150 s
                "booking_time_online": 60.0,  # a2 60, a5 40, b4 300, c2 120, c3 45; b3's start was not recorded
            },
        )
        held = self.appointments("a1 a2 a5 a6 b1 b2 b3 b5 c1 c2 c4")
        bookings = self.appointments("a2 a4 a5 b3 b4 b5 c2 c3")
        Appointment = "clinic.appointment"
        self.assertRecords(figures["no_show_rate"], Appointment, self.appointments("a2 b2 c2"))
        self.assertRecords(figures["no_show_rate"]["base"], Appointment, held)
        self.assertRecords(figures["confirmed_ahead_rate"], Appointment, self.appointments("a1 a6 b1 b2 c1"))
        self.assertRecords(figures["confirmed_ahead_rate"]["base"], Appointment, held)
        self.assertRecords(figures["freed_count"], Appointment, self.appointments("a2 a4 b2 b4 c2"))
        self.assertRecords(figures["refilled_count"], Appointment, self.appointments("a5 b5 c3"))
        self.assertRecords(figures["refill_time"], Appointment, self.appointments("a5 b5 c3"))
        offers = self.offers["o1"] | self.offers["o3"] | self.offers["o5"]
        self.assertRecords(figures["offer_time"], "clinic.waitlist.offer", offers)
        self.assertRecords(figures["utilization"], Appointment, self.appointments("a1 a5 b1 b3 b5 c1 c4"))
        self.assertRecords(figures["utilization"]["base"], "clinic.slot", self.slots[:15])
        self.assertEqual((figures["utilization"]["numerator"], figures["utilization"]["denominator"]), (165, 450))
        self.assertRecords(figures["online_share"], Appointment, self.appointments("a2 a5 b3 b4 c2 c3"))
        self.assertRecords(figures["online_share"]["base"], Appointment, bookings)
        self.assertEqual(
            figures["online_share"]["by_source"], {"website": 5, "messenger": 1, "phone": 1, "front_desk": 1}
        )
        self.assertRecords(figures["booking_time_desk"], Appointment, self.appointments("a4 b5"))
        self.assertRecords(figures["booking_time_online"], Appointment, self.appointments("a2 a5 b4 c2 c3"))

    def test_practitioner_filter(self):
        figures = self.compute(employees=self.a)
        self.assertFigures(
            figures,
            {
                "no_show_rate": 1 / 4,  # a2 of a1 a2 a5 a6
                "confirmed_ahead_rate": 2 / 4,  # a1 a6
                "freed_count": 2,  # a2 a4
                "refilled_count": 1,
                "refill_time": 600.0,
                "offer_time": 30.0,
                "utilization": 60 / 270,  # a1 a5 of 9 slots
                "online_share": 2 / 3,  # a2 a5 of a2 a4 a5
                "booking_time_desk": 200.0,
                "booking_time_online": 50.0,
            },
        )
        self.assertRecords(figures["no_show_rate"]["base"], "clinic.appointment", self.appointments("a1 a2 a5 a6"))
        self.assertRecords(figures["utilization"]["base"], "clinic.slot", self.slots[:9])

    def test_specialty_filter(self):
        """Specialty 2 is B's and C's; with practitioner A as well nothing is left."""
        figures = self.compute(specialties=self.s2)
        self.assertFigures(
            figures,
            {
                "no_show_rate": 2 / 7,  # b2 c2 of b1 b2 b3 b5 c1 c2 c4
                "confirmed_ahead_rate": 3 / 7,  # b1 b2 c1
                "freed_count": 3,  # b2 b4 c2
                "refilled_count": 2,  # b5 c3
                "refill_time": 1950.0,
                "offer_time": 65.0,  # o3 120 s, o5 10 s
                "utilization": 105 / 180,  # b1 b5 30 min + c4 45 min of 6 slots (b3, c1 off the schedule)
                "online_share": 4 / 5,  # b3 b4 c2 c3 of those and b5
                "booking_time_desk": 150.0,
                "booking_time_online": 120.0,  # b4 300, c2 120, c3 45
            },
        )
        self.assertRecords(figures["freed_count"], "clinic.appointment", self.appointments("b2 b4 c2"))
        nobody = self.compute(employees=self.a, specialties=self.s2)
        self.assertFigures(
            nobody,
            {
                "no_show_rate": None,
                "confirmed_ahead_rate": None,
                "freed_count": 0,
                "refilled_count": 0,
                "refill_time": None,
                "offer_time": None,
                "utilization": None,
                "online_share": None,
                "booking_time_desk": None,
                "booking_time_online": None,
            },
        )

    def test_source_filter(self):
        """A channel filter restricts appointments only: slots and offers have no channel."""
        figures = self.compute(sources=["website"])
        self.assertFigures(
            figures,
            {
                "no_show_rate": 2 / 4,  # a2 c2 of a2 a5 b3 c2
                "confirmed_ahead_rate": 0.0,
                "freed_count": 2,  # a2 c2
                "refilled_count": 2,  # a5 c3
                "refill_time": 450.0,
                "offer_time": 30.0,
                "utilization": 30 / 450,  # a5 (b3 is off the schedule)
                "online_share": 1.0,
                "booking_time_desk": None,
                "booking_time_online": 52.5,  # a2 60, a5 40, c2 120, c3 45
            },
        )
        self.assertRecords(figures["online_share"]["base"], "clinic.appointment", self.appointments("a2 a5 b3 c2 c3"))
        desk = self.compute(sources=["front_desk", "phone"])
        self.assertEqual(desk["no_show_rate"]["value"], 1 / 5)  # b2 of a1 a6 b2 b5 c1
        self.assertEqual(desk["online_share"]["value"], 0.0)
        self.assertEqual(desk["booking_time_desk"]["value"], 175.0)

    def test_appointments_ahead_are_not_held_yet(self):
        """A future appointment is in the schedule load but cannot be a visit or a no-show yet."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        ahead = self.env["clinic.appointment"].create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.b.id,
                "start": start,
                "stop": start + timedelta(minutes=30),
                "source": "website",
            }
        )
        figures = self.compute(date_to=fields.Date.today() + timedelta(days=30))
        self.assertEqual(figures["no_show_rate"]["value"], 3 / 12)  # c3, held on 10 March, joins the eleven
        self.assertNotIn(ahead, self.env["clinic.appointment"].search(figures["no_show_rate"]["base"]["domain"]))
        self.assertIn(ahead, self.env["clinic.appointment"].search(figures["utilization"]["domain"]))
        # c3 falls in the longer period too, on its slot; the appointment ahead has no slot.
        self.assertEqual(figures["utilization"]["numerator"], 165 + 30)

    def test_flags(self):
        """The helper fields behind the domains agree with the rows they describe."""
        early = self.appointments("a3 a4 b4")
        self.assertEqual(early.mapped("cancelled_before_start"), [True] * 3)
        self.assertFalse(self.apt["a6"].cancelled_before_start)
        self.assertEqual(
            self.env["clinic.appointment"].search(
                [("id", "in", self.appointments("a1 a2 b2 b3").ids), ("confirmed_day_ahead", "=", True)]
            ),
            self.appointments("a1 b2"),
        )
        offers = self.env["clinic.waitlist.offer"].browse([offer.id for offer in self.offers.values()])
        self.assertEqual(offers.filtered("first_for_freed_time"), offers - self.offers["o2"] - self.offers["o4"])

    def test_dashboard(self):
        with Form(self.env["clinic.kpi.dashboard"]) as form:
            self.assertEqual(form.date_to, self.env.company._clinic_today())  # the clinic's day, not UTC's
            self.assertEqual(form.date_to - form.date_from, timedelta(days=29))
            form.date_from, form.date_to = DATE_FROM, DATE_TO
            form.employee_ids.add(self.a)
            self.assertEqual(form.no_show_rate, "25.0 % (1 of 4)")
            form.specialty_ids.add(self.s2)
            self.assertEqual(form.no_show_rate, "—")
        dashboard = self.env["clinic.kpi.dashboard"].create(
            {"date_from": DATE_FROM, "date_to": DATE_TO, "employee_ids": [(6, 0, self.staff.ids)]}
        )
        self.assertEqual(dashboard.no_show_rate, "27.3 % (3 of 11)")
        self.assertEqual(dashboard.utilization, "36.7 % (2 h 45 min of 7 h 30 min)")
        self.assertEqual(dashboard.freed_count, 5)
        self.assertEqual(dashboard.refill_time, "10 min")
        self.assertEqual(dashboard.booking_time_desk, "2 min 55 s")
        self.assertEqual(
            dashboard.source_shares, "Front desk 12.5 %, Phone call 12.5 %, Website 62.5 %, Messenger 12.5 %"
        )
        dashboard.channel = "desk"
        self.assertEqual(dashboard.booking_time_online, "—")
        self.assertEqual(dashboard.no_show_rate, "20.0 % (1 of 5)")
        action = dashboard.with_context(kpi_figure="no_show_rate").action_open_figure()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), self.apt["b2"])
        action = dashboard.with_context(kpi_figure="utilization", kpi_base=True).action_open_figure()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), self.slots[:15])

    def test_utilization_never_exceeds_the_schedule(self):
        """An appointment running past the schedule (c4 16:00-16:45, then one booked by hand 16:45-20:00 on
        9 March, when c's slots end at 17:00) fills the schedule once: 100 %, not the 400 % of booked minutes
        over slot minutes."""
        start = local("03-09 16:45")
        self.env["clinic.appointment"].create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.c.id,
                "start": start,
                "stop": start + timedelta(minutes=195),
                "state": "booked",
            }
        )
        figures = self.env["clinic.kpi"].compute(date(2025, 3, 9), date(2025, 3, 9), employee_ids=self.c.ids)
        utilization = figures["utilization"]
        self.assertEqual((utilization["numerator"], utilization["denominator"]), (60, 60))
        self.assertEqual(utilization["value"], 1.0)

    def test_formatting(self):
        dashboard = self.env["clinic.kpi.dashboard"]
        for seconds, text in (
            (None, "—"),
            (0, "0 s"),
            (40, "40 s"),
            (100, "1 min 40 s"),
            (75.4, "1 min 15 s"),
            (120, "2 min"),
            (3720, "1 h 2 min"),
            (90061, "1 d 1 h"),
            (172800, "2 d"),
        ):
            self.assertEqual(dashboard._format_duration(seconds), text)
        self.env["res.lang"]._activate_lang("ru_RU")
        self.assertEqual(dashboard.with_context(lang="ru_RU")._format_percent(0.125), "12,5 %")
