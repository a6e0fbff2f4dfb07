/** Tours of the online booking: from the home page to a confirmed appointment (desktop and phone), and the
 * time taken by someone else between seeing it and choosing it. */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function who({ surname, firstName, patronymic, birthDate, phone }) {
    return [
        { content: "Surname", trigger: "input[name=surname]", run: `edit ${surname}` },
        { content: "First name", trigger: "input[name=first_name]", run: `edit ${firstName}` },
        { content: "Patronymic", trigger: "input[name=patronymic]", run: `edit ${patronymic}` },
        { content: "Birth date", trigger: "input[name=birth_date]", run: `edit ${birthDate}` },
        { content: "Phone", trigger: "input[name=phone]", run: `edit ${phone}` },
    ];
}

function confirm() {
    return [
        {
            content: "Consent to the processing of personal data",
            trigger: "input[name=consent_personal_data]",
            run: "check",
        },
        {
            content: "Book",
            trigger: ".o_clinic_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The appointment is confirmed, with its calendar file",
            trigger: ".o_clinic_booked:contains(Вы записаны)",
        },
        {
            trigger: "a.o_clinic_ics[href*='then=ics']",
        },
        {
            content: "Move it: the link opens the appointment's own page, made at once if still on its way",
            trigger: "a.o_clinic_reschedule",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_clinic_reschedule_page h1:contains(Перенос записи)",
        },
    ];
}

tours.add("clinic_website_booking_desktop", {
    url: "/",
    steps: () => [
        {
            content: "Open the booking from the main menu",
            trigger: "#top_menu a[href='/booking']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 1: a specialty",
            trigger: ".o_clinic_what_form select[name=specialty_id]",
            run: "selectByLabel Тестовая терапия",
        },
        {
            content: "and a service with its price",
            trigger: ".o_clinic_what_form select[name=service_id]",
            run: "selectByLabel Тестовый приём терапевта",
        },
        {
            trigger: ".o_clinic_next",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 2: the live free times, pick the first one",
            trigger: ".o_clinic_day .o_clinic_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 3: the time is held while the form is filled",
            trigger: ".o_clinic_hold",
        },
        ...who({
            surname: "Тураева",
            firstName: "Алина",
            patronymic: "Маратовна",
            birthDate: "03.02.1984",
            phone: "8 (912) 700-11-22",
        }),
        { content: "E-mail", trigger: "input[name=email]", run: "edit alina@example.com" },
        { content: "Reminders welcome", trigger: "input[name=consent_messages]", run: "check" },
        ...confirm(),
    ],
});

tours.add("clinic_website_booking_phone", {
    url: "/",
    steps: () => [
        {
            content: "The home page leads to the booking",
            trigger: ".o_clinic_book_cta",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 1: a child",
            trigger: "label[for=clinic_age_child]",
            run: "click",
        },
        {
            trigger: ".o_clinic_what_form select[name=specialty_id]",
            run: "selectByLabel Тестовая педиатрия",
        },
        {
            trigger: ".o_clinic_next",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 2: the first free time",
            trigger: ".o_clinic_day .o_clinic_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        ...who({
            surname: "Малышева",
            firstName: "Ева",
            patronymic: "Игоревна",
            birthDate: "02.06.2019",
            phone: "+7 916 700-33-44",
        }),
        {
            content: "The parent books the child",
            trigger: "input[name=representative_surname]",
            run: "edit Малышева",
        },
        { trigger: "input[name=representative_first_name]", run: "edit Ольга" },
        { trigger: "input[name=representative_patronymic]", run: "edit Петровна" },
        { trigger: "select[name=representative_kinship]", run: "select mother" },
        ...confirm(),
    ],
});

tours.add("clinic_website_booking_taken", {
    steps: () => [
        {
            content: "Meanwhile another visitor takes the first free time shown",
            trigger: ".o_clinic_day .o_clinic_slot:first",
            async run() {
                const form = new FormData(this.anchor.closest("form"));
                form.set("slot_id", this.anchor.value);
                const held = await fetch("/booking/hold", { method: "POST", body: form });
                const details = new URL(held.url);
                const booking = new FormData();
                for (const [key, value] of details.searchParams) {
                    booking.set(key, value);
                }
                const fields = {
                    csrf_token: form.get("csrf_token"),
                    surname: "Другова",
                    first_name: "Дарья",
                    birth_date: "1977-07-07",
                    phone: "+7 903 777-00-00",
                    consent_personal_data: "1",
                };
                for (const [key, value] of Object.entries(fields)) {
                    booking.set(key, value);
                }
                const booked = await fetch("/booking/confirm", { method: "POST", body: booking });
                if (!booked.url.includes("/booking/booked/")) {
                    throw new Error(`The other visitor could not book: ${booked.url}`);
                }
            },
        },
        {
            content: "This visitor picks the same, now taken, time",
            trigger: ".o_clinic_day .o_clinic_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says so and offers the nearest free times at once",
            trigger: ".o_clinic_taken:contains(Это время уже занято) .o_clinic_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        ...who({
            surname: "Опоздавшева",
            firstName: "Зоя",
            patronymic: "Ильинична",
            birthDate: "19091991",
            phone: "8 912 700-55-66",
        }),
        ...confirm(),
    ],
});

tours.add("clinic_website_booking_known_patient", {
    steps: () => [
        {
            content: "A patient on file picks a free time",
            trigger: ".o_clinic_day .o_clinic_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        ...who({
            surname: "Постоянная",
            firstName: "Нина",
            patronymic: "Петровна",
            birthDate: "03.03.1975",
            phone: "8 912 700-99-88",
        }),
        {
            content: "and asks for a code to prove her card",
            trigger: ".o_clinic_ask_code",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says a code went to the card's phone, if there is such a card",
            trigger: ".o_clinic_code_sent",
        },
        {
            content: "She types the code received",
            trigger: "input[name=identity_code]",
            run: "edit 123456",
        },
        ...confirm(),
    ],
});
