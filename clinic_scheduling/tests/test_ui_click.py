from odoo.tests import HttpCase, new_test_user, tagged

CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('clinic_base.clinic_root_menu');"
)
ROLE_GROUPS = {
    "receptionist": "clinic_base.group_clinic_receptionist",
    "doctor": "clinic_base.group_clinic_doctor",
    "accountant": "clinic_base.group_clinic_accountant",
    "manager": "clinic_base.group_clinic_manager",
}


class ClinicUiCase(HttpCase):
    """One user per clinic role (the doctor is a practitioner), for browser tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users = {
            role: new_test_user(
                cls.env, login=f"clinic_ui_{role}", groups=f"base.group_user,{group}", name=f"UI {role}", tz="UTC"
            )
            for role, group in ROLE_GROUPS.items()
        }
        cls.practitioner = cls.env["hr.employee"].search([("is_practitioner", "=", True)], limit=1, order="id")
        cls.practitioner.user_id = cls.role_users["doctor"]


@tagged("post_install", "-at_install")
class TestClickEverywhere(ClinicUiCase):
    """Every clinic menu, view and filter opens for every clinic role without an error dialog."""

    allow_end_on_form = True

    def _click_everywhere(self, login):
        self.browser_js(
            "/odoo",
            CLICKBOT,
            "odoo.isReady === true",
            login=login,
            timeout=900,
            success_signal="clickbot test succeeded",
        )

    def test_receptionist(self):
        self._click_everywhere("clinic_ui_receptionist")

    def test_doctor(self):
        self._click_everywhere("clinic_ui_doctor")

    def test_accountant(self):
        self._click_everywhere("clinic_ui_accountant")

    def test_manager(self):
        self._click_everywhere("clinic_ui_manager")

    def test_admin(self):
        self._click_everywhere("admin")
