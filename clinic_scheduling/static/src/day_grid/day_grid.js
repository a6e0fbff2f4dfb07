/** The front desk's day: practitioners as columns, time as rows; a free cell books, an appointment opens. */

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const PX_PER_MINUTE = 1.6;
const RELOAD_DELAY = 400;

export function minutesLabel(minutes) {
    const hours = String(Math.floor(minutes / 60)).padStart(2, "0");
    return `${hours}:${String(minutes % 60).padStart(2, "0")}`;
}

export class ClinicDayGrid extends Component {
    static template = "clinic_scheduling.DayGrid";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.bus = useService("bus_service");
        // A caller may open the grid on a given day and practitioner (e.g. a link from an appointment).
        const context = this.props.action?.context || {};
        this.state = useState({
            day: context.clinic_grid_day || false,
            mode: context.clinic_grid_mode || "day",
            employeeId: context.clinic_grid_employee_id || false,
            specialtyId: false,
            cabinetId: false,
            data: null,
        });
        this.onBusChange = () => {
            clearTimeout(this.reloadTimer);
            this.reloadTimer = setTimeout(() => this.load(), RELOAD_DELAY);
        };
        this.bus.subscribe("clinic/day_grid", this.onBusChange);
        onWillStart(() => this.load());
        onWillUnmount(() => {
            clearTimeout(this.reloadTimer);
            this.bus.unsubscribe("clinic/day_grid", this.onBusChange);
        });
    }

    async load() {
        const data = await this.orm.call("clinic.day.grid", "load_day_grid", [], {
            day: this.state.day || false,
            mode: this.state.mode,
            employee_id: this.state.employeeId || false,
            specialty_id: this.state.specialtyId || false,
            cabinet_id: this.state.cabinetId || false,
        });
        this.state.day = data.day;
        this.state.employeeId = data.employee_id || this.state.employeeId;
        this.state.data = data;
    }

    // ------------------------------------------------------------ layout

    get hours() {
        const [first, last] = this.state.data.hours;
        const marks = [];
        for (let minute = first; minute < last; minute += 30) {
            marks.push({ minute, label: minutesLabel(minute), top: (minute - first) * PX_PER_MINUTE });
        }
        return marks;
    }

    get height() {
        const [first, last] = this.state.data.hours;
        return (last - first) * PX_PER_MINUTE;
    }

    box(item) {
        const first = this.state.data.hours[0];
        const top = (Math.max(item.start, first) - first) * PX_PER_MINUTE;
        const height = Math.max((item.stop - Math.max(item.start, first)) * PX_PER_MINUTE - 2, 14);
        return `top: ${top}px; height: ${height}px;`;
    }

    timeLabel(item) {
        return `${minutesLabel(item.start)}–${minutesLabel(item.stop)}`;
    }

    columnTitle(column) {
        if (this.state.data.mode !== "week") {
            return column.title;
        }
        const [year, month, day] = column.date.split("-").map(Number);
        return new Date(year, month - 1, day).toLocaleDateString(undefined, {
            weekday: "short",
            day: "2-digit",
            month: "2-digit",
        });
    }

    // ------------------------------------------------------------ controls

    async shiftDay(step) {
        const [year, month, day] = this.state.day.split("-").map(Number);
        const moved = new Date(Date.UTC(year, month - 1, day + step * (this.state.mode === "week" ? 7 : 1)));
        this.state.day = moved.toISOString().slice(0, 10);
        await this.load();
    }

    async goToday() {
        this.state.day = this.state.data.today;
        await this.load();
    }

    async onDateChange(ev) {
        if (ev.target.value) {
            this.state.day = ev.target.value;
            await this.load();
        }
    }

    async setMode(mode) {
        this.state.mode = mode;
        await this.load();
    }

    async onFilter(key, ev) {
        this.state[key] = parseInt(ev.target.value) || false;
        await this.load();
    }

    async openWeekOf(column) {
        this.state.mode = "week";
        this.state.employeeId = column.employee_id;
        await this.load();
    }

    // ------------------------------------------------------------ actions

    async onFreeSlot(slot) {
        if (!this.state.data.can_book || slot.state !== "free") {
            return;
        }
        const action = await this.orm.call("clinic.slot", "action_book_from_grid", [[slot.id]]);
        await this.action.doAction(action, { onClose: () => this.load() });
    }

    async openAppointment(appointment) {
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "clinic.appointment",
            res_id: appointment.id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    async openPatient(appointment) {
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: appointment.patient_id,
            views: [[false, "form"]],
            target: "current",
            context: { form_view_ref: "clinic_base.res_partner_view_form_patient" },
        });
    }
}

registry.category("actions").add("clinic_day_grid", ClinicDayGrid);
