# Member statements (peerlend.ledger.models_statements).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_outbox_send_key_and_claim'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Statement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_kind', models.CharField(choices=[('month', 'Monthly statement'), ('year', 'Annual statement')], max_length=8)),
                ('period_start', models.DateField()),
                ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel (XLSX)'), ('pdf', 'PDF')], max_length=8)),
                ('content', models.BinaryField()),
                ('size', models.PositiveIntegerField(default=0)),
                ('sha256', models.CharField(max_length=64)),
                ('language', models.CharField(blank=True, default='', max_length=16)),
                ('generator_version', models.PositiveSmallIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statements', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['member', '-period_start'], name='ledger_statement_member')],
                'constraints': [models.UniqueConstraint(fields=('member', 'period_kind', 'period_start', 'format'), name='ledger_statement_once_per_period')],
            },
        ),
    ]
