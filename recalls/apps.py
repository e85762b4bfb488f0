from django.apps import AppConfig


class RecallsConfig(AppConfig):
    name = "recalls"
