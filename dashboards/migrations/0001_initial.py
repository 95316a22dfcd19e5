# The dashboard snapshot model, moved here from the labs app: state only, the table
# (labs_dashboardsnapshot) already exists.

import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('labs', '0003_dashboard_snapshot_moves_to_dashboards'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DashboardSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(help_text='"national" or "region:<id>".', max_length=40, unique=True)),
                        ('data', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ('computed_at', models.DateTimeField()),
                    ],
                    options={'db_table': 'labs_dashboardsnapshot'},
                ),
            ],
            database_operations=[],
        ),
    ]
