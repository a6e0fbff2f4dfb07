/** The doctor's SEMD through the buttons (data made by tests/test_end_to_end.py). */

import { registry } from "@web/core/registry";

/** Sign the SEMD just built, then open the visit's SEMD tab. */
function signSteps() {
    return [
        {
            content: "Built and validated: the doctor signs it",
            trigger: ".o_form_view button[name=action_semd_sign]:contains(Подписать):enabled",
            run: "click",
        },
        {
            content: "Confirm: the text cannot change after signing",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Signed: the visit is locked, «Correct SEMD» replaces «Sign»",
            trigger: ".o_form_view button[name=action_semd_correct]",
        },
        {
            content: "Open the SEMD tab",
            trigger: ".o_notebook_headers a[name=semd]",
            run: "click",
        },
    ];
}

/** Sign the SEMD just built, then find it on the visit's SEMD tab listed under its kind's name. */
function signAndListSteps(kindName) {
    return [
        ...signSteps(),
        {
            content: `The visit's documents list the ${kindName} by its kind's name`,
            trigger: `.o_form_view .o_field_widget[name=semd_document_ids] td[name=kind_name]:contains(${kindName})`,
        },
    ];
}

registry.category("web_tour.tours").add("clinic_remd_doctor_signs_visit", {
    steps: () => [
        {
            content: "The finished visit offers to build its SEMD",
            trigger: ".o_form_view button[name=action_semd_generate]:contains(Сформировать СЭМД):enabled",
            run: "click",
        },
        ...signSteps(),
        {
            content: "Open the document",
            trigger: ".o_form_view .o_field_widget[name=semd_document_id] a:contains(v1)",
            run: "click",
        },
        {
            content: "The document shows its frozen file and the doctor's key",
            trigger: ".o_form_view .o_field_widget[name=doctor_key_id]:contains(Дмитриева)",
        },
        {
            content: "and its checksum",
            trigger: ".o_form_view .o_field_widget[name=checksum]:not(:empty)",
        },
    ],
});

/** The doctor issues a medical conclusion on request (data made by tests/test_end_to_end.py). */
registry.category("web_tour.tours").add("clinic_remd_doctor_issues_conclusion", {
    steps: () => [
        {
            content: "The finished visit offers the medical conclusion",
            trigger: ".o_form_view button[name=action_semd_generate]:contains(Медицинское заключение):enabled",
            run: "click",
        },
        {
            content: "No conclusion written yet: the visit says what to fix",
            trigger: ".o_form_view .alert-danger:contains(Медицинское заключение: не заполнено)",
        },
        {
            content: "Open the protocol",
            trigger: ".o_notebook_headers a[name=protocol]",
            run: "click",
        },
        {
            content: "The conclusion's field is marked",
            trigger: ".o_form_view .o_inner_group:has(.o_field_widget[name=medical_conclusion]) .text-danger:contains(Требуется для СЭМД)",
        },
        {
            content: "The doctor writes the conclusion",
            trigger: ".o_form_view .o_field_widget[name=medical_conclusion] textarea",
            run: "edit Годен к работе без ограничений.",
        },
        {
            content: "and builds the medical conclusion again",
            trigger: ".o_form_view button[name=action_semd_generate]:contains(Медицинское заключение):enabled",
            run: "click",
        },
        ...signAndListSteps("Медицинское заключение"),
    ],
});

/** The doctor records a laboratory result and issues the laboratory protocol (data made by tests/test_end_to_end.py). */
registry.category("web_tour.tours").add("clinic_remd_doctor_issues_lab_protocol", {
    steps: () => [
        {
            content: "The finished visit offers the laboratory protocol",
            trigger:
                ".o_form_view button[name=action_semd_generate]:contains(Протокол лабораторного исследования):enabled",
            run: "click",
        },
        {
            content: "No result recorded yet: the visit says what to fix",
            trigger: ".o_form_view .alert-danger:contains(Лабораторные исследования: не заполнено)",
        },
        {
            content: "Open the laboratory tests",
            trigger: ".o_notebook_headers a[name=lab]",
            run: "click",
        },
        {
            content: "The results' field is marked",
            trigger: ".o_form_view .o_notebook .text-danger:contains(Требуется для СЭМД)",
        },
        {
            content: "Add a result",
            trigger: ".o_form_view .o_field_widget[name=lab_result_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The test, looked up by name in the book of laboratory tests (FSLI)",
            trigger: ".o_form_view .o_field_widget[name=lab_result_ids] .o_selected_row [name=test_id] input",
            run: "edit Гематокрит",
        },
        {
            content: "picked from the book",
            trigger: ".o-autocomplete--dropdown-item a:contains(Гематокрит крови методом автоматизированного подсчёта)",
            run: "click",
        },
        {
            content: "The biomaterial",
            trigger: ".o_form_view .o_field_widget[name=lab_result_ids] .o_selected_row [name=specimen_id] input",
            run: "edit венозная",
        },
        {
            content: "picked from the book of biomaterials",
            trigger: ".o-autocomplete--dropdown-item a:contains(Кровь венозная)",
            run: "click",
        },
        {
            content: "A result in words",
            trigger: ".o_form_view .o_field_widget[name=lab_result_ids] .o_selected_row [name=value_type] select",
            run: "selectByLabel Текст",
        },
        {
            content: "The result",
            trigger: ".o_form_view .o_field_widget[name=lab_result_ids] .o_selected_row [name=value_text] input",
            run: "edit в пределах нормы",
        },
        {
            content: "Save the visit",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "and build the laboratory protocol again",
            trigger:
                ".o_form_view button[name=action_semd_generate]:contains(Протокол лабораторного исследования):enabled",
            run: "click",
        },
        ...signAndListSteps("Протокол лабораторного исследования"),
    ],
});
