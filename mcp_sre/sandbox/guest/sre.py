"""sre: the sandbox's only door to the clouds (this module runs *inside* the sandbox).

    import sre
    reservations = sre.call("aws/ec2/DescribeInstances", MaxResults=5)
    for page in sre.paginate("aws/logs/DescribeLogGroups"):
        ...
    sre.result({"count": 3})          # hand a JSON value back to the caller

Every call is checked on the host (the operation exists, the parameters match its spec, the
policy allows it) and run there with the host's credentials; refusals raise the exceptions
below. ``sre.inputs`` holds the JSON inputs the caller passed to the run.
"""

import io
import marshal
import posix  # not ``os``: importing os (and its imports) costs the guest ~20 ms at start
import sys
import time

__all__ = [
    "BridgeError",
    "CallError",
    "CallTimeout",
    "OperationNotFound",
    "OutputLimitExceeded",
    "ParamValidationError",
    "PolicyDenied",
    "ProviderError",
    "call",
    "describe",
    "inputs",
    "pages",
    "paginate",
    "request",
    "result",
]

inputs = {}
_state = {"next_id": 0}


class CallError(Exception):
    """A bridged call failed. ``kind`` says why; ``code``/``status`` come from the cloud."""

    kind = "call_error"

    def __init__(self, message, operation="", code="", status=None, details=None):
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.code = code or ""
        self.status = status
        self.details = details or {}


class OperationNotFound(CallError):
    kind = "not_found"


class ParamValidationError(CallError, ValueError):
    kind = "validation_error"


class PolicyDenied(CallError):
    """The host policy refused the call (a write, a sensitive read, a rate limit)."""

    kind = "policy_denied"


class ProviderError(CallError):
    kind = "provider_error"


class CallTimeout(CallError):
    kind = "timeout"


class BridgeError(CallError):
    kind = "sandbox_error"


class OutputLimitExceeded(BaseException):
    """Printed more than the run allows; a BaseException so ``except Exception`` won't eat it."""

    kind = "output_limit"


_KINDS = {cls.kind: cls for cls in (OperationNotFound, ParamValidationError, PolicyDenied,
                                     ProviderError, CallTimeout, BridgeError)}


# ---------------------------------------------------------------------------- wire
# Replies arrive marshalled (a built-in: importing ``json`` would cost more than the whole
# interpreter start-up); messages leave as JSON built by the small encoder below.
_ESCAPES = {i: f"\\u{i:04x}" for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", 10: "\\n", 13: "\\r", 9: "\\t"})


def _dumps(value, depth=0):
    if depth > 100:
        raise ValueError("value nested too deeply (or circular) to send to the host")
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return '"' + value.translate(_ESCAPES) + '"'
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                key = _jsonable(key) if not isinstance(key, (int, float, bool)) else str(key)
            items.append(_dumps(str(key)) + ":" + _dumps(item, depth + 1))
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(item, depth + 1) for item in value) + "]"
    return _dumps(_jsonable(value), depth + 1)


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            import base64
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _write(data):
    view = memoryview(data)
    while view:
        n = posix.write(1, view)
        view = view[n:]


def _send(message):
    _write(_dumps(message).encode("utf-8", "backslashreplace") + b"\n")


def _read_exact(n):
    parts, got = [], 0
    while got < n:
        chunk = posix.read(0, n - got)
        if not chunk:
            raise BridgeError("the host closed the bridge")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _read_frame():
    header = b""
    while not header.endswith(b"\n"):
        byte = posix.read(0, 1)
        if not byte or len(header) > 40:
            raise BridgeError("the host closed the bridge")
        header += byte
    size, more = header.split()
    return _read_exact(int(size)), more == b"1"


def _receive():
    parts = []
    while True:
        data, more = _read_frame()
        parts.append(data)
        if not more:
            break
        _send({"t": "more"})
    return marshal.loads(b"".join(parts))


def _exchange(message, operation):
    _state["next_id"] += 1
    message["id"] = _state["next_id"]
    _flush_streams()
    _send(message)
    reply = _receive()
    if not isinstance(reply, dict) or reply.get("id") != message["id"]:
        raise BridgeError("unexpected reply from the host", operation=operation)
    if reply.get("ok"):
        return reply.get("data")
    error = reply.get("error") or {}
    cls = _KINDS.get(error.get("kind"), CallError)
    raise cls(error.get("message") or "call failed", operation=operation,
              code=error.get("code"), status=error.get("status"), details=error)


# ----------------------------------------------------------------------- public API
def request(operation_id, params=None, *, region=None):
    """Call ``operation_id`` with a parameter mapping; ``region`` selects the cloud region."""
    message = {"t": "call", "op": operation_id, "params": dict(params or {})}
    if region:
        message["ctx"] = {"region": region}
    return _exchange(message, operation_id)


def call(operation_id, /, **params):
    """``sre.call("aws/ec2/DescribeInstances", MaxResults=5)`` -> the response as JSON data."""
    return request(operation_id, params)


def describe(operation_id):
    """The operation's id, access, parameters and pagination as the host's spec knows them."""
    return _exchange({"t": "describe", "op": operation_id}, operation_id)


def _path(data, expression):
    """Tiny subset of JMESPath used by pagination configs: ``a.b``, ``x[-1].k``, ``a || b``."""
    for alternative in str(expression).split("||"):
        value = data
        for part in alternative.strip().split("."):
            index = None
            if part.endswith("]") and "[" in part:
                part, _, idx = part[:-1].partition("[")
                index = int(idx)
            value = value.get(part) if isinstance(value, dict) else None
            if index is not None:
                value = value[index] if isinstance(value, list) and value else None
        if value not in (None, "", [], {}):
            return value
    return None


def _token_style(config):
    """OpenAPI-style token hints (``style: token``, e.g. Kubernetes ``limit``/``continue``)
    in the botocore vocabulary that :func:`pages` walks."""
    if config.get("style") != "token" or not config.get("next_token_field"):
        return config
    return {"input_token": config.get("token_param"),
            "output_token": config.get("next_token_field"),
            "limit_key": config.get("limit_param"),
            "result_key": config.get("result_key") or "items"}


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def pages(operation_id, params=None, *, page_size=None, max_items=None, starting_token=None,
          region=None):
    """Yield every page of a paginated operation (a single page if it has no pagination)."""
    info = describe(operation_id)
    config = _token_style(info.get("pagination") or {})
    params = dict(params or {})
    in_tokens = _as_list(config.get("input_token"))
    out_tokens = _as_list(config.get("output_token"))
    result_keys = _as_list(config.get("result_key"))
    if page_size and config.get("limit_key"):
        params[config["limit_key"]] = page_size
    if starting_token and in_tokens:
        tokens = starting_token if isinstance(starting_token, list) else [starting_token]
        params.update(zip(in_tokens, tokens, strict=False))
    seen, items = set(), 0
    while True:
        page = request(info["id"], params, region=region)
        if max_items is not None and result_keys and isinstance(page, dict):
            for key in result_keys:
                values = page.get(key)
                if isinstance(values, list):
                    page[key] = values[: max(0, max_items - items)]
                    items += len(page[key])
        yield page
        if not in_tokens or not isinstance(page, dict):
            return
        if max_items is not None and items >= max_items:
            return
        if config.get("more_results") and not _path(page, config["more_results"]):
            return
        tokens = [_path(page, expr) for expr in out_tokens]
        key = _dumps(tokens)
        if all(t is None for t in tokens) or key in seen:
            return
        seen.add(key)
        for name, token in zip(in_tokens, tokens, strict=False):
            if token is None:
                params.pop(name, None)
            else:
                params[name] = token


def paginate(operation_id, /, **params):
    """``for page in sre.paginate("aws/ec2/DescribeVolumes", MaxResults=50): ...``"""
    return pages(operation_id, params)


def result(value):
    """Hand a JSON value back to the caller (``RunResult.result``); the last call wins."""
    _flush_streams()
    _send({"t": "result", "v": value})


# ------------------------------------------------------------------------- streams
class _Output(io.TextIOBase):
    """sys.stdout/sys.stderr: text goes to the host in batches, capped at the run's limit."""

    def __init__(self, name, cap):
        super().__init__()
        self._name = name
        self._cap = cap
        self._size = 0
        self._buffer = []
        self._buffered = 0
        self._last = time.monotonic()

    @property
    def encoding(self):
        return "utf-8"

    @property
    def name(self):
        return "<" + self._name + ">"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        room = self._cap - self._size
        if len(text) > room:
            self._buffer.append(text[:room + 1])  # one more: the host marks the truncation
            self._size = self._cap
            self.flush()
            raise OutputLimitExceeded(self._name + " exceeded " + str(self._cap) + " characters")
        self._buffer.append(text)
        self._size += len(text)
        self._buffered += len(text)
        if self._buffered >= 8192 or time.monotonic() - self._last > 0.2:
            self.flush()
        return len(text)

    def flush(self):
        if self._buffer:
            text = "".join(self._buffer)
            self._buffer, self._buffered = [], 0
            for start in range(0, len(text), 1 << 16):
                _send({"t": "out", "s": self._name, "d": text[start:start + (1 << 16)]})
        self._last = time.monotonic()


def _flush_streams():
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _Output):
            stream.flush()


def _setup(init):
    """Called once by the boot module with the host's init message."""
    global inputs
    inputs = init.get("inputs") or {}
    limits = init.get("limits") or {}
    sys.stdout = _Output("stdout", int(limits.get("stdout", 1 << 20)))
    sys.stderr = _Output("stderr", int(limits.get("stderr", 1 << 18)))
    sys.stdin = io.StringIO("")
    sys.argv = ["<sandbox>"]
