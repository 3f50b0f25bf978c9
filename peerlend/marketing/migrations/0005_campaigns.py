"""Campaigns and their grants (issue 15 part 5)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('marketing', '0004_referrals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('segment', models.CharField(choices=[('rfm_champions', 'RFM: best members (recency, frequency and monetary scores 4-5)'), ('rfm_at_risk', 'RFM: at risk (active often before, not recently)'), ('never_invested', 'Registered investors who never invested'), ('lapsed_investors', 'Lapsed investors (no investment for N days)'), ('borrowers_paid_off', 'Borrowers paid off in good standing'), ('tagged', "Members with an agent's tag")], max_length=24, verbose_name='segment')),
                ('lapsed_days', models.PositiveIntegerField(default=90, verbose_name='days without investment')),
                ('tag', models.CharField(blank=True, max_length=32, verbose_name='tag')),
                ('reward', models.CharField(choices=[('points', 'Points'), ('coupon', 'Coupon')], max_length=8, verbose_name='reward')),
                ('points', models.PositiveIntegerField(default=0, verbose_name='points per member')),
                ('message', models.CharField(max_length=500, verbose_name='message')),
                ('run_on', models.DateField(verbose_name='run on')),
                ('budget', models.BigIntegerField(verbose_name='budget')),
                ('spent', models.BigIntegerField(default=0, verbose_name='spent')),
                ('left_out', models.PositiveIntegerField(default=0)),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('done', 'Run'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ran_at', models.DateTimeField(blank=True, null=True)),
                ('coupon_template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='marketing.coupontemplate')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='CampaignGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cost', models.BigIntegerField()),
                ('granted_on', models.DateField()),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grants', to='marketing.campaign')),
                ('coupon', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='marketing.coupon')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddIndex(
            model_name='campaign',
            index=models.Index(fields=['status', 'run_on'], name='campaign_due'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('budget__gte', 1), ('budget__lte', 10000000000)), name='campaign_budget_range'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('spent__gte', 0), ('spent__lte', models.F('budget'))), name='campaign_spent_within_budget'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('lapsed_days__gte', 1), ('lapsed_days__lte', 3650)), name='campaign_lapsed_days_range'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('coupon_template__isnull', True), ('points__gte', 1), ('points__lte', 100000), ('reward', 'points')), models.Q(('coupon_template__isnull', False), ('points', 0), ('reward', 'coupon')), _connector='OR'), name='campaign_reward_terms'),
        ),
        migrations.AddConstraint(
            model_name='campaigngrant',
            constraint=models.UniqueConstraint(fields=('campaign', 'user'), name='campaign_grant_once'),
        ),
        migrations.AddConstraint(
            model_name='campaigngrant',
            constraint=models.CheckConstraint(condition=models.Q(('cost__gte', 0)), name='campaign_grant_cost_positive'),
        ),
    ]
