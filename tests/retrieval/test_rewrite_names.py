"""Names in a request: the words of an object's name say which object, not what is asked."""

from __future__ import annotations

from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD


def test_a_dotted_name_is_a_name() -> None:
    """"certificates.cert-manager.io" names a CRD, "api.example.com" a host: their words
    weigh little; a version ("v1.28") is no name."""
    rw = QueryRewriter(word_pairs=frozenset({"resource definition"}))
    q = rw.rewrite("crd 里有 certificates.cert-manager.io 吗")
    assert q.terms[stem("certificates")] < 0.5 and q.terms["crd"] == 1.0
    assert rw.rewrite("where does api.example.com resolve to").terms["api"] == W_WEAK_WORD
    assert rw.rewrite("which nodes run kubelet v1.28").terms["kubelet"] == 1.0


def test_a_path_is_a_name() -> None:
    """"/aws/lambda/order-api" names a log group: "order" and "api" weigh little."""
    rw = QueryRewriter(word_pairs=frozenset({"order api"}))
    q = rw.rewrite("/aws/lambda/order-api 过去1h ERROR 日志")
    assert q.terms["order"] == W_WEAK_WORD and q.terms["api"] == W_WEAK_WORD
    assert q.time_window and q.terms["error"] == 1.0
    assert rw.rewrite("order api latency").terms["order"] == 1.0  # no path, no name


def test_an_action_named_by_its_service_is_what_a_permission_is_about() -> None:
    """"can role x do s3:PutObject": PutObject is the action to check, not the one to run."""
    q = QueryRewriter().rewrite("can role ci-deployer do s3:PutObject on bucket media-prod")
    assert q.terms["put"] == W_WEAK_WORD and q.terms["object"] == W_WEAK_WORD
    assert q.terms["bucket"] == 1.0
    assert QueryRewriter().rewrite("put object into bucket x").terms["put"] == 1.0


def test_an_id_in_lower_case_is_a_name() -> None:
    """"REST API a1b2c3", "ssm cmd 3f2a9c": ids that switch between letters and digits; a
    version or a word with a number (v1beta1, ec2, http2) is none."""
    rw = QueryRewriter()
    assert rw.rewrite("stages of REST API a1b2c3").terms["a1b2c3"] == W_WEAK_WORD
    assert rw.rewrite("ssm cmd 3f2a9c output").terms["3f2a9c"] == W_WEAK_WORD
    assert rw.rewrite("crds still served at v1beta1").terms["v1beta1"] == 1.0
    assert rw.rewrite("http2 settings of the alb").terms["http2"] == 1.0


def test_an_arn_names_one_object_but_its_service_and_type_are_nouns() -> None:
    """"rules of listener arn:aws:elasticloadbalancing:...:listener/app/web/1a2b": the region,
    account and id name the listener; its service and resource type keep their weight."""
    q = QueryRewriter().rewrite("list the rules of listener arn:aws:elasticloadbalancing:"
                                "us-east-1:123456789012:listener/app/web-alb/50dc6c/f2f7dc")
    assert q.terms[stem("listener")] == 1.0 and q.terms[stem("elasticloadbalancing")] == 1.0
    assert all(q.terms[t] == W_WEAK_WORD for t in ("east", "123456789012", "app", "alb"))
    # an ARN with no resource type ends in a name (an SNS topic's)
    sns = QueryRewriter().rewrite("subscribers of arn:aws:sns:us-east-1:123456789012:prod-alerts")
    assert sns.terms["sns"] == 1.0 and sns.terms["prod"] == W_WEAK_WORD


def test_words_joined_by_a_slash_are_alternatives_not_a_name() -> None:
    """"status/error": the one or the other, when both are words of the index; "prod/db-pass"
    names a secret."""
    rw = QueryRewriter(word_pairs=frozenset({"query statu", "error message", "db password"}))
    q = rw.rewrite("athena query 9f8e7d6c status/error?")
    assert q.terms["status"] == 1.0 and q.terms["error"] == 1.0
    assert "f8e7d6c" not in q.named_kinds  # the id is one token, not a kind after a digit
    q = rw.rewrite("secret prod/db-password rotation")
    assert q.terms["password"] < 0.5


def test_a_values_shape_says_its_kind() -> None:
    """"m7g.4xlarge" is an EC2 instance type and "db.r6g.xlarge" a DB instance class (the AWS
    plugin's ``value_kinds``): the kind is named, the value's own words weigh little."""
    rw = QueryRewriter()
    q = rw.rewrite("how many vCPUs does m7g.4xlarge have")
    assert q.terms["type"] >= 0.8 and q.terms["m7g"] == W_WEAK_WORD and "type" in q.named_kinds
    q = rw.rewrite("db.r6g.xlarge memory")
    assert q.terms["class"] >= 0.8 and "class" in q.named_kinds
    assert "type" not in rw.rewrite("api.example.com memory").terms  # no such shape


def test_a_hyphenated_kind_is_the_one_word_the_specs_write() -> None:
    """"add-on" is the specs' Addon when the index knows that kind; a name joined the same way
    ("web-app") stays two words, as does one inside a longer name ("add-on-1")."""
    rw = QueryRewriter(resources=frozenset({"addon"}))
    assert rw.rewrite("vpc-cni add-on status").terms["addon"] == 1.0
    assert "webapp" not in rw.rewrite("web-app status").terms
    assert "addon" not in rw.rewrite("add-on-1 status").terms


def test_an_ids_prefix_says_its_kind(shared_retriever) -> None:
    """"r-ab12" is an AWS Organizations root, "i-0abc1234" an EC2 instance (the AWS plugin's
    ``id_prefixes``): the kind is named by the id alone."""
    rw = shared_retriever.searcher.rewriter_for(shared_retriever.current())
    assert stem("root") in rw.rewrite("list the OUs under r-ab12").named_kinds
    assert stem("instance") in rw.rewrite("is i-0abc1234 healthy").named_kinds


def test_the_namespace_a_scope_names_is_where_to_look(shared_retriever) -> None:
    """"in ns team-a": the namespace is where to look, no object asked about (readNamespace
    takes nothing asked); "namespace team-a stuck in Terminating" asks about it."""
    rw = shared_retriever.searcher.rewriter_for(shared_retriever.current())
    q = rw.rewrite("show the events in ns team-a")
    assert stem("namespace") not in q.named_kinds and stem("namespace") in q.located_kinds
    assert stem("namespace") in rw.rewrite("namespace team-a stuck in Terminating").named_kinds


def test_a_kind_named_in_words_of_a_compound_is_the_compound(shared_retriever) -> None:
    """"node group ng-gpu-a10": the kind named is the Nodegroup the specs' parameters take."""
    rw = shared_retriever.searcher.rewriter_for(shared_retriever.current())
    assert "nodegroup" in rw.rewrite("node group ng-gpu-a10 health issues").named_kinds
