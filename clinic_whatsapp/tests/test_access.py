from freezegun import freeze_time

from odoo.exceptions import AccessError
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
