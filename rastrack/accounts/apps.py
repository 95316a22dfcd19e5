from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rastrack.accounts"
    label = "accounts"
    verbose_name = "Accounts"
