"""``kubernetes.watch`` inside the sandbox: ``Watch().stream(list_fn, ...)`` yields the events
the API server sends within a bounded time (the host caps ``timeout_seconds``), then stops."""

from .client._objects import unwrap, wrap

__all__ = ["Watch"]


class Watch:
    def __init__(self, return_type=None):
        self._stop = False
        self.resource_version = None

    def stop(self):
        self._stop = True

    def get_return_type(self, func):
        return None

    def stream(self, func, *args, **kwargs):
        kwargs.pop("_preload_content", None)
        if "log" in getattr(func, "__name__", ""):  # logs stream lines (follow is off on the host)
            kwargs["follow"] = True
            text = func(*args, **kwargs) or ""
            for line in text.splitlines():
                if self._stop:
                    return
                yield line
            return
        kwargs["watch"] = True
        events = func(*args, **kwargs) or []
        for event in events:
            if self._stop:
                return
            obj = event.get("object") if isinstance(event, dict) else None
            meta = (obj or {}).get("metadata") or {} if isinstance(obj, dict) else {}
            if meta.get("resourceVersion"):
                self.resource_version = meta["resourceVersion"]
            yield {"type": event.get("type"), "object": wrap(obj),
                   "raw_object": unwrap(obj)}
