# Lock-in wealth plans and their subscriptions.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("investing", "0002_autoinvest")]

    operations: list = []
