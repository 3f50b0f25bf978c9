from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import accounts

urlpatterns: list[URLPattern | URLResolver] = [
    path("register", accounts.register, name="register"),
    path("login", accounts.LoginView.as_view(), name="login"),
    path("logout", accounts.LogoutView.as_view(), name="logout"),
    path("kyc", accounts.kyc, name="kyc"),
    path("agent/", accounts.agent_console, name="agent_console"),
    path("agent/members", accounts.agent_members, name="agent_members"),
]
