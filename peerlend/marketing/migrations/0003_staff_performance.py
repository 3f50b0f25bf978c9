"""Staff performance (issue 15 part 7): targets, commissions and their runs, member tags and contacts."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = False

    dependencies = [
        ('accounts', '0009_send_throttle'),
        ('ledger', '0009_commission_payable'),
        ('marketing', '0002_coupons'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CommissionRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(unique=True)),
                ('business_date', models.DateField()),
                ('commissions', models.PositiveIntegerField(default=0)),
                ('total_minor', models.BigIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='MemberContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('phone', 'Phone call'), ('visit', 'Visit at the point'), ('message', 'Message'), ('other', 'Other')], max_length=8, verbose_name='method')),
                ('note', models.CharField(max_length=500, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='marketing_contacts', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Commission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('rule', models.CharField(max_length=40)),
                ('params', models.JSONField(default=dict)),
                ('basis_count', models.PositiveIntegerField(default=0)),
                ('basis_minor', models.BigIntegerField(default=0)),
                ('amount_minor', models.BigIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('accrual_entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commissions', to=settings.AUTH_USER_MODEL)),
                ('payout_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('withdrawal', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.withdrawal')),
            ],
            options={
                'ordering': ['-month', 'agent_id', 'rule'],
                'constraints': [models.UniqueConstraint(fields=('agent', 'month', 'rule'), name='commission_once_per_agent_month_rule'), models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0), ('amount_minor__lte', 10000000000000)), name='commission_amount_range')],
            },
        ),
        migrations.CreateModel(
            name='MemberTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag', models.CharField(max_length=32, verbose_name='tag')),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='marketing_tags', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['tag'],
                'indexes': [models.Index(fields=['tag'], name='member_tag_by_tag')],
                'constraints': [models.UniqueConstraint(fields=('member', 'tag'), name='member_tag_once')],
            },
        ),
        migrations.CreateModel(
            name='StaffTarget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('members_registered', models.PositiveIntegerField(default=0, verbose_name='members registered')),
                ('identities_verified', models.PositiveIntegerField(default=0, verbose_name='identities verified')),
                ('applications_originated', models.PositiveIntegerField(default=0, verbose_name='applications originated')),
                ('amount_originated_minor', models.BigIntegerField(default=0, verbose_name='amount originated')),
                ('loans_repaid_on_time', models.PositiveIntegerField(default=0, verbose_name='loans repaid on time')),
                ('collections_recovered_minor', models.BigIntegerField(default=0, verbose_name='collections recovered')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff_targets', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('service_point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff_targets', to='accounts.servicepoint', verbose_name='service point')),
                ('set_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-month', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('agent__isnull', False), ('service_point__isnull', True)), models.Q(('agent__isnull', True), ('service_point__isnull', False)), _connector='OR'), name='staff_target_agent_xor_point'), models.UniqueConstraint(condition=models.Q(('agent__isnull', False)), fields=('month', 'agent'), name='staff_target_one_per_agent_month'), models.UniqueConstraint(condition=models.Q(('service_point__isnull', False)), fields=('month', 'service_point'), name='staff_target_one_per_point_month'), models.CheckConstraint(condition=models.Q(('members_registered__gte', 0), ('members_registered__lte', 100000)), name='staff_target_members_registered_range'), models.CheckConstraint(condition=models.Q(('identities_verified__gte', 0), ('identities_verified__lte', 100000)), name='staff_target_identities_verified_range'), models.CheckConstraint(condition=models.Q(('applications_originated__gte', 0), ('applications_originated__lte', 100000)), name='staff_target_applications_originated_range'), models.CheckConstraint(condition=models.Q(('loans_repaid_on_time__gte', 0), ('loans_repaid_on_time__lte', 100000)), name='staff_target_loans_repaid_on_time_range'), models.CheckConstraint(condition=models.Q(('amount_originated_minor__gte', 0), ('amount_originated_minor__lte', 100000000000)), name='staff_target_amount_originated_minor_range'), models.CheckConstraint(condition=models.Q(('collections_recovered_minor__gte', 0), ('collections_recovered_minor__lte', 100000000000)), name='staff_target_collections_recovered_minor_range')],
            },
        ),
    ]
