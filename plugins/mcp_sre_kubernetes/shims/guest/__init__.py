"""Guest-side modules (run inside the sandbox): a ``kubernetes`` package with the official
client's API shape that forwards every call to ``sre.call``. Relative imports only, so the host
can import this copy for tests without shadowing the real ``kubernetes`` package."""
