"""Odoo-free tests of crm_campaign_mgmt.lib.html_list (an import's description list)."""

from markupsafe import Markup

from crm_campaign_mgmt.lib.html_list import SanitizedHtml, plain_html_list


def test_items_are_escaped_text():
    html = plain_html_list([("Industry", "IT & <Services>"), ("Size", 250), ("Notes", "it's \"ok\"")])
    assert isinstance(html, SanitizedHtml)
    assert isinstance(html, Markup)
    assert html == (
        "<ul><li>Industry: IT &amp; &lt;Services&gt;</li><li>Size: 250</li>"
        "<li>Notes: it's \"ok\"</li></ul>"
    )


def test_markup_in_a_value_stays_text():
    html = plain_html_list([("Notes", "</li></ul><script>alert(1)</script>")])
    assert "<script>" not in html
    assert html.count("<li>") == 1


def test_a_character_the_sanitizer_changes_gives_none():
    for text in ("5\xa0000", "bell\x07", "a\x0bb", "\ufffe", "\ud800"):
        assert plain_html_list([("Notes", text)]) is None
        assert plain_html_list([(text, "value")]) is None


def test_newlines_tabs_and_unicode_are_kept():
    html = plain_html_list([("Notes", "line\nbreak\tand\r ₹ 😀 中文")])
    assert html == "<ul><li>Notes: line\nbreak\tand\r ₹ 😀 中文</li></ul>"
