from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import accounts, passwords

urlpatterns: list[URLPattern | URLResolver] = [
    path("register", accounts.register, name="register"),
    path("login", accounts.LoginView.as_view(), name="login"),
    path("logout", accounts.LogoutView.as_view(), name="logout"),
    path("kyc", accounts.kyc, name="kyc"),
    path("agent/", accounts.agent_console, name="agent_console"),
    path("agent/members", accounts.agent_members, name="agent_members"),
    path("agent/consent-code", passwords.agent_consent_code, name="agent_consent_code"),
    path("password-reset", passwords.password_reset, name="password_reset"),
    path("password/<uidb64>/<token>", passwords.PasswordSetView.as_view(), name="password_set"),
    path("terms", passwords.terms_page, name="terms"),
    path("privacy", passwords.privacy_page, name="privacy"),
]
