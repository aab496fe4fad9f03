"""The styles of the pages without maps: the rules of JupyterLab's stylesheet that their elements can use, instead of all 256 KB of it."""

from __future__ import annotations

import re
from pathlib import Path

from opencyber.site.assets import WIDGETS_JUPYTER_CSS

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


_CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _css_blocks(css: str):
    """Top-level (prelude, body) pairs of a stylesheet without comments; body None for a statement."""
    i, n = 0, len(css)
    while i < n:
        j = i
        while j < n and css[j] not in "{;":
            j += 1
        if j >= n:
            break
        prelude = css[i:j].strip()
        if css[j] == ";":
            yield prelude, None
            i = j + 1
            continue
        depth, k = 1, j + 1
        while k < n and depth:
            depth += {"{": 1, "}": -1}.get(css[k], 0)
            k += 1
        yield prelude, css[j + 1 : k - 1]
        i = k


def _split_selectors(prelude: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in prelude:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return out + [cur.strip()] if cur.strip() else out


def css_subset(css: str, classes: set[str]) -> str:
    """The rules of ``css`` that can apply to pages whose elements have only ``classes``: a selector
    is kept when every class it names is one of them (so a rule is never dropped that could match);
    @media and @supports keep the rules inside them that are kept; other at-rules (@font-face,
    @keyframes, small) are kept as they are."""

    rules: list[list] = []  # [selectors, declarations] of every rule kept, to drop unused custom properties

    def walk(text: str) -> str:
        out = []
        for prelude, body in _css_blocks(text):
            if body is None:
                if not prelude.startswith("@import"):
                    out.append(prelude + ";")
            elif prelude.startswith(("@media", "@supports", "@layer")):
                inner = walk(body)
                if inner:
                    out.append(f"{prelude}{{{inner}}}")
            elif prelude.startswith("@"):
                out.append(f"{prelude}{{{body.strip()}}}")
            else:
                # a class inside :not() need not be on the page for the selector to match
                kept = [s for s in _split_selectors(prelude) if set(_CSS_CLASS.findall(_CSS_NOT.sub("", s))) <= classes]
                if kept:
                    rules.append([",".join(kept), _declarations(body)])
                    out.append(f"\0{len(rules) - 1}\0")
        return "\n".join(out)

    skeleton = walk(_CSS_COMMENT.sub("", css))
    # custom properties (--jp-...) are kept only when a kept rule uses them, directly or through another
    defined: dict[str, list[str]] = {}
    used: set[str] = set()
    for _, decls in rules:
        for d in decls:
            name, _, value = d.partition(":")
            if name.strip().startswith("--"):
                defined.setdefault(name.strip(), []).append(value)
            else:
                used |= set(_CSS_VAR.findall(value))
    todo = list(used)
    while todo:
        for value in defined.get(todo.pop(), []):
            for v in _CSS_VAR.findall(value):
                if v not in used:
                    used.add(v)
                    todo.append(v)

    def rule(m: re.Match) -> str:
        selectors, decls = rules[int(m.group(1))]
        kept = [
            d for d in decls if not d.partition(":")[0].strip().startswith("--") or d.partition(":")[0].strip() in used
        ]
        return f"{selectors}{{{';'.join(kept)}}}" if kept else ""

    text = re.sub(r"\0(\d+)\0", rule, skeleton)
    return "\n".join(line for line in text.splitlines() if line) + "\n"


_CSS_VAR = re.compile(r"var\(\s*(--[\w-]+)")


_CSS_NOT = re.compile(r":not\([^()]*\)")


def _declarations(body: str) -> list[str]:
    """A rule's declarations, split at the semicolons outside brackets and quotes (data: URLs have some)."""
    out, depth, quote, cur = [], 0, "", ""
    for ch in body:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    return [d for d in out + [cur.strip()] if d]


_HTML_CLASS = re.compile(r'\bclass="([^"]*)"')


def page_classes(html: str) -> set[str]:
    return {c for m in _HTML_CLASS.findall(html) for c in m.split()}


TEXT_CSS = "notebook.css"


def write_text_css(assets: Path, htmls: list[str], widget_htmls: list[str] | tuple[str, ...] = ()) -> None:
    """``assets/notebook.css``: the rules of JupyterLab's CSS (``assets/jupyter.css``) that the pages'
    text can use (the classes in their HTML), instead of all 250 KB of it: the one stylesheet of
    JupyterLab's in every page's <head>. With the site's widget bundle, also
    ``assets/widgets-jupyter.css``: the rules the maps' widgets can use besides (the classes of the
    pages with maps and every name in ``widgets.js``, which draws them), loaded with the maps after
    the text, so that no page waits for JupyterLab's whole stylesheet before showing its text."""
    jupyter = (assets / "jupyter.css").read_text(encoding="utf-8")
    classes = set().union(*(page_classes(h) for h in htmls)) if htmls else set()
    text = css_subset(jupyter, classes)
    (assets / TEXT_CSS).write_text(
        "/* The rules of JupyterLab's notebook CSS (assets/jupyter.css) that the pages' text can use */\n" + text,
        encoding="utf-8",
    )
    bundle = assets / "widgets.js"
    if bundle.is_file():
        names = set(re.findall(r"[A-Za-z_][\w-]*", bundle.read_text(encoding="utf-8")))
        names |= set().union(*(page_classes(h) for h in widget_htmls)) if widget_htmls else set()
        (assets / WIDGETS_JUPYTER_CSS).write_text(
            "/* The rules of JupyterLab's notebook CSS (assets/jupyter.css) that the maps' widgets can use */\n"
            + css_subset(jupyter, names),
            encoding="utf-8",
        )
