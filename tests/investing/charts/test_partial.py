"""The charts partial: four images with alt text and captions, no inline script or style (CSP)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

ROUTES = ["web:portfolio_chart_cash_flow", "web:portfolio_chart_returns", "web:portfolio_chart_status",
          "web:portfolio_chart_grades"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_four_images_with_alt_text_captions_and_full_width():
    html = render_to_string("web/portfolio/_charts.html")
    tags = _parse(html)
    images = [attrs for tag, attrs in tags if tag == "img"]
    assert [img["src"] for img in images] == [reverse(r) for r in ROUTES]
    assert all(img["alt"] and len(img["alt"]) > 20 for img in images)
    assert all("w-100" in (img["class"] or "").split() for img in images)
    assert sum(1 for tag, _attrs in tags if tag == "figcaption") == 4
    assert not any("style" in attrs for _tag, attrs in tags)
    assert "<script" not in html and "<style" not in html and "<noscript" not in html


def test_the_partial_is_translated():
    with translation.override("zh-hans"):
        html = render_to_string("web/portfolio/_charts.html")
    assert "图表" in html and "月度现金流" in html


@pytest.mark.django_db
def test_the_portfolio_page_shows_the_charts(client, investor_factory):
    client.force_login(investor_factory(cash_minor=0))
    response = client.get(reverse("web:portfolio"))
    assert response.status_code == 200
    srcs = [attrs["src"] for tag, attrs in _parse(response.content.decode()) if tag == "img"]
    assert all(reverse(r) in srcs for r in ROUTES)
