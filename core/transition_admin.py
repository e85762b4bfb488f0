"""The admin runs the same rows as the API (core.states): one button per action the admin
may run now on the change page, one list action per row, and one form per transition built
from the row's payload serializer (so its own reason field, its own dates), validated by
that serializer and run by the row's service. Rows named in `confirm_actions` ask for an
explicit confirmation first.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .admin_tools import local_time
from .exceptions import ApplicationError
from .models import StateHistory

JSON_HELP = _("JSON, as in the API request body.")
# Labels of payload fields that are not fields of the model the admin shows.
PAYLOAD_LABELS = {
    "note": _("note"),
    "reason": _("reason"),
    "items": _("items"),
    "measures": _("measures"),
    "issued_on": _("report issued on"),
    "file": _("report file"),
    "lots": _("lots"),
    "summary": _("summary"),
}


def _label(name, field, model):
    """The payload field's label in the admin's language: its own label where the
    serializer gives one, else the model field's verbose name of the same name."""
    if field.label:
        return field.label
    try:
        verbose_name = getattr(model._meta.get_field(name), "verbose_name", None)
    except FieldDoesNotExist:
        verbose_name = None
    return capfirst(verbose_name or PAYLOAD_LABELS.get(name, name.replace("_", " ")))


def _form_field(field, label):
    """A Django form field for a DRF serializer field (nested data as JSON text)."""
    common = {"required": field.required, "label": label}
    if field.help_text:
        common["help_text"] = field.help_text
    if isinstance(field, serializers.ChoiceField):
        choices = list(field.choices.items())
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if isinstance(field, serializers.BooleanField):
        return forms.NullBooleanField(**{**common, "required": False})
    if isinstance(field, serializers.DateTimeField):
        return forms.DateTimeField(**common)
    if isinstance(field, serializers.DateField):
        return forms.DateField(**common)
    if isinstance(field, serializers.FileField):
        return forms.FileField(**common)
    if isinstance(field, (serializers.ListField, serializers.BaseSerializer)):
        return forms.JSONField(**{**common, "help_text": JSON_HELP}, widget=forms.Textarea)
    if isinstance(field, serializers.CharField):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(**common)


def _error_text(serializer):
    """A payload's errors as one line: each field by its label, then its messages."""
    fields = serializer.fields
    parts = []
    for name, errors in serializer.errors.items():
        field = fields.get(name)
        text = " ".join(str(e) for e in (errors if isinstance(errors, list) else [errors]))
        if field is not None and field.label:
            text = gettext("%(field)s: %(errors)s") % {
                "field": capfirst(field.label),
                "errors": text,
            }
        parts.append(text)
    return " ".join(parts)


def transition_form_class(transition, *, model, confirm=False):
    fields = {}
    payload = transition.payload_serializer
    if payload is not None:
        for name, field in payload().get_fields().items():
            if not field.read_only:
                fields[name] = _form_field(field, _label(name, field, model))
    if confirm:
        fields["confirm"] = forms.BooleanField(
            required=True, label=gettext("I confirm: %(action)s") % {"action": transition.label}
        )
    return type(f"{transition.action.title()}Form", (forms.Form,), fields)


def _payload(form):
    data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
    return {k: v for k, v in data.items() if v not in (None, "")}


def _needs_form(transition, confirm):
    payload = transition.payload_serializer
    if confirm:
        return True
    return payload is not None and any(f.required for f in payload().get_fields().values())


class TransitionAdminMixin:
    """Set `machine`; `confirm_actions` lists rows that ask for confirmation."""

    machine = None
    confirm_actions = ()
    transition_template = "admin/levee/transition_form.html"
    change_form_template = "admin/levee/change_form.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        for transition in self.machine.actions:
            if transition.permits(request.user):
                run = self._list_action(transition)
                actions[transition.action] = (run, transition.action, run.short_description)
        return actions

    def _list_action(self, transition):
        def run(modeladmin, request, queryset):
            confirm = transition.action in self.confirm_actions
            if not _needs_form(transition, confirm) and not request.POST.get("transition_form"):
                for obj in queryset:
                    self.run_transition(request, obj, transition.action, {})
                return None
            return self.transition_form_view(request, transition, list(queryset))

        run.__name__ = transition.action
        run.short_description = transition.label
        return run

    def run_transition(self, request, obj, action, payload):
        """Validate `payload` with the row's serializer and run the row's service;
        report the outcome as an admin message. Returns whether it ran."""
        transition = self.machine.transitions[action]
        try:
            self.machine.check(obj, action, request.user, for_people=True)
            data = {}
            if transition.payload_serializer is not None:
                serializer = transition.payload_serializer(data=payload)
                if not serializer.is_valid():
                    self._say(request, obj, _error_text(serializer), messages.ERROR)
                    return False
                data = serializer.validated_data
            done = self.machine.perform(obj, action, actor=request.user, payload=data)
        except ApplicationError as exc:
            self._say(request, obj, str(exc.message), messages.ERROR)
            return False
        done = done or obj
        state = getattr(done, f"get_{self.machine.field}_display")()
        text = gettext("%(action)s done; now %(state)s.") % {
            "action": transition.label,
            "state": state,
        }
        self._say(request, done, text, messages.SUCCESS)
        return True

    def _say(self, request, obj, text, level):
        """An admin message about `obj`, led by its name and number (“召回 RC…：…”)."""
        label = self.machine.label_of(obj)
        if not text.startswith(label):
            text = gettext("%(object)s: %(message)s") % {"object": label, "message": text}
        self.message_user(request, text, level)

    def transition_form_view(self, request, transition, objects, *, list_action=True):
        confirm = transition.action in self.confirm_actions
        form_class = transition_form_class(transition, model=self.model, confirm=confirm)
        if request.POST.get("transition_form"):
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                for obj in objects:
                    payload = _payload(form)
                    self.run_transition(request, obj, transition.action, payload)
                return None
        else:
            form = form_class()
        return TemplateResponse(
            request,
            self.transition_template,
            {
                **self.admin_site.each_context(request),
                "title": transition.label,
                "transition": transition,
                "objects": [(obj, self.machine.label_of(obj)) for obj in objects],
                "form": form,
                "list_action": list_action,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _url_name(self):
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_transition"

    def get_urls(self):
        return [
            path(
                "<int:pk>/transition/<str:action_name>/",
                self.admin_site.admin_view(self.transition_view),
                name=self._url_name(),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, pk, action_name):
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse(f"admin:{self._url_name()[: -len('_transition')]}_change", args=[pk])
        transition = self.machine.transitions.get(action_name)
        if transition is None or transition.internal:
            return HttpResponseRedirect(change_url)
        if not self.has_change_permission(request, obj):
            self.message_user(request, gettext("You may not change this."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        confirm = transition.action in self.confirm_actions
        if request.method == "POST" and not _needs_form(transition, confirm):
            self.run_transition(request, obj, action_name, {})
            return HttpResponseRedirect(change_url)
        response = self.transition_form_view(request, transition, [obj], list_action=False)
        return response or HttpResponseRedirect(change_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transition_buttons"] = [
                (
                    self.machine.transitions[name],
                    reverse(f"admin:{self._url_name()}", args=[obj.pk, name]),
                    _needs_form(self.machine.transitions[name], name in self.confirm_actions),
                )
                for name in self.machine.allowed_actions(obj, request.user)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("state history"))
    def history_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        states = dict(obj._meta.get_field(self.machine.field).flatchoices)
        rows = StateHistory.objects.for_object(obj)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    local_time(h.at),
                    h.actor_username,
                    self.machine.action_label(h.action),
                    states.get(h.from_state, h.from_state) or "—",
                    states.get(h.to_state, h.to_state),
                    json.dumps(h.payload, ensure_ascii=False) if h.payload else "",
                )
                for h in rows
            ),
        )
        return format_html(
            '<table class="state-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("Time"),
            gettext("Actor"),
            gettext("Action"),
            gettext("State"),
            gettext("Details"),
            body,
        )
