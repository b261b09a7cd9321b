"""Saved web pages: the article a reader wants, not the page's markup, menus and scripts.

trafilatura finds the main text and most metadata. Two of its habits are corrected here: it
reads an in-page label such as ``作者：`` as the author where the page's ``<meta name="author">``
says who it is, and it leaves whitespace-only lines where images were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HTML_SUFFIXES", "Article", "WebPageError", "extract_article", "looks_like_html"]

HTML_SUFFIXES = frozenset({".htm", ".html", ".xhtml", ".shtml"})

HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b",
    re.IGNORECASE | re.DOTALL,
)
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
     "section", "article", "header", "footer", "figure", "figcaption", "table", "ul", "ol"}
)  # fmt: skip
"""Elements that end a line when a fragment is flattened to text."""
GENERIC_AUTHORS = frozenset({"作者", "作者：", "作者:", "编辑", "編輯", "记者", "記者", "author"})


class WebPageError(ValueError):
    """An HTML page in which no article text was found."""


@dataclass(frozen=True)
class Article:
    text: str
    title: str
    published: str
    source: str
    """The site's name (or host) the article comes from."""
    author: str


def looks_like_html(text: str, suffix: str = "") -> bool:
    """Whether a decoded file is HTML: a page by its start (saved pages are named anything), or
    a fragment (``<div>…``) in a file named .html."""
    if HTML_START.match(text[:4096]):
        return True
    return suffix.lower() in HTML_SUFFIXES and text.lstrip().startswith("<")


def _meta(tree: object, *names: str) -> str:
    for name in names:
        for attribute in ("name", "property"):
            values = tree.xpath(f'//meta[@{attribute}="{name}"]/@content')  # type: ignore[attr-defined]
            for value in values:
                if value.strip():
                    return " ".join(value.split())
    return ""


def _flatten(tree: object) -> str:
    """The text of an element tree with block elements on lines of their own."""
    for element in list(tree.iter("script", "style", "noscript")):  # type: ignore[attr-defined]
        element.drop_tree()
    for element in tree.iter(*BLOCK_TAGS):  # type: ignore[attr-defined]
        element.tail = "\n" + (element.tail or "")
    lines = tree.text_content().split("\n")  # type: ignore[attr-defined]
    return "\n".join(" ".join(line.split()) for line in lines)


def _first_text(tree: object, xpath: str) -> str:
    for element in tree.xpath(xpath):  # type: ignore[attr-defined]
        text = " ".join(element.text_content().split())
        if text:
            return text
    return ""


def _clean(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def _refuse_title_only(text: str, title: str) -> None:
    r"""A page whose only text is its title held an article we could not read (100,000 nested
    ``<div>``\ s are beyond the HTML parser's depth): a failure, not a 2-character document."""
    if title and not text.replace(title, "", 1).strip():
        raise WebPageError(
            f"no article text found, only the title “{title}” (the page is empty, or nested"
            " too deeply to read)"
        )


def extract_article(html: str, fallback_title: str = "") -> Article:
    """The article body as plain text (one paragraph a line) and its metadata."""
    import lxml.html
    import trafilatura

    document = (
        trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True
        )
        if looks_like_html(html)
        else None  # a fragment: trafilatura only logs errors about it
    )
    text = _clean(document.text or "") if document is not None else ""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    if document is None or not text:
        # Not a page trafilatura recognises (an article fragment, a bare list): all its text.
        text = _clean(_flatten(tree)) if tree is not None else ""
        if not text:
            raise WebPageError("HTML without any text")
        title = _first_text(tree, "//title|//h1") if tree is not None else ""
        _refuse_title_only(text, title)
        return Article(text, title or fallback_title, "", "", _meta(tree, "author"))
    _refuse_title_only(text, (document.title or "").strip())
    meta_author = _meta(tree, "author", "article:author") if tree is not None else ""
    author = (document.author or "").strip()
    if meta_author or author in GENERIC_AUTHORS:
        author = meta_author
    return Article(
        text=text,
        title=(document.title or "").strip() or fallback_title,
        published=(document.date or "").strip(),
        source=(document.sitename or document.hostname or "").strip(),
        author=author,
    )
