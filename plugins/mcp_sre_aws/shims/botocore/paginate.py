"""Paginators of the boto3 shim, driven by the pagination config in the host's spec."""

import sre
from botocore.exceptions import OperationNotPageableError


class PageIterator:
    def __init__(self, client, method, params, config):
        self._client = client
        self._method = method
        self._params = params
        self._config = config or {}

    def __iter__(self):
        pages = sre.pages(
            self._client._operation_id(self._method), self._params,
            page_size=self._config.get("PageSize"), max_items=self._config.get("MaxItems"),
            starting_token=self._config.get("StartingToken"),
            region=self._client.meta.region_name,
        )
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except sre.CallError as exc:
                raise self._client._translate(exc, self._method) from None
            yield page

    def build_full_result(self):
        """Merge every page: lists under the result keys are concatenated."""
        info = self._client._describe(self._method)
        keys = (info.get("pagination") or {}).get("result_key") or []
        keys = keys if isinstance(keys, list) else [keys]
        merged = {}
        for page in self:
            for key, value in page.items():
                if key in keys and isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
                elif key not in keys:
                    merged[key] = value
        for token in ("NextToken", "nextToken", "Marker", "NextMarker"):
            merged.pop(token, None)
        return merged

    def search(self, expression):
        raise NotImplementedError("JMESPath search is not available in the sandbox; "
                                  "loop over the pages instead")


class Paginator:
    def __init__(self, client, method):
        self._client = client
        self._method = method

    def paginate(self, **kwargs):
        config = kwargs.pop("PaginationConfig", None)
        if not self._client.can_paginate(self._method):
            raise OperationNotPageableError(operation_name=self._method)
        return PageIterator(self._client, self._method, kwargs, config)
