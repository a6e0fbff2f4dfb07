/** Booking pages: filters that apply themselves, doctors and services narrowed to the chosen specialty and
 * age, the patient's fields hidden when a known card is chosen, and Odoo's reCAPTCHA where it is configured. */

import publicWidget from "@web/legacy/js/public/public_widget";

publicWidget.registry.ClinicBookingWhat = publicWidget.Widget.extend({
    selector: ".o_clinic_what_form",
    events: {
        "change input[name=age]": "_narrow",
        "change select[name=specialty_id]": "_narrow",
    },

    start() {
        this._narrow();
        return this._super(...arguments);
    },

    _narrow() {
        const age = this.el.querySelector("input[name=age]:checked")?.value || "adult";
        const specialty = this.el.querySelector("select[name=specialty_id]").value;
        for (const select of this.el.querySelectorAll("select[name=employee_id], select[name=service_id]")) {
            for (const option of select.options) {
                if (!option.value) {
                    continue;
                }
                const fits =
                    ["both", age].includes(option.dataset.age) &&
                    (!specialty || (option.dataset.specialties || "").split(",").includes(specialty));
                option.hidden = !fits;
                option.disabled = !fits;
                if (!fits && option.selected) {
                    select.value = "";
                }
            }
        }
    },
});

publicWidget.registry.ClinicBookingFilters = publicWidget.Widget.extend({
    selector: ".o_clinic_filters",
    events: {
        "change .o_clinic_autosubmit": "_apply",
    },

    _apply() {
        this.el.submit();
    },
});

publicWidget.registry.ClinicBookingForm = publicWidget.Widget.extend({
    selector: ".o_clinic_booking_form",
    events: {
        "change input[name=who]": "_toggleWho",
        "click .o_clinic_ask_code": "_onAskCode",
        submit: "_onSubmit",
    },

    start() {
        this._toggleWho();
        // google_recaptcha is optional: use it when it is installed and its keys are set.
        const recaptcha = odoo.loader.modules.get("@google_recaptcha/js/recaptcha");
        if (recaptcha) {
            this._recaptcha = new recaptcha.ReCaptcha();
            this._recaptcha.loadLibs();
        }
        return this._super(...arguments);
    },

    _toggleWho() {
        const who = this.el.querySelector("input[name=who]:checked");
        this.el.querySelector(".o_clinic_person")?.classList.toggle("d-none", Boolean(who && who.value !== "new"));
    },

    /** «Get a code»: the form goes to the button's own address (also without JavaScript, by its formaction). */
    _onAskCode(ev) {
        ev.preventDefault();
        this.el.action = ev.currentTarget.getAttribute("formaction");
        this.el.submit();
    },

    async _onSubmit(ev) {
        if (!this._recaptcha || this._tokenAdded) {
            return;
        }
        ev.preventDefault();
        const result = await this._recaptcha.getToken("clinic_booking");
        if (result.token) {
            const input = document.createElement("input");
            Object.assign(input, { type: "hidden", name: "recaptcha_token_response", value: result.token });
            this.el.appendChild(input);
        }
        this._tokenAdded = true;
        this.el.submit();
    },
});
