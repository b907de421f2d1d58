"""Request compression: fewer tokens on agent traffic, nothing a model needs removed.

    new_request, stats = compress_request(request, "safe")   # or "aggressive" / "off"
    stats.tokens_saved, stats.headers(), stats.log_fields()

Seven layers, each a small pure function over the OpenAI message list (see ``safe``,
``observation``, ``codebook``): 1 dedup, 2 whitespace, 3 json (the *safe* mode, applied by
default above 8 KB of message text), 4 paths, 5 dictionary, 6 observation, 7 codebook (added by
*aggressive*). Never touched: system/developer messages, the last user message, tool call ids,
names and arguments, images, ``reasoning_content``, the inside of code fences (except JSON
minification of ```json fences). ``verify.check_safe`` proves a safe result semantically equal.
"""

from clawcli.core.compression._tokens import message_size, messages_size
from clawcli.core.compression.pipeline import (
    LAYERS,
    MODE_LAYERS,
    MODES,
    SAFE_MIN_CHARS,
    CompressionStats,
    LayerStats,
    compress_request,
    resolve_layers,
    resolve_mode,
)
from clawcli.core.messages import estimate_tokens

__all__ = [
    "LAYERS", "MODES", "MODE_LAYERS", "SAFE_MIN_CHARS", "CompressionStats", "LayerStats",
    "compress_request", "estimate_tokens", "message_size", "messages_size", "resolve_layers", "resolve_mode",
]
