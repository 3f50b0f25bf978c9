# Coupons (issue 15 part 3): templates, issued coupons and the platform's payouts on them.

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = False

    dependencies = [
        ('marketing', '0001_members'),
        ('accounts', '0003_kyc_service_points'),
        ('ledger', '0001_initial'),
        ('lending', '0004_note_placed_on_and_amount_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CouponTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('kind', models.CharField(choices=[('cash_voucher', 'Cash voucher on an investment'), ('rate_boost', 'Interest-rate boost'), ('fee_discount', 'Origination-fee discount'), ('service_voucher', 'Service voucher')], max_length=20, verbose_name='kind')),
                ('channel', models.CharField(choices=[('online', 'Online'), ('offline', 'Offline (service point)'), ('both', 'Online and offline')], max_length=10, verbose_name='channel')),
                ('value_minor', models.BigIntegerField(default=0, verbose_name='value')),
                ('boost_rate', models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=6, verbose_name='extra annual rate')),
                ('boost_months', models.PositiveSmallIntegerField(default=0, verbose_name='boost months')),
                ('min_amount_minor', models.BigIntegerField(default=0, verbose_name='minimum amount')),
                ('eligible_grades', models.JSONField(blank=True, default=list, verbose_name='eligible grades')),
                ('eligible_terms', models.JSONField(blank=True, default=list, verbose_name='eligible terms (months)')),
                ('eligible_methods', models.JSONField(blank=True, default=list, verbose_name='eligible repayment methods')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(verbose_name='valid until')),
                ('points_cost', models.PositiveIntegerField(default=0, verbose_name='points cost')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='Coupon',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, unique=True, verbose_name='code')),
                ('kind', models.CharField(choices=[('cash_voucher', 'Cash voucher on an investment'), ('rate_boost', 'Interest-rate boost'), ('fee_discount', 'Origination-fee discount'), ('service_voucher', 'Service voucher')], max_length=20, verbose_name='kind')),
                ('channel', models.CharField(choices=[('online', 'Online'), ('offline', 'Offline (service point)'), ('both', 'Online and offline')], max_length=10, verbose_name='channel')),
                ('status', models.CharField(choices=[('issued', 'Ready to use'), ('redeemed', 'Used'), ('void', 'Cancelled')], default='issued', max_length=10, verbose_name='status')),
                ('source', models.CharField(choices=[('operator', 'Given by an operator'), ('points', 'Bought with points'), ('campaign', 'Campaign'), ('agent', 'Given by an agent')], max_length=10, verbose_name='source')),
                ('issue_key', models.CharField(max_length=100)),
                ('issued_on', models.DateField(verbose_name='issued on')),
                ('expires_on', models.DateField(verbose_name='expires on')),
                ('redeemed_on', models.DateField(blank=True, null=True, verbose_name='used on')),
                ('redeemed_channel', models.CharField(blank=True, choices=[('online', 'Online'), ('offline', 'Offline (service point)')], max_length=10)),
                ('paid_minor', models.BigIntegerField(default=0, verbose_name='paid by the platform')),
                ('boost_payouts', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('loan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fee_coupons', to='lending.loan')),
                ('note', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coupon', to='lending.note')),
                ('redeemed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service_point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.servicepoint')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to=settings.AUTH_USER_MODEL)),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='marketing.coupontemplate')),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='CouponPayout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=64)),
                ('amount_minor', models.BigIntegerField()),
                ('business_date', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('coupon', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payouts', to='marketing.coupon')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.UniqueConstraint(fields=('coupon', 'reference'), name='coupon_payout_once_per_reference'), models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0), ('amount_minor__lte', 100000000)), name='coupon_payout_amount_range')],
            },
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(('channel', 'offline'), ('kind__in', ['cash_voucher', 'rate_boost']), _negated=True), name='coupon_template_offline_never_investment'),
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(('value_minor__gte', 0), ('value_minor__lte', 1000000)), name='coupon_template_value_range'),
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(('min_amount_minor__gte', 0), ('min_amount_minor__lte', 1000000000)), name='coupon_template_min_amount_range'),
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(('points_cost__lte', 1000000)), name='coupon_template_points_cost_range'),
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('valid_from'))), name='coupon_template_validity_order'),
        ),
        migrations.AddConstraint(
            model_name='coupontemplate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('boost_months__gte', 1), ('boost_months__lte', 36), ('boost_rate__gt', 0), ('boost_rate__lte', Decimal('0.0500')), ('kind', 'rate_boost'), ('value_minor', 0)), models.Q(models.Q(('kind', 'rate_boost'), _negated=True), ('boost_months', 0), ('boost_rate', 0), ('value_minor__gt', 0)), _connector='OR'), name='coupon_template_kind_terms'),
        ),
        migrations.AddIndex(
            model_name='coupon',
            index=models.Index(fields=['user', 'status'], name='coupon_user_status'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(('channel', 'offline'), ('kind__in', ['cash_voucher', 'rate_boost']), _negated=True), name='coupon_offline_never_investment'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.UniqueConstraint(fields=('user', 'issue_key'), name='coupon_one_per_issue_key'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('redeemed_channel', 'offline'), _negated=True), models.Q(('note__isnull', True), models.Q(('kind__in', ['cash_voucher', 'rate_boost']), _negated=True)), _connector='OR'), name='coupon_offline_redemption_never_investment'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(('note__isnull', True), ('kind__in', ['cash_voucher', 'rate_boost']), _connector='OR'), name='coupon_note_only_for_investment_kinds'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(('loan__isnull', True), ('kind', 'fee_discount'), _connector='OR'), name='coupon_loan_only_for_fee_discount'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('redeemed_on__isnull', False), ('status', 'redeemed'), models.Q(('redeemed_channel', ''), _negated=True)), models.Q(models.Q(('status', 'redeemed'), _negated=True), ('redeemed_channel', ''), ('redeemed_on__isnull', True)), _connector='OR'), name='coupon_redeemed_fields_match_status'),
        ),
        migrations.AddConstraint(
            model_name='coupon',
            constraint=models.CheckConstraint(condition=models.Q(('boost_payouts__lte', 36), ('paid_minor__gte', 0)), name='coupon_paid_range'),
        ),
    ]
