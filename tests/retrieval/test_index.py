"""What the index derives from its documents alone."""

from __future__ import annotations

from mcp_sre.retrieval.documents import OperationDoc
from mcp_sre.retrieval.index import derive_service_aliases


def _doc(service: str, title: str, name_words: list[str]) -> OperationDoc:
    return OperationDoc(id=f"aws/{service}/x", provider="aws", service=service, name="X",
                        method="POST", endpoint="", summary="", access="read",
                        name_words=name_words, service_title=title)


def test_a_service_title_names_it_in_the_singular_too() -> None:
    """"vCPU quota" names Service Quotas as "quotas" does; a word that only ends in s
    (Kinesis, access) keeps it."""
    aliases = derive_service_aliases(
        [_doc("service-quotas", "Service Quotas", ["get", "service", "quota"]),
         _doc("kinesis", "Amazon Kinesis", ["describe", "stream"])],
        noise={"service", "amazon"})
    assert {"quotas", "quota"} <= set(aliases[("aws", "service-quotas")])
    assert "kinesi" not in aliases[("aws", "kinesis")]
