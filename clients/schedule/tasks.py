"""Beat's periodic schedule work. Tasks take no PHI."""

from celery import shared_task

from clients.schedule import reminders


@shared_task
def send_appointment_reminders() -> int:
    return reminders.reminders_send()
