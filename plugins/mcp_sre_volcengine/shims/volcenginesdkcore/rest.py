"""``ApiException``, the error every volcenginesdk API method raises, with the same fields."""

import json

__all__ = ["ApiException"]


class ApiException(Exception):
    def __init__(self, status=None, reason=None, http_resp=None, code="", message=""):
        self.status = status
        self.reason = reason
        self.code = code
        self.message = message
        self.body = json.dumps({"ResponseMetadata": {"Error": {"Code": code,
                                                               "Message": message}}})
        self.headers = {}
        super().__init__(self.__str__())

    def __str__(self):
        return "(" + str(self.status) + ")\nReason: " + str(self.reason) + \
            "\nHTTP response body: " + self.body + "\n"
