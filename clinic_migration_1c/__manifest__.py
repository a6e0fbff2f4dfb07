{
    "name": "Clinic: migration from 1C 7.7",
    "summary": "Imports a 1C:Enterprise 7.7 clinic base (DBF files or CSV/XML exports) from the backend: "
    "normalized and de-duplicated patients, the service catalogue and the historical service documents with their "
    "payments; mapping, dry run, batches that can be paused and resumed, a report of every row changed or refused.",
    "version": "18.0.1.0.0",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling"],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/clinic_migration_run_views.xml",
        "views/clinic_migration_mapping_views.xml",
        "views/clinic_migration_link_views.xml",
        "views/clinic_migration_issue_views.xml",
        "views/clinic_migration_kladr_load_views.xml",
        "views/res_partner_views.xml",
        "wizards/clinic_migration_wizard_views.xml",
        "views/clinic_migration_menus.xml",
    ],
    "installable": True,
}
