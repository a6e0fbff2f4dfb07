{
    "name": "Clinic: patient messaging (WhatsApp, SMS)",
    "summary": "Consent-aware appointment messages in Russian over WhatsApp Cloud API and an SMS gateway: "
    "an outbox written with the appointment event, sent by queue_job with retries, quiet hours and "
    "fallback to the next channel and the call list; replies confirm or cancel the appointment.",
    "version": "18.0.1.1.0",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling", "queue_job"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/clinic_whatsapp_rules.xml",
        "data/clinic_message_template_data.xml",
        "data/ir_cron_data.xml",
        "views/clinic_messaging_channel_views.xml",
        "views/clinic_message_template_views.xml",
        "views/clinic_message_views.xml",
        "views/clinic_message_answer_views.xml",
        "views/clinic_appointment_views.xml",
        "views/res_company_views.xml",
        "views/clinic_kpi_dashboard_views.xml",
        "views/clinic_whatsapp_menus.xml",
    ],
    "demo": ["demo/clinic_whatsapp_demo.xml"],
    "installable": True,
}
