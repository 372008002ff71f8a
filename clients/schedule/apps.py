from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    """Appointments: booking, the day views, no-shows, cancellations and
    reschedules. Sits above contacts (a no-show or a late cancellation writes a
    contact note); the ``Appointment`` model itself stays in ``clients``,
    because progress and contact notes (below the schedule) point at it."""

    name = "clients.schedule"
    label = "schedule"
    verbose_name = "Schedule"
