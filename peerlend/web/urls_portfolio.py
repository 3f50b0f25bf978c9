"""Page URLs of the investor's portfolio pages."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import portfolio, portfolio_charts

urlpatterns: list[URLPattern | URLResolver] = [
    path("investing/portfolio", portfolio.portfolio, name="portfolio"),
    path("investing/portfolio/notes.csv", portfolio.notes_csv, name="portfolio_notes_csv"),
    # The charts on the portfolio page (web/portfolio/_charts.html): SVG images drawn on request.
    path("investing/portfolio/charts/cash-flow.svg", portfolio_charts.cash_flow_chart,
         name="portfolio_chart_cash_flow"),
    path("investing/portfolio/charts/returns.svg", portfolio_charts.returns_chart, name="portfolio_chart_returns"),
    path("investing/portfolio/charts/status.svg", portfolio_charts.status_chart, name="portfolio_chart_status"),
    path("investing/portfolio/charts/grades.svg", portfolio_charts.grade_chart, name="portfolio_chart_grades"),
]
