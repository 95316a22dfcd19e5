from django.db import migrations


def create(apps, schema_editor):
    from rastrack.accounts.roles_data import create_role_groups

    create_role_groups(apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
