# Lock-in wealth plans, their subscriptions, the notes plans bought and the head start of new listings.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('investing', '0002_autoinvest'),
        ('lending', '0004_note_placed_on_and_amount_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanHeadStart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_from', models.DateTimeField()),
                ('loan', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='plan_head_start', to='lending.loan')),
            ],
        ),
        migrations.CreateModel(
            name='WealthPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('open', 'Open for subscription'), ('locked', 'Locked in'), ('exiting', 'Exiting (notes held to maturity)'), ('closed', 'Closed')], db_index=True, default='draft', max_length=10)),
                ('target_minor', models.BigIntegerField()),
                ('subscribe_from', models.DateField(help_text='first business date investors may join')),
                ('subscribe_until', models.DateField(help_text='last business date investors may join; lock-in starts the day after')),
                ('lock_months', models.PositiveSmallIntegerField()),
                ('exit_months', models.PositiveSmallIntegerField(default=0, help_text='stated exit period: the plan buys only loans that mature within lock-in plus this')),
                ('expected_rate_low', models.DecimalField(decimal_places=4, max_digits=6)),
                ('expected_rate_high', models.DecimalField(decimal_places=4, max_digits=6)),
                ('grades', models.JSONField(default=list, help_text='eligible grade letters, e.g. ["A", "B"]')),
                ('max_share_bp', models.PositiveIntegerField(help_text='most of one loan the plan may buy, basis points')),
                ('min_subscription_minor', models.BigIntegerField()),
                ('max_subscription_minor', models.BigIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('locked_on', models.DateField(blank=True, null=True)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='PlanSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_minor', models.BigIntegerField(help_text='amount joined with')),
                ('reinvest', models.BooleanField(help_text='received interest and principal go back into plan money during lock-in')),
                ('status', models.CharField(choices=[('active', 'Active'), ('left', 'Left during the subscription window'), ('exited', 'Exited at the end of lock-in')], default='active', max_length=10)),
                ('uninvested_minor', models.BigIntegerField(help_text="plan money frozen in the investor's own account")),
                ('invested_minor', models.BigIntegerField(default=0, help_text='total placed in notes')),
                ('reinvested_minor', models.BigIntegerField(default=0, help_text='receipts moved back into plan money')),
                ('swept_minor', models.BigIntegerField(default=0, help_text='receipts of plan notes already looked at')),
                ('joined_on', models.DateField()),
                ('ended_on', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('investor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_subscriptions', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='investing.wealthplan')),
            ],
        ),
        migrations.CreateModel(
            name='PlanNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lending.loan')),
                ('note', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='plan_note', to='lending.note')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_notes', to='investing.plansubscription')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_notes', to='investing.wealthplan')),
            ],
        ),
        migrations.AddConstraint(
            model_name='wealthplan',
            constraint=models.CheckConstraint(condition=models.Q(('target_minor__gt', 0)), name='plan_target_positive'),
        ),
        migrations.AddConstraint(
            model_name='wealthplan',
            constraint=models.CheckConstraint(condition=models.Q(('max_share_bp__gte', 1), ('max_share_bp__lte', 10000)), name='plan_max_share_range'),
        ),
        migrations.AddConstraint(
            model_name='wealthplan',
            constraint=models.CheckConstraint(condition=models.Q(('min_subscription_minor__gt', 0), ('max_subscription_minor__gte', models.F('min_subscription_minor'))), name='plan_subscription_range'),
        ),
        migrations.AddConstraint(
            model_name='plansubscription',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'left'), _negated=True), fields=('plan', 'investor'), name='one_live_subscription_per_plan'),
        ),
        migrations.AddConstraint(
            model_name='plansubscription',
            constraint=models.CheckConstraint(condition=models.Q(('uninvested_minor__gte', 0)), name='plan_uninvested_not_negative'),
        ),
        migrations.AddIndex(
            model_name='plannote',
            index=models.Index(fields=['plan', 'loan'], name='plan_note_plan_loan'),
        ),
    ]
