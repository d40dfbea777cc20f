"""Reading the body of a QTI item: its text with paragraph breaks, the media it shows (each
checked as it is met: in the package, not pointing outside it, a file the bank can show), and
its feedback as an explanation. Anything that cannot be taken faithfully raises ``Refused``."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from flask_babel import lazy_gettext as _l

from lms.exams import media

MEDIA_TAGS = {"img": "src", "object": "data", "audio": "src", "video": "src", "source": "src"}
FEEDBACK_TAGS = ("feedbackInline", "modalFeedback")
BLOCKS = {"p", "div", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "br"}


@dataclass
class QtiMedia:
    name: str  # its path in the package
    content_type: str
    data: bytes
    alt: str = ""


class Refused(ValueError):
    """The item cannot be imported as it is; the message says why."""


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


class Files:
    """The package's files as seen from one item file (hrefs are relative to it)."""

    def __init__(self, files: dict[str, bytes] | None, base: str) -> None:
        self.files, self.base = files, base

    def get(self, href: str) -> tuple[str, bytes]:
        target = unquote(href.strip())
        if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("/"):
            raise Refused(_l("%(f)s points outside the package", f=href))
        path = posixpath.normpath(posixpath.join(self.base, target))
        if path == ".." or path.startswith("../") or "\\" in target:
            raise Refused(_l("%(f)s points outside the package", f=href))
        if self.files is None:
            raise Refused(
                _l("%(f)s is not in the upload: import the item as a zip package with it", f=href)
            )
        if path not in self.files:
            raise Refused(_l("%(f)s is not in the package", f=path))
        return path, self.files[path]


class Collected:
    """Text and media gathered from parts of the body, each media checked as it is met."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.media: dict[str, list[QtiMedia]] = {}

    def text(self, element: Element, slot: str, skip: set[Element] | None = None) -> str:
        parts: list[str] = []
        self._walk(element, slot, skip or set(), parts)
        lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
        return "\n".join(line for line in lines if line)

    def _walk(self, element: Element, slot: str, skip: set[Element], parts: list[str]) -> None:
        name = _local(element.tag)
        hidden = name == "rubricBlock" and "candidate" not in (element.get("view") or "").split()
        if element in skip or name in FEEDBACK_TAGS or hidden:  # not for candidates' eyes
            parts.append(element.tail or "")
            return
        if name in MEDIA_TAGS and (element.get(MEDIA_TAGS[name]) or name == "object"):
            self._media(element, slot)
            parts.append(element.tail or "")
            return
        if name in BLOCKS:
            parts.append("\n")
        parts.append(element.text or "")
        for child in element:
            self._walk(child, slot, skip, parts)
        if name in BLOCKS:
            parts.append("\n")
        parts.append(element.tail or "")

    def _media(self, element: Element, slot: str) -> None:
        name = _local(element.tag)
        if name in ("audio", "video") and not element.get("src"):
            sources = [s for s in element if _local(s.tag) == "source" and s.get("src")]
            if not sources:
                raise Refused(_l("a %(tag)s element without a file", tag=name))
            element = sources[0]
        if name == "object":
            element = self._showable_object(element)
        href = element.get(MEDIA_TAGS.get(_local(element.tag), "src")) or ""
        path, data = self.files.get(href)
        declared = element.get("type", "")
        try:
            content_type = media.check(path, data, declared)
        except media.MediaRefused as refused:
            raise Refused(str(refused)) from None
        alt = element.get("alt") or " ".join("".join(element.itertext()).split())[:200]
        self.media.setdefault(slot, []).append(QtiMedia(path, content_type, data, alt))

    def _showable_object(self, element: Element) -> Element:
        """The object itself, or the first nested fallback object that is a picture, sound or
        video (an EPS picture with a PNG fallback); otherwise the item is refused."""
        pictures = set(media.IMAGE_TYPES.values()) | {"image/jpg"}
        for candidate in (e for e in element.iter() if _local(e.tag) == "object"):
            declared = (candidate.get("type") or "").strip().lower()
            family = declared.split("/", 1)[0]
            if declared in pictures or family in ("audio", "video"):
                return candidate
        raise Refused(
            _l(
                "an object of type %(t)s (%(f)s) cannot be shown; a reading passage must be "
                "in the item itself",
                t=element.get("type") or "?",
                f=element.get("data") or "",
            )
        )


def stem(body: Element, interaction: Element, collected: Collected) -> str:
    """The text around the interaction (a passage, an instruction), then the prompt."""
    around = collected.text(body, "stem", skip={interaction})
    prompts = [child for child in interaction if _local(child.tag) == "prompt"]
    prompt = collected.text(prompts[0], "stem") if prompts else ""
    return "\n".join(part for part in (around, prompt) if part)


def feedback(root: Element, choices: list[Element], letters: dict[str, str]) -> Any:
    """The explanation: each feedback's text, labelled with the option it answers (inline
    feedback inside an option, or feedback whose identifier is an option's)."""
    owner = {}
    for choice in choices:
        for inline in _children(choice, "feedbackInline"):
            owner[inline] = choice.get("identifier") or ""
    found = [e for e in root.iter() if _local(e.tag) in FEEDBACK_TAGS]
    for element in found:
        if any(_local(e.tag) in MEDIA_TAGS for e in element.iter()):
            raise Refused(_l("a picture or media in feedback cannot be imported"))

    def explanation(label: Any) -> str:
        lines = []
        for element in found:
            text = _text(element)
            choice_id = owner.get(element) or element.get("identifier") or ""
            if not text:
                continue
            line = f"{label(choice_id)}：{text}" if choice_id in letters else text
            if line not in lines:
                lines.append(line)
        return "\n".join(lines)

    return explanation
