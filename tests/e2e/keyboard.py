"""Driving a page with the keyboard alone, as a person without a mouse or touch screen would.

Every helper moves focus with Tab (and the arrow keys inside a radio group) and acts with
Space, Enter or typing; none clicks or fills. Each time focus lands where it was going,
the helpers check that the focus can be seen.
"""

from __future__ import annotations

from typing import Any

MAX_TABS = 80

# The app's focus indicator is the GOV.UK yellow (#ffdd00): as an outline, a background, a
# border or a box shadow. Looking for that colour (rather than any outline or shadow, which
# a button has anyway) shows the focus really changed how the element looks.
FOCUS_VISIBLE = """(element) => {
  const style = getComputedStyle(element);
  const yellow = 'rgb(255, 221, 0)';
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && style.outlineColor === yellow;
  return outline || style.backgroundColor === yellow || style.borderTopColor === yellow
    || style.boxShadow.includes(yellow);
}"""


def focused(page: Any) -> Any:
    return page.locator(":focus")


MARK = "data-keyboard-target"
FOCUS_STATE = (f"(element) => [element.hasAttribute('{MARK}'), ({FOCUS_VISIBLE})(element), "
               "element.outerHTML.slice(0, 80)]")


def tab_to(page: Any, selector: str, *, backwards: bool = False) -> None:
    """Press Tab until one of the elements `selector` finds has focus; fail if none ever does.

    Every element passed on the way must show its focus. `selector` may use Playwright's own
    selectors (`:text-is()`), so the targets are marked with a data attribute for the
    duration, and focus is compared against the mark.
    """
    key = "Shift+Tab" if backwards else "Tab"
    targets = page.locator(selector)
    assert targets.count() >= 1, f"nothing matches {selector} on {page.url}"
    targets.evaluate_all(f"(elements) => elements.forEach((e) => e.setAttribute('{MARK}', ''))")
    try:
        for _ in range(MAX_TABS):
            page.keyboard.press(key)
            current = focused(page)
            if current.count() != 1:
                continue  # focus left the page (past the last control): the next Tab comes back
            is_target, visible, html = current.evaluate(FOCUS_STATE)
            assert visible, f"focus cannot be seen on {html} at {page.url}"
            if is_target:
                return
        raise AssertionError(f"could not reach {selector} with {key} in {MAX_TABS} presses on {page.url}")
    finally:
        page.locator(f"[{MARK}]").evaluate_all(f"(elements) => elements.forEach((e) => e.removeAttribute('{MARK}'))")


def focused_value(page: Any) -> str:
    return str(focused(page).evaluate("(element) => element.value"))


def choose(page: Any, name: str, value: str) -> None:
    """Choose a radio button: Tab into its group, then move with the arrow keys."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(20):
        if focused_value(page) == value:
            page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
    assert page.locator(f"input[name='{name}'][value='{value}']").is_checked(), f"{name}={value} not chosen"


def tick(page: Any, name: str, value: str) -> None:
    """Tick (or untick) one checkbox."""
    tab_to(page, f"input[type=checkbox][name='{name}'][value='{value}']")
    page.keyboard.press("Space")


def type_into(page: Any, field_id: str, text: str) -> None:
    """Type into a text box, replacing what was there."""
    tab_to(page, f"[id='{field_id}']")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.type(text)


def type_date(page: Any, field_id: str, day: int, month: int, year: int) -> None:
    """The three boxes of a GOV.UK date: day, month and year."""
    type_into(page, field_id, str(day))
    type_into(page, f"{field_id}-month", str(month))
    type_into(page, f"{field_id}-year", str(year))


def press_button(page: Any, text: str) -> None:
    """Tab to the button (or link styled as one) with this text, press Enter, wait for the page."""
    selector = f"button:text-is('{text}'), a:text-is('{text}'), input[type=submit][value='{text}']"
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page: Any, text: str) -> None:
    """Tab to a link whose text contains `text`, press Enter and wait for the next page."""
    tab_to(page, f"a:has-text('{text}')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
