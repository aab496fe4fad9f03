"""The accessibility statement (accessibility.html)."""

from __future__ import annotations

from pathlib import Path

from opencyber.inputs.registry import Edition


def accessibility_markdown(editions: list[Edition] | None = None, build_dir: Path | None = None) -> str:
    """The accessibility statement, in the form of the GOV.UK model statement for public sector
    websites. Each claim is one the browser suite checks (tests/browser/test_site.py)."""
    from opencyber.report.publication import contact_sentence, load_publisher, long_date

    pub = load_publisher()
    return f"""# Accessibility statement for Open Cyber

This accessibility statement applies to this website, the Open Cyber report on NHS organisations'
Data Security and Protection Toolkit (DSPT) statuses. It is run by {pub.name}. We want as many
people as possible to be able to use it. For example, you should be able to:

- zoom in up to 300% without the text spilling off the screen, and read every page on a phone;
- move around every page using just a keyboard: each map is one stop, moved with the arrow keys and
  zoomed with + and −, and a link skips it to its table;
- use every page with a screen reader: each map and chart has a table with the same figures;
- read every status without telling colours apart: each status also has its own pattern, and
  legends, tooltips and tables name it;
- print an edition page, from a window of any width, with its chart drawn for the paper (every bar
  and every part of a bar) and every column of its tables; on paper each map is replaced by a note
  naming the tables that give its figures;
- find an organisation from the search box at the top of every page, the third stop of the
  keyboard, and see where the keyboard is on every link and control.

## How accessible this website is

We know some parts of this website are not fully accessible:

- a map's shapes (areas and trusts) cannot be reached one by one with the keyboard; their names and
  statuses are in the tables under each map;
- the tooltips of map shapes appear on hover or tap and cannot themselves be hovered;
- on the composite score map, neighbouring score classes differ in contrast by less than 3:1 and
  have no pattern; each area's class and score are in its tooltip and in the table;
- the five status colours cannot all differ from each other by a contrast ratio of 3:1 while their
  lightness follows the status order; each status has a pattern as well;
- the background map tiles, loaded from OpenStreetMap when you are online, are pictures with no
  text alternative; the maps work without them.

## Feedback and contact information

If you find a problem with this website or need information in a different format, let us know.
{contact_sentence(pub)} We will consider your request and reply as soon as we can.

## Reporting accessibility problems with this website

We are always looking to improve the accessibility of this website. If you find any problems not
listed on this page or think we are not meeting accessibility requirements, contact us as above.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies
(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "accessibility
regulations"). If you are not happy with how we respond to your complaint, contact the
[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).

## Technical information about this website's accessibility

We are committed to making this website accessible, in accordance with the accessibility
regulations. This report is independent and not published by a public sector body; we follow the
regulations because its readers are the NHS and the public.

### Compliance status

This website is partially compliant with the [Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/)
AA standard, due to the non-compliances listed below.

### Non-accessible content

The content listed below is non-accessible for the following reasons.

- Map shapes cannot be reached one by one with the keyboard (WCAG 2.1.1 Keyboard). The tables under
  each map give the same information.
- Map tooltips cannot be hovered (WCAG 1.4.13 Content on Hover or Focus).
- Neighbouring classes of the composite score map, and neighbouring status colours, differ by a
  contrast ratio of less than 3:1 (WCAG 1.4.11 Non-text Contrast). The statuses have patterns; the
  scores are written in the tooltips and tables.

## What we are doing to improve accessibility

Every change to the website is tested before it is published: in a headless browser at 390 and
1,366 pixels wide, every page is checked with axe-core (no serious or critical violation may remain),
for content wider than the screen, for the number of tab stops, for maps that fit their box and
legends on screen, charts wide enough to read, a visible focus on every control, and that an edition
page printed from a 1,366-pixel window keeps every bar of its chart and every table column.

## Preparation of this statement

This statement was prepared on {long_date(pub.statement_prepared)}. It was last reviewed on
{long_date(pub.statement_reviewed)}. The website is tested automatically on every change, as above;
it has not yet been tested by people who use assistive technologies.
"""
