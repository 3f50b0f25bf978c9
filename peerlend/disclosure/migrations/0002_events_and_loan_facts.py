# Risk-event notices and dated per-loan facts (issue 16, parts 3 and 4).

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = False

    dependencies = [
        ('disclosure', '0001_monthly_data'),
        ('lending', '0004_note_placed_on_and_amount_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LoanFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('use_of_funds', 'Use of funds (reported by the borrower)'), ('repayment_ability', 'Change in repayment ability'), ('litigation', 'Litigation involving the borrower'), ('penalty', 'Administrative penalty on the borrower'), ('other', 'Other material fact')], max_length=20)),
                ('body', models.TextField()),
                ('values', models.JSONField(blank=True, default=dict)),
                ('recorded_at', models.DateField()),
                ('visible_from', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='disclosure_facts', to='lending.loan')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-visible_from', '-id'],
                'indexes': [models.Index(fields=['loan', 'visible_from'], name='loan_fact_visible')],
                'constraints': [models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='loan_fact_body_present'), models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('body'), 4000), name='loan_fact_body_length'), models.CheckConstraint(condition=models.Q(('visible_from__gte', models.F('recorded_at'))), name='loan_fact_visible_after_recorded'), models.CheckConstraint(condition=models.Q(('kind__in', ['use_of_funds', 'repayment_ability', 'litigation', 'penalty', 'other'])), name='loan_fact_kind_known')],
            },
        ),
        migrations.CreateModel(
            name='RiskEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], default='zh-hans', max_length=8)),
                ('category', models.CharField(choices=[('operations', 'Operations and business continuity'), ('custody', 'Custody bank or funds'), ('regulatory', 'Regulatory action or penalty'), ('litigation', 'Litigation against the platform'), ('control', 'Shareholders, control or management'), ('credit', 'Large defaults or credit losses'), ('security', 'Information security incident'), ('other', 'Other')], max_length=16)),
                ('severity', models.CharField(choices=[('notice', 'Notice'), ('serious', 'Serious'), ('major', 'Major')], max_length=8)),
                ('occurred_on', models.DateField()),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], db_index=True, default='draft', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('published_on', models.DateField(blank=True, null=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('follows', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='disclosure.riskevent')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-published_on', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='risk_event_title_present'), models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('body'), 20000), name='risk_event_body_length'), models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'published'])), name='risk_event_status_known'), models.CheckConstraint(condition=models.Q(models.Q(('published_on__isnull', True), ('status', 'draft')), models.Q(('published_by__isnull', False), ('published_on__isnull', False), ('status', 'published')), _connector='OR'), name='risk_event_published_dated')],
            },
        ),
    ]
