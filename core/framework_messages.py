"""Messages of the libraries under the API that reach a client, listed so that makemessages
puts them in Levee's own catalogue (locale/, which Django reads first).

simplejwt's Simplified Chinese catalogue marks several of these fuzzy (never compiled) and
django-filter ships zh_CN but no zh_Hans, so without these entries a Chinese response would
carry English sentences from them. Nothing imports this module; it exists for gettext.
"""

from django.utils.translation import gettext_noop

SIMPLEJWT = [
    gettext_noop("Authorization header must contain two space-delimited values"),
    gettext_noop("Given token not valid for any token type"),
    gettext_noop("No active account found for the given token."),
    gettext_noop("No active account found with the given credentials"),
    gettext_noop("The user's password has been changed."),
    gettext_noop("Token contained no recognizable user identification"),
    gettext_noop("Token has no id"),
    gettext_noop("Token has no type"),
    gettext_noop("Token has wrong type"),
    gettext_noop("Token is blacklisted"),
    gettext_noop("Token is expired"),
    gettext_noop("Token is invalid"),
    gettext_noop("Token is invalid or expired"),
    gettext_noop("User is inactive"),
    gettext_noop("User not found"),
    # The token blacklist's section in the admin.
    gettext_noop("Token Blacklist"),
    gettext_noop("Outstanding Token"),
    gettext_noop("Outstanding Tokens"),
    gettext_noop("Blacklisted Token"),
    gettext_noop("Blacklisted Tokens"),
    gettext_noop("jti"),
    gettext_noop("user"),
    gettext_noop("created at"),
    gettext_noop("expires at"),
]

DJANGO_FILTER = [
    gettext_noop("Multiple values may be separated by commas."),
    gettext_noop("Range query expects two values."),
    gettext_noop("Select a lookup."),
]
