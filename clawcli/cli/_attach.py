"""`claw ask -a FILE`: attachments. An image becomes an ``image_url`` content part (the router
then keeps only vision-capable models); a text file is inlined as a fenced block named after it."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from clawcli.core.errors import UsageError

IMAGE_TYPES = frozenset(("image/png", "image/jpeg", "image/gif", "image/webp"))
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # what the providers behind the gateway accept per image
MAX_TEXT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    name: str
    kind: str  # "image" | "text"
    mime: str
    data: bytes

    def text(self) -> str:
        return self.data.decode("utf-8")

    def content_part(self) -> dict:
        """The OpenAI chat content part of an image."""
        url = f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"
        return {"type": "image_url", "image_url": {"url": url}}


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def load_attachment(name: str) -> Attachment:
    path = Path(name).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"attachment {name!r} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"attachment {name!r} is a directory", "attach files one by one: -a a.py -a b.py") from None
    except OSError as exc:
        raise UsageError(f"cannot read attachment {name!r}: {exc.strerror}") from None
    mime = _sniff_image(data) or mimetypes.guess_type(path.name)[0] or ""
    if mime in IMAGE_TYPES:
        if _sniff_image(data) is None:
            raise UsageError(f"attachment {name!r} is named like an image but is not a PNG, JPEG, GIF or WebP")
        if len(data) > MAX_IMAGE_BYTES:
            raise UsageError(f"image {name!r} is {len(data) / 1e6:.1f} MB; the limit is 20 MB")
        return Attachment(path.name, "image", mime, data)
    if mime.startswith("image/"):
        raise UsageError(f"image type {mime} of {name!r} is not supported", "use PNG, JPEG, GIF or WebP")
    if len(data) > MAX_TEXT_BYTES:
        raise UsageError(f"attachment {name!r} is {len(data) / 1e6:.1f} MB; text attachments are limited to 2 MB")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"attachment {name!r} is neither text (UTF-8) nor a supported image",
                         "attach text files or PNG/JPEG/GIF/WebP images") from None
    return Attachment(path.name, "text", mime or "text/plain", data)


def load_attachments(names: list[str]) -> list[Attachment]:
    return [load_attachment(n) for n in names]


def user_content(text: str, attachments: list[Attachment]) -> tuple[str | list, str]:
    """(the user message content, the prompt text to store). Text files are inlined after the
    prompt; images become content parts (then the content is a list)."""
    from clawcli.cli.ask import _fence_for

    stored = text
    for a in attachments:
        if a.kind == "text":
            body = a.text()
            fence = _fence_for(body)
            stored += f"\n\n{a.name}:\n{fence}\n{body.rstrip(chr(10))}\n{fence}"
    images = [a for a in attachments if a.kind == "image"]
    if not images:
        return stored, stored
    return [{"type": "text", "text": stored}, *(a.content_part() for a in images)], stored
