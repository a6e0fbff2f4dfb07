{
    "name": "Clinic: structured medical documents (SEMD) registered in REMD",
    "summary": "The doctor's visit becomes a validated CDA document (SEMD), signed by the doctor and the "
    "clinic, registered in the federal registry REMD with its status tracked to the end.",
    "version": "18.0.1.0.3",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling", "queue_job"],
    "external_dependencies": {
        "python": ["zeep", "lxml", "xmlsec", "requests", "saxonche", "gostcrypto", "asn1crypto", "cryptography"]
    },
    "data": [
        "security/ir.model.access.csv",
        "security/clinic_remd_rules.xml",
        "security/clinic_remd_exchange_rules.xml",
        "data/clinic_nsi_remd_data.xml",
        "data/clinic_remd_queue_data.xml",
        "views/clinic_semd_document_views.xml",
        "views/clinic_semd_registration_views.xml",
        "views/clinic_remd_exchange_views.xml",
        "views/clinic_semd_key_views.xml",
        "views/clinic_nsi_unshipped_views.xml",
        "views/clinic_visit_views.xml",
        "views/res_company_views.xml",
        "views/hr_employee_views.xml",
        "views/res_partner_views.xml",
        "views/clinic_remd_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["clinic_remd/static/tests/tours/*.js"],
    },
    "demo": [
        "demo/clinic_remd_demo.xml",
    ],
    "installable": True,
}
