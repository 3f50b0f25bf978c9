"""The disclosure charts are inlined in the page: nothing in them may need an inline style (the CSP refuses it)."""

from __future__ import annotations

import re

from peerlend.disclosure.monthly.charts import _presentation, volume_chart


def test_no_style_element_or_attribute_is_left() -> None:
    svg = volume_chart([])
    assert "<style" not in svg
    assert not re.search(r"\sstyle=", svg)


def test_styles_become_presentation_attributes() -> None:
    svg = volume_chart([])
    assert 'fill="#ffffff"' in svg
    assert re.search(r'font-size="\d+(\.\d+)?px"', svg)


def test_the_drawing_scales_to_its_container() -> None:
    root = re.match(r"<svg\b[^>]*>", volume_chart([]))
    assert root is not None
    assert 'width="100%"' in root.group(0) and "viewBox=" in root.group(0)
    assert "height=" not in root.group(0)


def test_declarations_split_on_semicolons() -> None:
    match = re.search(r'style="([^"]*)"', 'style="stroke: #000000; stroke-width: 0.8;"')
    assert match is not None
    assert _presentation(match) == 'stroke="#000000" stroke-width="0.8"'
