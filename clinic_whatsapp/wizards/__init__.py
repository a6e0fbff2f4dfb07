from . import clinic_message_answer, clinic_kpi_dashboard
