# Auto-invest rules, rounds and decisions.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("investing", "0001_suitability_and_risk_disclosure"),
        ("lending", "0004_note_placed_on_and_amount_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AutoInvestRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_date', models.DateField()),
                ('trigger', models.CharField(choices=[('listing', 'Loan listed'), ('daily', 'Daily run'), ('command', 'On demand')], max_length=10)),
                ('candidates', models.PositiveIntegerField(default=0)),
                ('placed', models.PositiveIntegerField(default=0)),
                ('skipped', models.PositiveIntegerField(default=0)),
                ('placed_minor', models.BigIntegerField(default=0)),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_invest_rounds', to='lending.loan')),
            ],
        ),
        migrations.CreateModel(
            name='AutoInvestRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('enabled', models.BooleanField(default=True)),
                ('grades', models.JSONField(blank=True, default=list, help_text='grade letters A-E (or sub-grades)')),
                ('terms', models.JSONField(blank=True, default=list, help_text='terms in months')),
                ('repayment_methods', models.JSONField(blank=True, default=list)),
                ('purposes', models.JSONField(blank=True, default=list)),
                ('channels', models.JSONField(blank=True, default=list)),
                ('min_rate_bp', models.PositiveIntegerField(default=0, help_text='minimum annual rate, basis points')),
                ('amount_per_note_minor', models.BigIntegerField()),
                ('max_per_loan_minor', models.BigIntegerField()),
                ('max_borrower_share_bp', models.PositiveIntegerField(default=200)),
                ('cash_reserve_minor', models.BigIntegerField(default=0)),
                ('monthly_cap_minor', models.BigIntegerField(blank=True, help_text='empty: no monthly cap', null=True)),
                ('notes_per_loan', models.PositiveSmallIntegerField(default=1)),
                ('version', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('investor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_invest_rules', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='AutoInvestDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('placed', 'Invested'), ('skipped', 'Not invested')], max_length=8)),
                ('reason', models.CharField(choices=[('placed', 'Note bought'), ('own_loan', 'Your own loan'), ('notes_per_loan', 'Already holds the notes the rule allows in this loan'), ('max_per_loan', 'Maximum per loan reached'), ('insufficient_cash', 'Not enough available cash'), ('cash_reserve', 'Cash reserve kept'), ('borrower_concentration', 'Maximum share per borrower reached'), ('monthly_cap', 'Monthly cap reached'), ('loan_room', 'Nothing left for auto-invest (the last part is left to manual investors)'), ('not_listed', 'The loan was no longer open for investment'), ('insufficient_funds', 'The cash was no longer available when the note was placed'), ('kyc_required', 'Real-name verification (KYC) not completed'), ('forbidden_role', 'Not an investor'), ('suitability_required', 'Risk questionnaire not answered'), ('suitability_expired', 'Risk assessment expired'), ('grade_above_risk_level', 'Loan grade above your risk level'), ('disclosure_required', 'Risk disclosure not acknowledged'), ('limit_exceeded', 'Investment limit reached'), ('refused', 'Refused by an investment check')], max_length=32)),
                ('amount_minor', models.BigIntegerField(default=0)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('investor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_invest_decisions', to=settings.AUTH_USER_MODEL)),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_invest_decisions', to='lending.loan')),
                ('note', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='lending.note')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='investing.autoinvestround')),
                ('rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='decisions', to='investing.autoinvestrule')),
            ],
        ),
        migrations.AddConstraint(
            model_name='autoinvestround',
            constraint=models.UniqueConstraint(fields=('loan', 'business_date', 'trigger'), name='autoinvest_one_round_per_trigger_day'),
        ),
        migrations.AddIndex(
            model_name='autoinvestrule',
            index=models.Index(fields=['enabled', 'id'], name='autoinvest_rule_enabled'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('min_rate_bp__lte', 3600)), name='autoinvest_rule_rate_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('amount_per_note_minor__gt', 0), ('amount_per_note_minor__lte', 1000000000)), name='autoinvest_rule_amount_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('max_per_loan_minor__gte', models.F('amount_per_note_minor')), ('max_per_loan_minor__lte', 1000000000)), name='autoinvest_rule_max_per_loan_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('max_borrower_share_bp__gte', 1), ('max_borrower_share_bp__lte', 10000)), name='autoinvest_rule_borrower_share_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('cash_reserve_minor__gte', 0), ('cash_reserve_minor__lte', 1000000000)), name='autoinvest_rule_reserve_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('monthly_cap_minor__isnull', True), models.Q(('monthly_cap_minor__gt', 0), ('monthly_cap_minor__lte', 1000000000)), _connector='OR'), name='autoinvest_rule_monthly_cap_range'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestrule',
            constraint=models.CheckConstraint(condition=models.Q(('notes_per_loan__gte', 1), ('notes_per_loan__lte', 10)), name='autoinvest_rule_notes_per_loan_range'),
        ),
        migrations.AddIndex(
            model_name='autoinvestdecision',
            index=models.Index(fields=['investor', 'loan'], name='autoinvest_decision_inv_loan'),
        ),
        migrations.AddIndex(
            model_name='autoinvestdecision',
            index=models.Index(fields=['investor', '-id'], name='autoinvest_decision_inv_id'),
        ),
        migrations.AddConstraint(
            model_name='autoinvestdecision',
            constraint=models.CheckConstraint(condition=models.Q(('amount_minor__gte', 0)), name='autoinvest_decision_amount_nonneg'),
        ),
    ]
