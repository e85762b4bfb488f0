from django.apps import AppConfig


class InjuryConfig(AppConfig):
    name = "injury"
