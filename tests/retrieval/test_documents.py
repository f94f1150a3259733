from __future__ import annotations

from mcp_sre.retrieval.documents import (
    build_document,
    camel_words,
    clean_text,
    dense_text,
    spec_example_titles,
    spec_output_fields,
    spec_popularity,
    spec_service_titles,
    stem,
    tokenize,
)
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo


def _spec(**kw: object) -> APISpec:
    base: dict[str, object] = {
        "id": "aws/ec2/DescribeInstances", "name": "DescribeInstances", "provider": "aws",
        "service": "ec2", "method": "POST", "endpoint": "/",
        "summary": "Describes the specified instances or all instances.",
        "description": "<p>Describes the specified instances or all instances.</p> <p>If you "
                       "specify instance IDs, the output includes only those.</p>",
        "parameters": [Parameter(name="InstanceIds", location="body"),
                       Parameter(name="MaxResults", location="body")],
        "return_type": "DescribeInstancesResult", "access": "read",
        "source": SourceInfo(url="botocore:ec2", format="botocore"),
    }
    base.update(kw)
    return APISpec.model_validate(base)


def test_camel_words_split_identifiers_and_versions() -> None:
    assert camel_words("listCoreV1NamespacedPod") == ["list", "core", "v1", "namespaced", "pod"]
    assert camel_words("DescribeDBClusters") == ["describe", "db", "clusters"]
    assert camel_words("rbacAuthorization_v1") == ["rbac", "authorization", "v1"]


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert tokenize("List all the Pods in my namespace") == ["list", "pod", "namespac"]
    assert tokenize("enableDnsHostnames") == ["enabl", "dns", "hostnam"]
    assert stem("namespaced") == "namespaced"  # kept apart from "namespaces"
    assert tokenize("列出所有Pod") == ["pod"]  # CJK is left to the rewriter


def test_clean_text_strips_html() -> None:
    assert clean_text("<p>Hello&nbsp;<b>world</b></p>") == "Hello world"


def test_build_document_fields() -> None:
    doc = build_document(_spec(), ["Amazon Elastic Compute Cloud"])
    assert doc.name_words == ["describe", "instances"]
    assert doc.verb == "describe"
    assert "elastic" in doc.service_words and doc.service_words[0] == "ec2"
    assert doc.summary == "Describes the specified instances or all instances."
    assert "<p>" not in doc.text and "output includes only those" in doc.text
    assert doc.params == ["InstanceIds", "MaxResults", "DescribeInstancesResult"]
    text = dense_text(doc)
    assert text.startswith("ec2: describe instances.")  # the id, as the shipped vectors
    assert len(text) < 260


def test_titles_from_raw_and_sha_tracks_dense_text() -> None:
    spec = _spec(raw={"x-service-title": "Amazon EC2", "x-service-titles": ["EC2"]})
    assert spec_service_titles(spec) == ["Amazon EC2", "EC2"]
    a = build_document(spec)
    b = build_document(_spec(raw={"x-service-title": "Amazon EC2", "x-service-titles": ["EC2"]},
                             description="changed deep text that is not embedded"))
    c = build_document(_spec(summary="Something else entirely."))
    assert a.sha == b.sha  # same embedded text -> the cached vector is reused
    assert a.sha != c.sha


def test_example_titles_and_popularity_from_raw() -> None:
    doc = build_document(_spec(raw={"x-example-titles": ["To describe an <b>instance</b>", 7, " "],
                                    "x-popularity": 3,
                                    "x-service-title": "Amazon EC2", "x-service-titles": ["EC2"]}))
    assert doc.examples == ["To describe an instance"]
    assert doc.popularity == 1.0  # clipped to 0..1
    assert doc.service_title == "Amazon EC2" and doc.service_aliases == ["EC2"]
    assert spec_example_titles(_spec(raw={"x-example-titles": "not a list"})) == []
    assert spec_popularity(_spec(raw={"x-popularity": True})) == 0.0
    assert spec_popularity(_spec()) == 0.0
    # neither changes what is embedded: the cached vector stays valid
    assert doc.sha == build_document(_spec()).sha


def test_deprecated_flag_from_summary() -> None:
    doc = build_document(_spec(summary="Deprecated: use DescribeInstancesV2."))
    assert doc.deprecated


def test_documentation_that_sends_readers_to_a_newer_api_marks_the_operation_old() -> None:
    """Specs rarely flag an old API; its documentation says so in plain words."""
    for text in ("<note><p>This is <b>AWS WAF Classic</b> documentation.</p></note>",
                 "<p>For the latest version of the product, use the V2 API.</p>",
                 "This API operation is superseded by DescribeTrafficSources, which ...",
                 "This documentation is for version 1 of the Example API."):
        assert build_document(_spec(summary="Gets a thing.", description=text)).deprecated, text
    current = "Returns the classic load balancers that the group uses, version 2 of them."
    assert not build_document(_spec(summary="Gets a thing.", description=current)).deprecated


def test_output_fields_nearest_first_without_the_envelope() -> None:
    """What an operation returns, as field names: the top level before nested ones, a list's
    fields through its items, paging and envelope fields left out, at most ``limit``."""
    schema = {"type": "object", "properties": {
        "NextToken": {"type": "string"},
        "ContinuousBackupsDescription": {"type": "object", "properties": {
            "PointInTimeRecoveryDescription": {"type": "object", "properties": {
                "PointInTimeRecoveryStatus": {"type": "string"}}}}},
        "Members": {"type": "array", "items": {"type": "object", "properties": {
            "IsClusterWriter": {"type": "boolean"}}}},
    }}
    spec = _spec(return_schema=schema)
    assert spec_output_fields(spec) == [
        "ContinuousBackupsDescription", "Members", "PointInTimeRecoveryDescription",
        "IsClusterWriter", "PointInTimeRecoveryStatus"]
    assert spec_output_fields(spec, limit=2) == ["ContinuousBackupsDescription", "Members"]
    assert build_document(spec).outputs[-1] == "PointInTimeRecoveryStatus"
    assert spec_output_fields(_spec()) == []  # nothing returned, nothing named
