from django.db import migrations

from officine.core.migrations_ops import PostgresOnlySQL
from officine.core.search import postgres_search_index_sql


def load(apps, schema_editor):
    from officine.registry.istat import load_territories

    load_territories(apps.get_model("registry", "Territory"))


def unload(apps, schema_editor):
    apps.get_model("registry", "Territory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(load, unload),
        PostgresOnlySQL(*postgres_search_index_sql("registry_organization")),
    ]
