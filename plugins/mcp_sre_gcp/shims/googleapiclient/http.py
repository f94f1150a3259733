"""``HttpRequest``: what a discovery method returns; ``execute()`` makes the bridged call."""

import sre
from googleapiclient.errors import HttpError

__all__ = ["HttpRequest"]

# Parameters every Google API accepts that the sandbox does not pass on (output shaping and
# quota attribution); dropping them changes nothing a read returns but its size.
_DROPPED = frozenset({"fields", "quotaUser", "prettyPrint", "alt", "x__xgafv", "userIp",
                      "num_retries"})


def _param_name(name):
    """googleapiclient's Python names back to the API's: ``filter_`` -> ``filter``."""
    return name[:-1] if name.endswith("_") and not name.endswith("__") else name


class HttpRequest:
    def __init__(self, operation_id, params):
        self.operation_id = operation_id
        self.methodId = operation_id.rsplit("/", 1)[-1]
        self.params = {_param_name(k): v for k, v in params.items()
                       if v is not None and k not in _DROPPED}
        self.uri = "sre://" + operation_id

    def execute(self, http=None, num_retries=0):
        try:
            return sre.request(self.operation_id, self.params)
        except sre.ProviderError as exc:
            raise HttpError.from_call_error(exc, self.uri) from None
        except sre.OperationNotFound as exc:
            raise AttributeError(self.methodId + " is not a method of this API ("
                                 + exc.message + ")") from None

    def __repr__(self):
        return "<HttpRequest " + self.methodId + " (mcp-sre sandbox)>"
