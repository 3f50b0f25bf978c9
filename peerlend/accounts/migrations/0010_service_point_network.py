# Issue 15 part 6: the service-point network (store details, point roles, visits, field verification, counter takings).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_send_throttle'),
        ('ledger', '0008_service_point_clearing'),
        ('lending', '0004_note_placed_on_and_amount_guards'),
        ('servicing', '0005_notice_params'),
    ]

    operations = [
        migrations.AddField(
            model_name='agentmembership',
            name='role',
            field=models.CharField(choices=[('agent', 'Agent'), ('manager', 'Manager')], default='agent', max_length=16, verbose_name='role at the point'),
        ),
        migrations.AddField(
            model_name='servicepoint',
            name='opening_hours',
            field=models.CharField(blank=True, default='', max_length=120, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='servicepoint',
            name='phone',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='phone'),
        ),
        migrations.CreateModel(
            name='FieldVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('result', models.CharField(choices=[('pass', 'Pass'), ('fail', 'Fail'), ('needs_more', 'Needs more information')], max_length=12, verbose_name='overall result')),
                ('notes', models.TextField(blank=True, default='', max_length=2000, verbose_name='notes')),
                ('visited_on', models.DateField(verbose_name='visit date')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='field_verifications', to='lending.loan')),
                ('service_point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.servicepoint')),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='FieldPhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(max_length=200)),
                ('stored_name', models.CharField(max_length=80, unique=True)),
                ('content_type', models.CharField(max_length=80)),
                ('size_bytes', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('verification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='accounts.fieldverification')),
            ],
        ),
        migrations.CreateModel(
            name='PointVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('registration', 'Registration help'), ('documents', 'Document collection'), ('follow_up', 'Post-loan follow-up'), ('collection', 'Collection')], max_length=16, verbose_name='purpose')),
                ('notes', models.TextField(blank=True, default='', max_length=2000, verbose_name='notes')),
                ('visited_on', models.DateField(verbose_name='visit date')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('loan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lending.loan')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='point_visits', to=settings.AUTH_USER_MODEL)),
                ('service_point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='accounts.servicepoint')),
            ],
            options={
                'ordering': ['-visited_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='CounterReceipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('cash', 'Cash'), ('card', 'Card')], max_length=8, verbose_name='method')),
                ('amount_minor', models.BigIntegerField(verbose_name='amount')),
                ('business_date', models.DateField(db_index=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('borrower', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='counter_receipts', to=settings.AUTH_USER_MODEL)),
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='counter_receipts', to='lending.loan')),
                ('payment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicing.servicingpayment')),
                ('service_point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='accounts.servicepoint')),
            ],
            options={
                'ordering': ['-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0), ('amount_minor__lte', 5000000)), name='counter_receipt_amount_range')],
            },
        ),
        migrations.CreateModel(
            name='FieldCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('item', models.CharField(choices=[('residence', 'Residence'), ('workplace', 'Workplace'), ('income', 'Income documents'), ('collateral', 'Collateral')], max_length=12, verbose_name='what was checked')),
                ('result', models.CharField(choices=[('confirmed', 'Confirmed'), ('discrepancy', 'Discrepancy found'), ('not_checked', 'Not checked')], max_length=12, verbose_name='result')),
                ('notes', models.CharField(blank=True, default='', max_length=500, verbose_name='notes')),
                ('verification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checks', to='accounts.fieldverification')),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.UniqueConstraint(fields=('verification', 'item'), name='uniq_field_check_item')],
            },
        ),
        migrations.CreateModel(
            name='PointDayClose',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_date', models.DateField()),
                ('counted_cash_minor', models.BigIntegerField(verbose_name='counted cash')),
                ('expected_cash_minor', models.BigIntegerField()),
                ('card_minor', models.BigIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('card_entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('deposit_entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service_point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='day_closes', to='accounts.servicepoint')),
            ],
            options={
                'ordering': ['-business_date', 'service_point_id'],
                'constraints': [models.UniqueConstraint(fields=('service_point', 'business_date'), name='uniq_point_day_close'), models.CheckConstraint(condition=models.Q(('counted_cash_minor__gte', 0), ('counted_cash_minor__lte', 1000000000)), name='point_day_close_counted_range')],
            },
        ),
    ]
