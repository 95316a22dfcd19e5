# The dashboard snapshot model moved to the dashboards app; its table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('labs', '0002_dashboard_snapshots'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='DashboardSnapshot')],
            database_operations=[],
        ),
    ]
