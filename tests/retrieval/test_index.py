"""What the index derives from its documents alone."""

from __future__ import annotations

from mcp_sre.retrieval.documents import OperationDoc, camel_words, singular
from mcp_sre.retrieval.index import derive_service_aliases


def _doc(service: str, title: str, name_words: list[str], *, old: bool = False) -> OperationDoc:
    return OperationDoc(id=f"aws/{service}/x", provider="aws", service=service, name="X",
                        method="POST", endpoint="", summary="", access="read",
                        name_words=name_words, service_title=title, deprecated=old)


def test_a_service_title_names_it_in_the_singular_too() -> None:
    """"vCPU quota" names Service Quotas as "quotas" does; a word that only ends in s
    (Kinesis, access) keeps it."""
    aliases = derive_service_aliases(
        [_doc("service-quotas", "Service Quotas", ["get", "service", "quota"]),
         _doc("kinesis", "Amazon Kinesis", ["describe", "stream"])],
        noise={"service", "amazon"})
    assert {"quotas", "quota"} <= set(aliases[("aws", "service-quotas")])
    assert "kinesi" not in aliases[("aws", "kinesis")]


def test_a_versioned_api_takes_the_name_of_the_one_it_replaces() -> None:
    """"waf" names WAFV2 too once WAF Classic's documentation says it is replaced; API Gateway
    V2 beside a current REST API keeps its own names only."""
    aliases = derive_service_aliases(
        [_doc("waf", "AWS WAF", ["get", "web", "acl"], old=True),
         _doc("wafv2", "AWS WAFV2", ["get", "web", "acl"]),
         _doc("apigateway", "Amazon API Gateway", ["get", "stage"]),
         _doc("apigatewayv2", "AmazonApiGatewayV2", ["get", "stage"])],
        noise={"amazon", "aws"})
    assert "waf" in aliases[("aws", "wafv2")]
    assert "api gateway" not in aliases[("aws", "apigatewayv2")]
    assert "api gateway" in aliases[("aws", "apigateway")]


def test_a_services_own_id_names_it_not_a_sibling() -> None:
    """"ecr" is ECR's id: ECR Public's title holds the word, but names the public registry
    with it only weakly; ECR Public keeps its own names."""
    aliases = derive_service_aliases(
        [_doc("ecr", "Amazon EC2 Container Registry", ["describe", "image"]),
         _doc("ecr-public", "Amazon Elastic Container Registry Public", ["describe", "image"]),
         _doc("ecr-public", "Amazon ECR Public", ["describe", "image"])],
        noise={"amazon", "public"})
    assert aliases[("aws", "ecr")]["ecr"] == 1.0
    assert aliases[("aws", "ecr-public")]["ecr"] < 1.0
    assert aliases[("aws", "ecr-public")]["ecr public"] == 1.0


def test_initials_of_words_the_specs_spell_out_stand_for_them() -> None:
    """"pitr" stands for point in time recovery where most runs with those initials spell it;
    runs that open with a verb are actions, and a phrase holding its own initials or a
    stop word is no expansion."""
    from mcp_sre.retrieval.index import initialisms

    words_of = {f"PointInTimeRecovery{i}": ["point", "in", "time", "recovery", f"x{i}"]
                for i in range(5)}
    words_of |= {f"PutInTheRegistry{i}": ["put", "in", "the", "registry"] for i in range(9)}
    words_of |= {f"VpcPeeringConnection{i}": ["vpc", "peering", "connection"] for i in range(6)}
    words_of |= {f"OrganizationalUnitResponse{i}": ["organizational", "unit", "response"]
                 for i in range(6)}
    found = initialisms(words_of, verbs={"put"})
    assert found["pitr"] == "point in time recovery"
    assert "vpc" not in found and "our" not in found


def test_reply_fields_are_found_by_their_first_two_words() -> None:
    """PointInTimeRecoveryStatus is kept under (point, time), stop words left out; a field
    that names an object by its name or id (LogGroupName) marks its words as a kind."""
    from mcp_sre.retrieval.index import spelt_fields

    fields = ["PointInTimeRecoveryStatus", "ItemCount", "LogGroupName", "Arn"]
    by_pair, kinds = spelt_fields(fields, {f: camel_words(f) for f in fields})
    assert by_pair[("point", "time")] == [
        ("pointintimerecoverystatus", ("point", "time", "recovery", singular("status")))]
    assert by_pair[("item", "count")] == [("itemcount", ("item", "count"))]
    assert ("log", "group") in kinds and ("item",) not in kinds
    assert all(len(words) >= 2 for entries in by_pair.values() for _, words in entries)


def test_inputs_that_open_a_span_of_time_are_told_by_their_names() -> None:
    from mcp_sre.retrieval.index import _TIME_PARAM

    for name in ("StartTime", "end_date", "sinceSeconds", "timespan", "laterTime",
                 "earlierTime", "ByCreatedAfter", "creationTimeBefore", "TimeWindow"):
        assert _TIME_PARAM.search(name), name
    for name in ("RetentionPeriod", "TimeZone", "WaitTimeSeconds", "runtime", "UpdateType"):
        assert not _TIME_PARAM.search(name), name
