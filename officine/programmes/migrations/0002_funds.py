from django.db import migrations

FUNDS = [
    # code, Italian acronym, Italian name, English name
    ("ERDF", "FESR", "Fondo europeo di sviluppo regionale", "European Regional Development Fund"),
    ("ESF+", "FSE+", "Fondo sociale europeo Plus", "European Social Fund Plus"),
    ("JTF", "JTF", "Fondo per una transizione giusta", "Just Transition Fund"),
    ("CF", "FC", "Fondo di coesione", "Cohesion Fund"),
    ("EMFAF", "FEAMPA", "Fondo europeo per gli affari marittimi, la pesca e l'acquacoltura",
     "European Maritime, Fisheries and Aquaculture Fund"),
    ("ESF", "FSE", "Fondo sociale europeo", "European Social Fund"),
    ("YEI", "IOG", "Iniziativa per l'occupazione giovanile", "Youth Employment Initiative"),
    ("EMFF", "FEAMP", "Fondo europeo per gli affari marittimi e la pesca", "European Maritime and Fisheries Fund"),
    ("FEAD", "FEAD", "Fondo di aiuti europei agli indigenti", "Fund for European Aid to the Most Deprived"),
]


def load(apps, schema_editor):
    Fund = apps.get_model("programmes", "Fund")
    for order, (code, acronym, name_it, name_en) in enumerate(FUNDS):
        Fund.objects.update_or_create(
            code=code, defaults={"acronym_it": acronym, "name_it": name_it, "name_en": name_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
