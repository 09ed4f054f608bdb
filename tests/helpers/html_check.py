"""A stdlib HTML parser that records what a browser would act on: tags, attributes, text, scripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

EXTERNAL_PREFIXES = ("http:", "https:", "//", "file:", "javascript:", "data:text/html", "ftp:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "background")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("meta", "br", "input", "rect", "img", "link"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for element in self._open:
            element.text += data

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def external_urls(self) -> list[str]:
        found = []
        for element in self.elements:
            for name in URL_ATTRIBUTES:
                value = element.attrs.get(name, "").strip().lower()
                if value.startswith(EXTERNAL_PREFIXES):
                    found.append(f"<{element.tag} {name}={value}>")
        return found

    def event_handlers(self) -> list[str]:
        return [f"<{e.tag} {name}>" for e in self.elements for name in e.attrs if name.startswith("on")]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
