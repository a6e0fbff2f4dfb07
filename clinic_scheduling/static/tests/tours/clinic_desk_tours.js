/** A day at the clinic through the buttons, one tour per role (data made by tests/test_ui_tours.py). */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function openMenu(section, item) {
    return [
        {
            content: `Open the menu section ${section}`,
            trigger: `.o_main_navbar button[data-menu-xmlid='${section}']`,
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.o-dropdown--menu [data-menu-xmlid='${item}']`,
            run: "click",
        },
    ];
}

function pickInDialog(field, text) {
    return [
        {
            content: `Type «${text}» in ${field}`,
            trigger: `.modal .o_field_widget[name=${field}] input`,
            run: `edit ${text}`,
        },
        {
            content: `Choose «${text}»`,
            trigger: `.o-autocomplete--dropdown-item a:contains(${text})`,
            run: "click",
        },
    ];
}

tours.add("clinic_desk_receptionist", {
    steps: () => [
        {
            content: "The receptionist lands in the Clinic app, on the day grid (not in Discuss)",
            trigger: ".o_clinic_day_grid .o_clinic_grid_column",
        },
        ...openMenu("clinic_base.clinic_patients_menu", "clinic_base.res_partner_patient_menu"),
        {
            content: "Type the phone as the patient says it",
            trigger: ".o_searchview_input",
            run: "edit 8(912)555 44-33",
        },
        { content: "Search", trigger: ".o_searchview_input", run: "press Enter" },
        {
            content: "The patient is found by the phone",
            trigger: ".o_list_view .o_data_row:contains(Турова) td[name=name]",
            run: "click",
        },
        {
            content: "The clinic's patient card opens, with its appointments tab",
            trigger: ".o_form_view a[name=clinic_appointments]",
        },
        { content: "Book from the card", trigger: "button[name=action_clinic_book]", run: "click" },
        ...pickInDialog("employee_id", "Турбинов"),
        {
            content: "The first «Book» click in the booking window books",
            trigger: ".modal .o_field_widget[name=free_slot_ids] .o_kanban_record:first button[name=action_book_from_window]:contains(Турбинов)",
            run: "click",
        },
        {
            content: "The appointment is booked",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Booked)",
        },
        { content: "Move it", trigger: "button[name=action_open_reschedule]", run: "click" },
        {
            content: "The first «Book» click moves it",
            trigger: ".modal .o_field_widget[name=free_slot_ids] .o_kanban_record:first button[name=action_book_from_window]",
            run: "click",
        },
        {
            content: "The appointment has moved",
            trigger: ".o_form_view .o_field_widget[name=reschedule_count]:contains(1)",
        },
        { content: "Cancel it", trigger: "button[name=action_open_cancel_wizard]", run: "click" },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit Заболела",
        },
        { content: "Cancel and free the time", trigger: ".modal button[name=action_confirm]", run: "click" },
        {
            content: "The appointment is cancelled",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Cancelled)",
        },
        ...openMenu("clinic_scheduling.clinic_front_desk_menu", "clinic_scheduling.clinic_waitlist_offer_menu"),
        {
            content: "The freed time is offered to the waiting patient",
            trigger: ".o_list_view .o_data_row:contains(Ждущий)",
        },
        ...openMenu("clinic_scheduling.clinic_front_desk_menu", "clinic_scheduling.clinic_waitlist_menu"),
        {
            content: "The waiting list opens, with the patient waiting",
            trigger: ".o_list_view .o_data_row:contains(Ждущий)",
        },
        ...openMenu("clinic_scheduling.clinic_front_desk_menu", "clinic_scheduling.clinic_day_grid_menu"),
        {
            content: "Only the tour practitioner's cabinet",
            trigger: ".o_clinic_grid_cabinet",
            run: "selectByLabel Тур кабинет",
        },
        {
            content: "A free time in the practitioner's column is clicked",
            trigger: ".o_clinic_grid_column:contains(Турбинов) .o_clinic_grid_free:first",
            run: "click",
        },
        ...pickInDialog("patient_id", "Турова"),
        { content: "Book", trigger: ".modal button[name=action_book_chosen]", run: "click" },
        {
            content: "Booked from the grid",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Booked)",
        },
        {
            content: "The patient's link on the appointment",
            trigger: ".o_form_view .o_field_widget[name=patient_id] a.o_form_uri",
            run: "click",
        },
        {
            content: "opens the clinic's patient card (not the generic contact form), with the new booking",
            trigger: ".o_form_view .o_field_widget[name=clinic_appointment_ids] .o_data_row:contains(Турбинов)",
        },
        ...openMenu("clinic_scheduling.clinic_front_desk_menu", "clinic_scheduling.clinic_appointment_calls_menu"),
        {
            content: "The patient to call before tomorrow is on the call list",
            trigger: ".o_list_view .o_data_row:contains(Звонкова) button[name=action_call_confirmed]",
            run: "click",
        },
        {
            content: "Confirmed on the call: off the list",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Звонкова)))",
        },
    ],
});

tours.add("clinic_desk_doctor", {
    steps: () => [
        { content: "The doctor's day grid, today", trigger: ".o_clinic_day_grid .o_clinic_grid_today", run: "click" },
        {
            content: "The doctor's own day, with the patient who has arrived",
            trigger: ".o_clinic_day_grid .o_clinic_grid_appointment:contains(Больнова)",
            run: "click",
        },
        { content: "Open the visit", trigger: "button[name=action_open_visit]", run: "click" },
        { content: "The protocol", trigger: ".o_notebook a[name=protocol]", run: "click" },
        {
            content: "Complaints",
            trigger: ".o_field_widget[name=complaints] textarea",
            run: "edit Кашель, насморк три дня",
        },
        {
            content: "Search the diagnosis in ICD-10",
            trigger: ".o_field_widget[name=diagnosis_id] input",
            run: "edit J06.9",
        },
        {
            content: "Choose it",
            trigger: ".o-autocomplete--dropdown-item a:contains(J06.9)",
            run: "click",
        },
        { content: "Close the visit", trigger: "button[name=action_done]", run: "click" },
        {
            content: "The visit is done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        { content: "Actions", trigger: ".o_cp_action_menus button:has(.fa-cog)", run: "click" },
        { content: "Print", trigger: ".o-dropdown--menu button:has(.fa-print)", run: "click" },
        {
            content: "The act of services rendered",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Act of services rendered)",
            run: "click",
        },
        {
            content: "Printed without an error",
            trigger: ".o_form_view .o_statusbar_status:not(:has(.o_error_dialog))",
        },
    ],
});

tours.add("clinic_desk_accountant", {
    steps: () => [
        { content: "The Clinic app opens", trigger: ".o_clinic_day_grid" },
        ...openMenu("clinic_scheduling.clinic_front_desk_menu", "clinic_scheduling.clinic_visit_payment_menu"),
        {
            content: "Today's payments, today's filter on",
            trigger: ".o_searchview .o_facet_value:contains(Today)",
        },
        {
            content: "The payment received today",
            trigger: ".o_list_view .o_data_row:contains(Платёжная)",
        },
    ],
});

tours.add("clinic_desk_manager", {
    steps: () => [
        { content: "The Clinic app opens", trigger: ".o_clinic_day_grid" },
        ...openMenu("clinic_base.clinic_config_menu", "clinic_scheduling.clinic_scheduling_settings_menu"),
        {
            content: "Hold a slot longer while booking",
            trigger: ".o_field_widget[name=hold_minutes] input",
            run: "edit 12",
        },
        { content: "Save", trigger: "button[name=action_save]", run: "click" },
        { content: "Saved", trigger: ".o_notification:contains(Clinic settings saved)" },
    ],
});
