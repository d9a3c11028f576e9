"""Desktop (1280 px) and phone (390 px), light and dark: every tab is drawn without horizontal overflow, without a
word broken letter by letter, with readable highlights; the screenshots of docs/ and README are taken here.

Screenshots: docs/screenshots/<tab>[-phone][-dark].png (tabs hoi-dap, nhiem-vu, van-ban, danh-gia).
"""

from __future__ import annotations

import pytest

from tests.ui.browser import SHOTS, ask, browser_page, foreign_requests, needs_chromium, open_citation, shot, tab
from tests.ui.conftest import launch_ui
from tests.ui.english import english_words

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")

UNIT = "Ban Tổ chức Thành ủy"

# Problems of the layout, as seen by the browser: sideways scrolling, elements past the right edge (unless clipped
# by a scrolling box), table headers whose text does not fit, short words broken over lines, a cut input value.
LAYOUT_PROBLEMS_JS = """() => {
  const W = document.documentElement.clientWidth, problems = [];
  if (document.documentElement.scrollWidth > W + 1)
    problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
  const clipped = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'hidden' || o === 'auto' || o === 'scroll') return true; }
    return false; };
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden="true"], .visually-hidden'); };
  for (const el of document.querySelectorAll('.gradio-container *')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1 && !clipped(el)) problems.push('past the right edge: ' + el.tagName + '.' + el.className);
  }
  for (const th of document.querySelectorAll('th')) {
    if (shown(th) && th.scrollWidth > th.clientWidth + 1) problems.push('header wider than its cell: ' + th.innerText);
  }
  const roots = document.querySelectorAll('.bang, #chat, #xem-van-ban, label, button, [role=tab]');
  for (const root of roots) {
    if (!shown(root)) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\\/]+/g; let m;  // a line may break after - or /
      while ((m = re.exec(node.data))) {
        if (m[0].length > 20) continue;  // long file names and codes may wrap
        const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) { problems.push('word broken over lines: ' + m[0]); break; }
      }
    }
  }
  for (const input of document.querySelectorAll('#don-vi input')) {
    if (shown(input) && input.scrollWidth > input.clientWidth + 1) problems.push('unit box cut: ' + input.value);
  }
  return problems.slice(0, 20);
}"""

# WCAG contrast ratio of an element's text on its background (walking up to the first opaque background).
CONTRAST_JS = """(el) => {
  const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = null;
  for (let p = el; p; p = p.parentElement) { const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length < 4 || c[3] > 0.9) { bg = c; break; } }
  const fg = rgb(getComputedStyle(el).color), a = lum(fg), b = lum(bg || [255, 255, 255]);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def app_url(corpus_index):  # noqa: F811 - pytest fixture injection
    app, url = launch_ui(corpus_index)
    yield url
    app.close()


def _shot_in_vietnamese(page, name: str) -> None:
    """Take the screenshot, and fail on any English word the user can read on the screen. Gradio's own status
    line shows "Loading…" for a moment while a component (re)loads: the screen is taken once it is gone."""
    page.wait_for_function("() => !document.body.innerText.includes('Loading')", timeout=30_000)
    shot(page, name)
    words = english_words(page.locator("body").inner_text())
    where = page.evaluate("""(words) => [...document.querySelectorAll('body *')].filter(e => words.some(w =>
        (e.innerText || '').includes(w)) && ![...e.children].some(c => words.some(w => (c.innerText || '').includes(w))))
        .map(e => e.outerHTML.slice(0, 300))""", words) if words else []
    assert words == [], f"English on the screen of {name}: {words} in {where}"


def _name(tab_id: str, width: int, dark: bool) -> str:
    return f"{tab_id}{'-phone' if width < 600 else ''}{'-dark' if dark else ''}.png"


@pytest.mark.parametrize("width, dark", [(1280, False), (1280, True), (390, False), (390, True)],
                         ids=["desktop", "desktop-dark", "phone", "phone-dark"])
def test_every_tab_fits_and_is_readable(app_url, width, dark):
    with browser_page(app_url, width=width, height=900 if width > 600 else 844, dark=dark) as page:
        assert page.evaluate("document.body.classList.contains('dark')") is dark
        answer = ask(page, "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
        assert "[1]" in answer
        open_citation(page, -1, 1)
        for selector in ("#xem-van-ban .doc-p.cited", "#xem-van-ban .doc-p.cited mark"):
            ratio = page.locator(selector).first.evaluate(CONTRAST_JS)
            assert ratio >= 4.5, f"{selector}: contrast {ratio:.1f} in {'dark' if dark else 'light'} mode"
        # Sources follow their answer (before the question box and the examples).
        tops = page.evaluate("""() => { const turn = [...document.querySelectorAll('#chat .turn')].pop();
            return [turn.querySelector('.msg.dap'), turn.querySelector('.nguon-list'),
                    document.querySelector('#cau-hoi')].map(el => el.getBoundingClientRect().top); }""")
        assert tops[0] < tops[1] < tops[2], tops
        if width < 600:
            page.evaluate("document.querySelector('#chat .turn:last-child .nguon-list').scrollIntoView()")
            assert page.evaluate(LAYOUT_PROBLEMS_JS) == []
        _shot_in_vietnamese(page, _name("hoi-dap", width, dark))

        tab(page, "Nhiệm vụ")
        unit_box = page.locator("#don-vi input")
        unit_box.click()
        unit_box.fill("to chuc thanh")
        page.get_by_role("option", name=UNIT, exact=True).click()
        page.get_by_label("Tính đến ngày").fill("20/8/2025")
        page.locator("#xem-nhiem-vu").click()
        page.wait_for_function("() => document.querySelectorAll('#bang-nhiem-vu tbody tr').length > 0")
        if width < 600:  # one card per duty: the header row is hidden, every cell carries its label
            assert not page.locator("#bang-nhiem-vu thead").is_visible()
            first = page.locator("#bang-nhiem-vu tbody tr").first
            labels = first.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
            assert '"Nhiệm vụ"' in labels and '"Thời hạn"' in labels, labels
        assert page.evaluate(LAYOUT_PROBLEMS_JS) == []
        _shot_in_vietnamese(page, _name("nhiem-vu", width, dark))

        tab(page, "Văn bản")
        page.wait_for_function("() => document.querySelector('#bang-van-ban').innerText.includes('không ghi số')")
        assert page.evaluate(LAYOUT_PROBLEMS_JS) == []
        _shot_in_vietnamese(page, _name("van-ban", width, dark))

        tab(page, "Đánh giá")
        n_box = page.locator("#so-cau input")
        n_box.fill("3")
        n_box.press("Tab")
        page.locator("#chay-danh-gia").click()
        page.wait_for_function("() => document.querySelectorAll('#bang-danh-gia tbody tr').length === 3",
                               timeout=240_000)
        assert page.evaluate(LAYOUT_PROBLEMS_JS) == []
        _shot_in_vietnamese(page, _name("danh-gia", width, dark))
        assert foreign_requests(page) == []
    for name in ("hoi-dap", "nhiem-vu", "van-ban", "danh-gia"):
        assert (SHOTS / _name(name, width, dark)).stat().st_size > 10_000


def test_theme_switch_is_kept_across_reloads(app_url):
    with browser_page(app_url) as page:
        assert not page.evaluate("document.body.classList.contains('dark')")
        page.locator("#doi-giao-dien").click()
        page.wait_for_function("() => document.body.classList.contains('dark')")
        page.reload()
        page.wait_for_selector("#cau-hoi textarea")
        page.wait_for_function("() => document.body.classList.contains('dark')")
        page.locator("#doi-giao-dien").click()
        page.wait_for_function("() => !document.body.classList.contains('dark')")
