"""The chart images: valid SVG, text kept as text, no script, labels in the active language, empty states."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.utils import translation

from peerlend.investing import charts
from peerlend.investing.cash_flows import CashFlows, MonthFlow
from peerlend.investing.chart_data import BUCKETS, Slice, bucket_of_days

SVG = "{http://www.w3.org/2000/svg}"

FLOWS = CashFlows((
    MonthFlow(date(2026, 3, 1), invested_minor=6_000_00),
    MonthFlow(date(2026, 4, 1), principal_minor=480_00, interest_minor=55_17, fees_minor=5_35),
    MonthFlow(date(2026, 5, 1), principal_minor=485_00, interest_minor=50_02, fees_minor=5_35, losses_minor=1_500_00),
    MonthFlow(date(2026, 6, 1), principal_minor=490_00, interest_minor=45_00, fees_minor=5_35, recoveries_minor=300_00),
))
SLICES = [Slice("current", 3, 3_000_00), Slice("late_16_30", 1, 500_00), Slice("paid", 2, 2_000_00),
          Slice("charged_off", 1, 1_500_00)]
GRADES = [("A", 3_050_00), ("C", 1_200_00)]


def _all() -> dict[str, bytes]:
    return {"cash_flow": charts.cash_flow_chart(FLOWS), "returns": charts.returns_chart(FLOWS),
            "status": charts.status_mix_chart(SLICES), "grades": charts.grade_chart(GRADES)}


def texts(svg: bytes) -> str:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("name", ["cash_flow", "returns", "status", "grades"])
def test_each_chart_is_valid_svg_with_text_and_no_script(name):
    svg = _all()[name]
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script")) and b"<script" not in svg.lower()
    assert not any(k.lower().startswith("on") for el in root.iter() for k in el.attrib)  # no event handlers
    assert b"javascript:" not in svg.lower()
    # Nothing loaded from elsewhere: links only to ids inside the file, no images or foreign objects.
    links = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
    assert all(v.startswith("#") for v in links)
    assert not list(root.iter(f"{SVG}image")) and not list(root.iter(f"{SVG}foreignObject"))
    assert list(root.iter(f"{SVG}text"))  # svg.fonttype "none": labels are text, not glyph outlines
    assert len(svg) < 60_000


def test_english_labels():
    with translation.override("en"):
        svgs = _all()
    assert "Principal" in texts(svgs["cash_flow"]) and "Interest" in texts(svgs["cash_flow"])
    assert "Charged off" in texts(svgs["cash_flow"])
    assert "Invested to date" in texts(svgs["returns"])
    assert "Late (16–30 days)" in texts(svgs["status"]) and "Fully paid" in texts(svgs["status"])
    assert "3050.00" in texts(svgs["grades"]) and "Grade A" in texts(svgs["grades"])


def test_chinese_labels():
    with translation.override("zh-hans"):
        svgs = _all()
    cash = texts(svgs["cash_flow"])
    assert "本金" in cash and "利息" in cash and "已核销" in cash and "Principal" not in cash
    assert "月度现金流" in cash
    assert "累计投资" in texts(svgs["returns"])
    status = texts(svgs["status"])
    assert "还款中" in status and "已结清" in status and "逾期 16–30 天" in status
    assert "A 级" in texts(svgs["grades"])


@pytest.mark.parametrize("render", [
    lambda: charts.cash_flow_chart(CashFlows(())),
    lambda: charts.cash_flow_chart(CashFlows((MonthFlow(date(2026, 3, 1), invested_minor=100_00),))),
    lambda: charts.returns_chart(CashFlows(())),
    lambda: charts.status_mix_chart([]),
    lambda: charts.grade_chart([]),
])
def test_nothing_to_show_gives_a_readable_no_data_image(render):
    with translation.override("en"):
        assert "No data yet" in texts(render())
    with translation.override("zh-hans"):
        assert "暂无数据" in texts(render())


def test_fonts_fall_back_when_no_cjk_font_is_installed(monkeypatch):
    from matplotlib import font_manager

    charts.font_family.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name])
    try:
        assert charts.font_family() == (charts.FALLBACK_FONT,)
        with translation.override("zh-hans"):
            assert "本金" in texts(charts.cash_flow_chart(FLOWS))  # still text; the browser picks a font
    finally:
        charts.font_family.cache_clear()


def test_status_buckets_by_days_past_due():
    assert [bucket_of_days(d) for d in (0, 1, 15, 16, 30, 31, 120, 121, 400)] == [
        "current", "grace", "grace", "late_16_30", "late_16_30", "late_31_120", "late_31_120", "late_121", "late_121"]
    assert set(charts.status_labels()) == set(BUCKETS)
