from freezegun import freeze_time

from odoo import Command
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.clinic_scheduling.tests.common import utc

from .common import MessagingCase


@tagged("post_install", "-at_install")
class TestMessagingAccess(MessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "clinic_base.group_clinic_"
        cls.desk = new_test_user(cls.env, "msg_desk", groups=f"base.group_user,{groups}receptionist")
        cls.doc = new_test_user(cls.env, "msg_doc", groups=f"base.group_user,{groups}doctor")
        cls.accountant = new_test_user(cls.env, "msg_acc", groups=f"base.group_user,{groups}accountant")
        cls.manager = new_test_user(cls.env, "msg_mgr", groups=f"base.group_user,{groups}manager")
        cls.outsider = new_test_user(cls.env, "msg_out", groups="base.group_user")
        cls.portal = new_test_user(cls.env, "msg_portal", groups="base.group_portal")
        with freeze_time(utc(cls.saturday, 12)):
            cls.appointment = cls.book(cls, cls.anna)
        cls.queued = cls.env["clinic.message"].search([("appointment_id", "=", cls.appointment.id)])

    def test_front_desk_reads_and_stops_messages(self):
        messages = self.queued.with_user(self.desk)
        self.assertEqual(len(messages.read(["body", "state"])), 3)
        messages[:1].action_cancel()
        self.assertEqual(self.queued[:1].state, "cancelled")
        with self.assertRaises(AccessError):
            self.whatsapp.with_user(self.desk).read(["token"])

    def test_doctor_sees_own_patients_messages_only(self):
        Message = self.env["clinic.message"].with_user(self.doc)
        self.assertFalse(Message.search([("id", "in", self.queued.ids)]))
        self.doctor.user_id = self.doc
        self.assertEqual(Message.search([("id", "in", self.queued.ids)]), self.queued)
        with self.assertRaises(AccessError):
            self.queued.with_user(self.doc).action_cancel()

    def test_no_clinic_role_sees_nothing(self):
        for user in (self.accountant, self.outsider, self.portal):
            with self.assertRaises(AccessError):
                self.env["clinic.message"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.queued.with_user(user).action_cancel()
            with self.assertRaises(AccessError):
                self.env["clinic.messaging.channel"].with_user(user).search([])

    def test_manager_configures_channels(self):
        channel = self.whatsapp.with_user(self.manager)
        channel.token = "rotated"
        self.assertEqual(self.whatsapp.token, "rotated")
        with self.assertRaises(AccessError):
            self.whatsapp.with_user(self.desk).write({"sequence": 5})

    def test_each_role_opens_the_menus_it_sees(self):
        """What a user clicks: every menu of the module visible to a role opens its list and form."""
        menus = self.env["ir.ui.menu"].search([("id", "in", [self.env.ref(f"clinic_whatsapp.{x}").id for x in (
            "clinic_message_menu", "clinic_messaging_channel_menu", "clinic_message_template_menu")])])  # fmt: skip
        expected = {
            self.desk: {"clinic_message_menu"},
            self.doc: {"clinic_message_menu"},
            self.manager: {"clinic_message_menu", "clinic_messaging_channel_menu", "clinic_message_template_menu"},
            self.accountant: set(),
            self.outsider: set(),
        }
        for user, names in expected.items():
            visible = menus & menus.browse(self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
            self.assertEqual(
                set(visible.get_external_id().values()), {f"clinic_whatsapp.{n}" for n in names}, user.login
            )
            for menu in visible:
                Model = self.env[menu.action.res_model].with_user(user)
                views = Model.get_views([(False, "list"), (False, "form"), (False, "search")])
                self.assertEqual(set(views["views"]), {"list", "form", "search"})
                Model.web_search_read([], {"display_name": {}})
        template = self.env.ref("clinic_whatsapp.template_booked").with_user(self.manager)
        template.preview_appointment_id = self.appointment
        self.assertIn("Анна Петровна, вы записаны", template.preview)

    def test_front_desk_sends_a_reminder_now(self):
        with freeze_time(utc(self.saturday, 13)):
            self.appointment.with_user(self.desk).action_clinic_send_reminder()
            self.run_jobs()
        manual = self.env["clinic.message"].search(
            [("appointment_id", "=", self.appointment.id), ("key", "like", ":manual")]
        )
        self.assertEqual((manual.event, manual.state), ("reminder_24h", "sent"))
        self.assertEqual(len(self.fake.accepted_to("+79161234500")), 2)  # the booking message and this one
        for user in (self.doc, self.accountant, self.portal):
            with self.assertRaises(AccessError):
                self.appointment.with_user(user).action_clinic_send_reminder()

    def test_nobody_rewrites_a_message_over_rpc(self):
        """The tester's call: a receptionist's ``write`` of a queued reminder (another number, free text) went out
        as written from the clinic's account. What a message says and to whom is the system's: no clinic user
        writes a message, in or out, nor through the appointment; stopping one is the front desk's action."""
        message = self.queued[:1]
        fields = ["phone", "body", "template_id", "scheduled_at", "state"]
        before = message.read(fields)
        inbound = self.env["clinic.message"].create(
            {
                "channel_id": self.whatsapp.id,
                "partner_id": self.anna.id,
                "direction": "in",
                "state": "received",
                "phone": "+79161234500",
                "body": "Можно позже?",
                "provider_message_id": "wamid.ACL1",
                "needs_answer": True,
            }
        )
        rewrite = {"phone": "+79990000001", "template_id": False, "body": "free text", "scheduled_at": "2026-12-07"}
        for user in (self.desk, self.manager):
            for record, values in ((message, rewrite), (inbound, {"body": "другое", "needs_answer": False})):
                with self.subTest(user=user.login, direction=record.direction), self.assertRaises(AccessError):
                    call_kw(self.env["clinic.message"].with_user(user), "write", [record.ids, values], {})
            through_appointment = {"clinic_message_ids": [Command.update(message.id, rewrite)]}
            with self.subTest(user=user.login, via="appointment"), self.assertRaises(AccessError):
                call_kw(
                    self.env["clinic.appointment"].with_user(user),
                    "write",
                    [self.appointment.ids, through_appointment],
                    {},
                )
        self.assertEqual(message.read(fields), before)
        self.assertEqual((inbound.body, inbound.needs_answer), ("Можно позже?", True))
        # webhook events: nobody; channels (addresses, secrets) and templates: managers only
        event = self.env["clinic.message.webhook"].create(
            {"channel_id": self.whatsapp.id, "key": "in:acl", "state": "error"}
        )
        with self.assertRaises(AccessError):
            call_kw(
                self.env["clinic.message.webhook"].with_user(self.manager),
                "write",
                [event.ids, {"state": "pending"}],
                {},
            )
        for model, record, values in (
            ("clinic.messaging.channel", self.whatsapp, {"base_url": "http://127.0.0.1:1", "app_secret": "mine"}),
            ("clinic.message.template", self.env.ref("clinic_whatsapp.template_booked"), {"body": "free text"}),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                call_kw(self.env[model].with_user(self.desk), "write", [record.ids, values], {})
        self.assertNotEqual(self.whatsapp.app_secret, "mine")
        # the front desk's actions still work
        self.assertIs(
            call_kw(self.env["clinic.message"].with_user(self.desk), "action_cancel", [message.ids], {}), True
        )
        self.assertEqual(message.state, "cancelled")
        answer = call_kw(
            self.env["clinic.message.answer"].with_user(self.desk),
            "create",
            [{"message_id": inbound.id, "body": "Да"}],
            {},
        )
        call_kw(self.env["clinic.message.answer"].with_user(self.desk), "action_send", [[answer]], {})
        self.assertEqual((inbound.needs_answer, inbound.answer_id.body), (False, "Да"))

    def test_actions_on_no_record_say_so(self):
        """Called over RPC on no record: the rights check first, then a clear error, not «Expected singleton»."""
        for user, model, method in (
            (self.desk, "clinic.message", "action_answer"),
            (self.desk, "clinic.message.answer", "action_send"),
            (self.manager, "clinic.message.template", "action_send_promotion"),
        ):
            with self.subTest(method=method), self.assertRaisesRegex(UserError, "exactly one record, not 0"):
                call_kw(self.env[model].with_user(user), method, [[]], {})
            with self.subTest(method=method, user="portal"), self.assertRaises(AccessError):
                call_kw(self.env[model].with_user(self.portal), method, [[]], {})
