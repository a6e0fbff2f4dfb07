"""The whole suite is installed, and every clinic module speaks Russian.

Data-driven: the modules are the repository's clinic_* folders with a manifest; what must be
translated is what each module itself defines in the database (its models' descriptions and its
menus, found through their XML ids), so nothing here changes when modules or models are added.
"""

import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
MODULES = sorted(path.parent.name for path in REPO.glob("clinic_*/__manifest__.py"))
LANG = "ru_RU"


def _own_records(env, module, model):
    """Records of `model` that `module` defines (the XML ids it owns)."""
    data = env["ir.model.data"].search([("module", "=", module), ("model", "=", model)])
    return env[model].browse(data.mapped("res_id")).exists()


def test_suite_has_modules():
    assert MODULES, f"no clinic_* folder with a __manifest__.py in {REPO}"


@pytest.mark.parametrize("module", MODULES)
def test_module_installed(env, module):
    record = env["ir.module.module"].search([("name", "=", module)])
    assert record, f"{module} is unknown to the database: not in the addons path?"
    assert record.state == "installed", f"{module} is {record.state!r}, not 'installed'"


@pytest.mark.parametrize("module", MODULES)
def test_module_russian_translation(env, module):
    po_file = REPO / module / "i18n" / "ru.po"
    assert po_file.is_file(), f"{module}: {po_file.relative_to(REPO)} is missing"
    record = env["ir.module.module"].search([("name", "=", module), ("state", "=", "installed")])
    assert record, f"{module} is not installed: its translations cannot be loaded"

    env["res.lang"]._activate_lang(LANG)
    record._update_translations([LANG], overwrite=True)
    env.invalidate_all()

    checked = 0
    untranslated = []
    for model, what in (("ir.model", "model"), ("ir.ui.menu", "menu")):
        for rec in _own_records(env, module, model):
            english = rec.with_context(lang="en_US").name
            russian = rec.with_context(lang=LANG).name
            checked += 1
            if russian == english:
                label = rec.model if model == "ir.model" else rec.complete_name
                untranslated.append(f"{what} {label}: {english!r}")
    assert not untranslated, (
        f"{module}: {len(untranslated)} of {checked} names have no Russian translation in "
        f"{po_file.relative_to(REPO)}:\n  " + "\n  ".join(untranslated)
    )
