"""Messages kept to be read later (alerts): the English text (a msgid) and its arguments
are stored, and each reader gets the message in the language of their request.

An argument that is a choice is stored as `choice(Enum, value)` and shown by its
translated label; every other argument is shown as it was given (numbers, codes, names).
"""

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext


def choice(choices, value):
    """An argument shown by the label of `value` among `choices` (a TextChoices class)."""
    return {"choice": f"{choices.__module__}.{choices.__qualname__}", "value": str(value)}


def _shown(argument):
    if isinstance(argument, dict) and "choice" in argument:
        try:
            return import_string(argument["choice"])(argument["value"]).label
        except (ImportError, ValueError):
            return argument["value"]
    return argument


def render(text, arguments=None):
    """`text` translated into the active language, with its arguments."""
    return gettext(text) % {name: _shown(value) for name, value in (arguments or {}).items()}


def render_stored(text, arguments=None):
    """The text kept on the row (searches, webhooks): in the server's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return render(text, arguments)
