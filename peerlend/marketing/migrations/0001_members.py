# Members and the points ledger (issue 15 parts 1-2).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Member',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='member', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('balance', models.BigIntegerField(default=0, verbose_name='points balance')),
                ('birth_md', models.CharField(blank=True, db_index=True, default='', max_length=4)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('balance__gte', 0)), name='member_points_not_negative')],
            },
        ),
        migrations.CreateModel(
            name='PointsEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('delta', models.BigIntegerField()),
                ('reason', models.CharField(choices=[('registration', 'Registration'), ('identity_verified', 'Identity verified'), ('referral', 'Referral reward'), ('investment', 'Investment'), ('on_time_repayment', 'On-time repayment'), ('campaign_task', 'Campaign task'), ('offline_visit', 'Visit at a service point'), ('birthday', 'Birthday gift'), ('redemption', 'Redeemed'), ('coupon', 'Exchanged for a coupon'), ('expiry', 'Expired'), ('reversal', 'Reversed'), ('refund_reversal', 'Reversed: investment refunded')], db_index=True, max_length=24)),
                ('reference', models.CharField(blank=True, default='', max_length=120)),
                ('idempotency_key', models.CharField(max_length=160)),
                ('remaining', models.BigIntegerField(default=0)),
                ('expires_on', models.DateField(blank=True, db_index=True, null=True)),
                ('booked_on', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='points_entries', to='marketing.member')),
                ('reversal_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversals', to='marketing.pointsentry')),
            ],
            options={
                'ordering': ['-id'],
            },
        ),
        migrations.AddIndex(
            model_name='pointsentry',
            index=models.Index(fields=['member', 'booked_on'], name='mkt_points_member_day'),
        ),
        migrations.AddConstraint(
            model_name='pointsentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('delta', 0), _negated=True), ('delta__gte', -10000000), ('delta__lte', 10000000)), name='points_delta_range'),
        ),
        migrations.AddConstraint(
            model_name='pointsentry',
            constraint=models.CheckConstraint(condition=models.Q(('remaining__gte', 0), models.Q(('remaining', 0), ('remaining__lte', models.F('delta')), _connector='OR')), name='points_remaining_range'),
        ),
        migrations.AddConstraint(
            model_name='pointsentry',
            constraint=models.UniqueConstraint(fields=('member', 'idempotency_key'), name='points_key_once_per_member'),
        ),
    ]
