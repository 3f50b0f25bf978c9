# Referrals (issue 15 part 4): members' codes and the sign-ups made with them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('marketing', '0003_staff_performance'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferralCode',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='referral_code', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('code', models.CharField(max_length=8, unique=True, verbose_name='referral code')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='MemberDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('device_hash', models.CharField(max_length=64)),
                ('first_seen_on', models.DateField()),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Referral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=8, verbose_name='referral code')),
                ('channel', models.CharField(choices=[('online', 'Online (link or code)'), ('agent', 'At a service point')], max_length=10, verbose_name='channel')),
                ('device_hash', models.CharField(blank=True, db_index=True, default='', max_length=64)),
                ('registered_on', models.DateField(verbose_name='signed up on')),
                ('status', models.CharField(choices=[('pending', 'Signed up, waiting for a first investment or repayment'), ('rewarded', 'Rewarded'), ('refused', 'Not rewarded')], default='pending', max_length=10, verbose_name='status')),
                ('refusal_reason', models.CharField(blank=True, choices=[('same_identity', 'Same identity as the referrer'), ('same_device', "Signed up from the referrer's device"), ('same_card', 'Same bank card as the referrer'), ('monthly_cap', 'Monthly limit of rewarded referrals reached')], default='', max_length=16, verbose_name='reason')),
                ('trigger', models.CharField(blank=True, choices=[('first_investment', 'First investment'), ('first_repayment', 'First repaid installment')], default='', max_length=20, verbose_name='reward trigger')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('referrer_points', models.PositiveIntegerField(default=0, verbose_name="referrer's points")),
                ('referee_points', models.PositiveIntegerField(default=0, verbose_name="referee's points")),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('referee', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='referred_by', to=settings.AUTH_USER_MODEL, verbose_name='referee')),
                ('referee_coupon', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='marketing.coupon')),
                ('referrer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to=settings.AUTH_USER_MODEL, verbose_name='referrer')),
                ('referrer_coupon', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='marketing.coupon')),
            ],
            options={
                'ordering': ['-registered_on', '-pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='memberdevice',
            constraint=models.UniqueConstraint(fields=('user', 'device_hash'), name='member_device_once'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['referrer', 'status', 'decided_on'], name='referral_referrer_status'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('referrer', models.F('referee')), _negated=True), name='referral_not_self'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_on__isnull', True), ('refusal_reason', ''), ('status', 'pending')), models.Q(('decided_on__isnull', False), ('refusal_reason', ''), ('status', 'rewarded')), models.Q(('decided_on__isnull', False), ('status', 'refused'), models.Q(('refusal_reason', ''), _negated=True)), _connector='OR'), name='referral_status_consistent'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('referee_points__lte', 1000000), ('referrer_points__lte', 1000000)), name='referral_points_range'),
        ),
    ]
