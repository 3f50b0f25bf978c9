# Auto-invest rules, rounds and decisions.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("investing", "0001_suitability_and_risk_disclosure")]

    operations: list = []
