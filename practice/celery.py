"""The Celery application. Tasks take ids only, never model instances or PHI."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")

app = Celery("practice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_broker_folders() -> None:
    """kombu's filesystem transport (the try-out's broker) expects its folders."""
    options = app.conf.broker_transport_options or {}
    if str(app.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _on_configure(sender, **kwargs) -> None:
    _make_broker_folders()
