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
