/** The front desk sends a reminder and sees the patient's reply confirm it; a manager previews a template
 * (data made by tests/test_ui_tours.py, which posts the patient's reply as the provider's webhook as soon
 * as the reminder reached the fake provider). */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("clinic_messaging_reminder_reply", {
    steps: () => [
        {
            content: "Open the front desk menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='clinic_scheduling.clinic_front_desk_menu']",
            run: "click",
        },
        {
            content: "Open the appointments",
            trigger: ".o-dropdown--menu [data-menu-xmlid='clinic_scheduling.clinic_appointment_menu']",
            run: "click",
        },
        { content: "Show them as a list", trigger: "button.o_switch_view.o_list", run: "click" },
        { content: "Find the patient", trigger: ".o_list_view .o_searchview_input", run: "edit Напоминаева" },
        { content: "Search", trigger: ".o_searchview_input", run: "press Enter" },
        {
            content: "Open her appointment",
            trigger: ".o_list_view .o_data_row:contains(Напоминаева) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "Send the reminder now",
            trigger: ".o_form_view button[name=action_clinic_send_reminder]",
            run: "click",
        },
        {
            content: "The reminder is in the appointment's chatter, sent on WhatsApp",
            trigger: ".o-mail-Message:contains(→ WhatsApp):contains(напоминаем) .fa-whatsapp",
        },
        {
            content: "Back to the appointments, where her reply has meanwhile arrived",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "Open her appointment again",
            trigger: ".o_list_view .o_data_row:contains(Напоминаева) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The appointment is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Confirmed)",
        },
        {
            content: "The chatter shows the reminder and the reply with their channel",
            trigger: ".o-mail-Message:contains(← WhatsApp: 1) .fa-whatsapp",
        },
    ],
});

tours.add("clinic_messaging_template_preview", {
    steps: () => [
        {
            content: "Open the clinic's configuration",
            trigger: ".o_main_navbar button[data-menu-xmlid='clinic_base.clinic_config_menu']",
            run: "click",
        },
        {
            content: "Open the templates",
            trigger: ".o-dropdown--menu [data-menu-xmlid='clinic_whatsapp.clinic_message_template_menu']",
            run: "click",
        },
        {
            content: "Open the first reminder",
            trigger: ".o_list_view .o_data_row td:contains(Напоминание за сутки)",
            run: "click",
        },
        {
            content: "Choose the appointment to preview",
            trigger: ".o_field_widget[name=preview_appointment_id] input",
            run: "edit ТУР-0001",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item a:contains(ТУР-0001)",
            run: "click",
        },
        {
            content: "The preview speaks to the patient by name and patronymic, with the doctor",
            trigger: ".o_field_widget[name=preview]:contains(Мария Ивановна, напоминаем):contains(Терапевтов Иван)",
        },
        {
            content: "Leave the template as it was",
            trigger: ".o_form_view .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing left unsaved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

tours.add("clinic_messaging_answer_conversation", {
    steps: () => [
        {
            content: "Open the front desk menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='clinic_scheduling.clinic_front_desk_menu']",
            run: "click",
        },
        {
            content: "Open the messages waiting for an answer",
            trigger: ".o-dropdown--menu [data-menu-xmlid='clinic_whatsapp.clinic_message_conversation_menu']",
            run: "click",
        },
        {
            content: "The patient's question is there: open it",
            trigger: ".o_list_view .o_data_row:contains(Собакина) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "It is her question, on WhatsApp",
            trigger: ".o_form_view .o_field_widget[name=body]:contains(А можно прийти с собакой?)",
        },
        {
            content: "Answer",
            trigger: ".o_form_view .o_form_statusbar button[name=action_answer]",
            run: "click",
        },
        {
            content: "The pop-up shows the question",
            trigger: ".modal .o_field_widget[name=question]:contains(с собакой)",
        },
        {
            content: "Write the answer",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Да, с собакой можно, если она на поводке.",
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            content: "The conversation now links the answer",
            trigger: ".o_form_view .o_field_widget[name=answer_id] a",
        },
    ],
});
