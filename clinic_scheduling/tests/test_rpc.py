import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SchedulingCase


@tagged("post_install", "-at_install")
class TestRpcSurface(SchedulingCase, HttpCase):
    """Issue 8, holes 1 and 4, replayed through /web/dataset/call_kw as the attacker did."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slot = cls.slot_at(cls.doctor, cls.monday, 10)
        cls.appointment = cls.Appointment.book(cls.patient, cls.slot_at(cls.doctor, cls.monday, 9))
        new_test_user(cls.env, "rpc_portal", groups="base.group_portal", password="rpc_portal_pw1")
        new_test_user(cls.env, "rpc_employee", groups="base.group_user", password="rpc_employee_pw1")

    def _call_kw(self, model, method, args, kwargs=None):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertRefused(self, answer):
        self.assertIn("error", answer, answer)
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer)

    def test_portal_user_cannot_hold_block_or_notify(self):
        self.authenticate("rpc_portal", "rpc_portal_pw1")
        self.assertRefused(self._call_kw("clinic.slot", "hold", [self.slot.ids, 600]))
        self.assertRefused(self._call_kw("clinic.slot", "action_block", [self.slot.ids, "x"]))
        self.assertRefused(self._call_kw("clinic.reception", "notify", ["x", "Fake", "Fake"]))
        self.assertRefused(self._call_kw("clinic.duplicate.engine", "refresh_clusters", []))
        self.assertRefused(
            self._call_kw("clinic.duplicate.engine", "match_row", [{"surname": "x", "birth_date": "2000-01-01"}])
        )
        self.slot.invalidate_recordset()
        self.assertEqual(self.slot.state, "free")

    def test_employee_with_no_clinic_role_reads_and_cancels_nothing(self):
        self.authenticate("rpc_employee", "rpc_employee_pw1")
        answer = self._call_kw("clinic.appointment", "search_read", [[]], {"fields": ["name", "patient_id"]})
        self.assertEqual(answer.get("result"), [], answer)
        self.assertRefused(self._call_kw("clinic.appointment", "read", [self.appointment.ids, ["patient_id"]]))
        self.assertRefused(self._call_kw("clinic.appointment", "action_cancel", [self.appointment.ids]))
        self.appointment.invalidate_recordset()
        self.assertEqual(self.appointment.state, "booked")
