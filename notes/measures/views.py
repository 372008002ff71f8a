"""Measure pages. Every view loads the client, result or repeat through
notes.measures.access; client mode runs inside a locked session (practice.kiosk)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from notes.measures import access, instruments, rules, selectors, services
from notes.measures.forms import MeasureForm, ScheduleForm, UnlockForm
from notes.measures.models import GivenBy, MeasureResult
from practice import audit, kiosk
from practice.models import AuditAction

CLIENT_MODE = "measures.client_mode"
CLIENT_MODE_PAGES = ("measures:client_mode", "measures:client_mode_exit")
ALERT_TEXT = (
    "PHQ-9 item 9 (thoughts of death or self-harm) was answered above 0. Assess risk now "
    "(C-SSRS) and create or review the safety plan: the next progress note for this client "
    "cannot be signed without them, or without a recorded reason."
)


def _instrument(key: str) -> instruments.Instrument:
    try:
        return instruments.get(key)
    except instruments.ScoringError:
        raise Http404("No such measure.") from None


def _told(request, result: MeasureResult) -> None:
    """The clinician is told of a positive item 9 the moment the result is theirs to see."""
    if result.alert:
        messages.error(request, ALERT_TEXT)


@never_cache
@login_required
def measure_give(request: HttpRequest, client_uuid, instrument: str) -> HttpResponse:
    """The clinician enters the client's answers in session."""
    client = access.get_client_for_measures(request, client_uuid, access.GIVE)
    spec = _instrument(instrument)
    form = MeasureForm(request.POST or None, instrument=spec)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.measure_record(
                client=client,
                instrument=spec.key,
                answers=form.answers(),
                difficulty=form.cleaned_data["difficulty"],
                clinician=request.user,
                given_by=GivenBy.CLINICIAN,
                request=request,
            )
        except services.MeasureRefused as exc:
            exc.add_to_form(form)
        else:
            messages.success(
                request, f"{spec.name} recorded: {result.total} ({result.band_label})."
            )
            _told(request, result)
            return redirect("measures:detail", result_uuid=result.uuid)
    return render(
        request,
        "measures/give.html",
        {"client": client, "spec": spec, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def measure_detail(request: HttpRequest, result_uuid) -> HttpResponse:
    result = access.get_result_for_user(request, result_uuid)
    audit.record(AuditAction.VIEW, request=request, obj=result, client=result.client)
    return render(
        request,
        "measures/detail.html",
        {
            "result": result,
            "client": result.client,
            "spec": result.spec,
            "alert_open": result.alert
            and rules.open_alerts(result.client).filter(pk=result.pk).exists(),
        },
    )


@login_required
@require_POST
def client_mode_start(request: HttpRequest, client_uuid, instrument: str) -> HttpResponse:
    """Hand the device to the client: lock the session to one questionnaire."""
    client = access.get_client_for_measures(request, client_uuid, access.GIVE)
    spec = _instrument(instrument)
    if client.status != "active":
        messages.error(request, "The client is discharged.")
        return redirect("records:chart", client_uuid=client.uuid)
    kiosk.lock(
        request,
        purpose=CLIENT_MODE,
        allowed=CLIENT_MODE_PAGES,
        home=reverse("measures:client_mode"),
        data={"client": str(client.uuid), "instrument": spec.key, "result": None},
    )
    audit.record(
        AuditAction.UPDATE,
        request=request,
        object_type="practice.session",
        client=client,
        detail={"client_mode": "start", "instrument": spec.key},
    )
    return redirect("measures:client_mode")


def _client_mode_state(request) -> dict:
    state = kiosk.current(request)
    if state is None or state["purpose"] != CLIENT_MODE:
        raise Http404("No questionnaire is in progress.")
    return state["data"]


@never_cache
@login_required
def client_mode(request: HttpRequest) -> HttpResponse:
    """The client's page: one questionnaire, no navigation, no chart data."""
    data = _client_mode_state(request)
    spec = _instrument(data["instrument"])
    if data.get("result"):
        return render(request, "measures/client_mode_done.html", {"spec": spec})
    client = access.get_client_for_measures(request, data["client"], access.GIVE)
    form = MeasureForm(request.POST or None, instrument=spec)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.measure_record(
                client=client,
                instrument=spec.key,
                answers=form.answers(),
                difficulty=form.cleaned_data["difficulty"],
                clinician=request.user,
                given_by=GivenBy.CLIENT,
                request=request,
            )
        except services.MeasureRefused as exc:
            exc.add_to_form(form)
        else:
            kiosk.update_data(request, result=str(result.uuid))
            return redirect("measures:client_mode")
    return render(
        request,
        "measures/client_mode.html",
        {"spec": spec, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("password")
@login_required
def client_mode_exit(request: HttpRequest) -> HttpResponse:
    """The clinician takes the device back: their password ends client mode."""
    data = _client_mode_state(request)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if kiosk.unlock(request, form.cleaned_data["password"]):
            result = (
                MeasureResult.objects.filter(uuid=data["result"]).first()
                if data.get("result")
                else None
            )
            if result is None:
                messages.info(request, "Client mode ended; nothing was recorded.")
                return redirect("records:chart", client_uuid=data["client"])
            _told(request, result)
            return redirect("measures:detail", result_uuid=result.uuid)
        if not request.user.is_authenticated:
            messages.error(request, "Too many wrong passwords: you were signed out.")
            return redirect("login")
        form.add_error("password", "That is not the password of the clinician signed in.")
    return render(
        request,
        "measures/client_mode_exit.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def schedule(request: HttpRequest, client_uuid) -> HttpResponse:
    """Set a repeat (e.g. PHQ-9 every 4 weeks) and see the current ones."""
    client = access.get_client_for_measures(request, client_uuid, access.GIVE)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_schedule_set(
                client=client,
                instrument=form.cleaned_data["instrument"],
                every_days=form.cleaned_data["every_weeks"] * 7,
                starts_on=form.cleaned_data["starts_on"],
                actor=request.user,
                request=request,
            )
        except services.MeasureRefused as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, "Repeat saved.")
            return redirect("measures:schedule", client_uuid=client.uuid)
    due = selectors.chart_measures(client)["due"]
    return render(
        request,
        "measures/schedule.html",
        {"client": client, "form": form, "due": due},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def schedule_stop(request: HttpRequest, schedule_uuid) -> HttpResponse:
    repeat = access.get_schedule_for_user(request, schedule_uuid)
    try:
        services.measure_schedule_stop(schedule=repeat, actor=request.user, request=request)
    except services.MeasureRefused as exc:
        messages.error(request, " ".join(exc.errors.values()))
    else:
        messages.success(request, "Repeat stopped.")
    return redirect("measures:schedule", client_uuid=repeat.client.uuid)
