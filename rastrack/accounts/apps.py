from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rastrack.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from rastrack.accounts.tokens import connect_signals

        connect_signals()
