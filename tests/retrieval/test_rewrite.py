from __future__ import annotations

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import camel_words, stem
from mcp_sre.retrieval.rewrite import MAX_QUERY_CHARS, WRITE_INTENTS, QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK, W_WEAK_WORD, load_vocabulary


def test_chinese_terms_become_api_words() -> None:
    q = QueryRewriter().rewrite("节点的内存压力和磁盘压力状态")
    assert {"node", "memori", "pressur", "disk", "status"} <= set(q.terms)
    assert "read" in q.intents
    assert "node" in q.text and "memory" in q.text
    assert q.dense_text.startswith("节点的内存压力")  # the model also sees the original


def test_longest_chinese_match_wins() -> None:
    q = QueryRewriter().rewrite("列出EKS集群的所有节点组")
    assert "nodegroup" in q.terms
    assert ("aws", "eks") in q.services and q.services[("aws", "eks")] == 1.0
    assert "list" in q.intents


def test_english_sre_phrases_and_services() -> None:
    q = QueryRewriter().rewrite("which CloudWatch alarms are currently firing")
    assert q.terms["alarm"] == 1.0 and "state" in q.terms
    assert q.services[("aws", "cloudwatch")] == 1.0
    assert q.verbs.get("describ", 0) > 0.5
    quota = QueryRewriter().rewrite("what is our EC2 on-demand standard instances vCPU quota")
    assert quota.services[("aws", "service-quotas")] > quota.services.get(("aws", "ec2"), 0) * 0.5
    assert QueryRewriter().rewrite("参数组 prod-mysql80 里 max_connections").services[("aws", "rds")] == 1.0
    scps = QueryRewriter().rewrite("list the SCPs of our organization")
    assert scps.services[("aws", "organizations")] == 1.0 and stem("policies") in scps.terms
    cost = QueryRewriter().rewrite("本月每个服务花了多少钱")
    assert ("aws", "ce") in cost.services and "cost" in cost.terms


def test_compounds_and_fused_compounds() -> None:
    rw = QueryRewriter()
    assert "configmap" in rw.rewrite("list config maps in namespace shop").terms
    q = rw.rewrite("stateful sets across all namespaces")
    assert "allnamespac" in q.terms
    assert "statefulset" in q.terms
    # Chinese "every" before an English noun, spaced or not
    for request in ("所有 namespace 里 Pending 的 pod", "每个namespace 的 configmap"):
        assert "allnamespac" in rw.rewrite(request).terms


def test_weak_words_count_less() -> None:
    q = QueryRewriter().rewrite("get information about a dimension")
    assert q.terms["inform"] < 0.5 < q.terms["dimens"]


def test_long_query_is_truncated_and_flagged() -> None:
    q = QueryRewriter().rewrite("list pods " * 2000)
    assert q.truncated and len(q.original) <= MAX_QUERY_CHARS
    assert "pod" in q.terms


def test_learned_service_aliases_from_the_index() -> None:
    rw = QueryRewriter(service_aliases={("acme", "widgets"): {"widget factory": 1.0}})
    assert rw.rewrite("restart the widget factory").services == {("acme", "widgets"): 1.0}


def test_llm_seam_adds_words_and_failures_are_ignored() -> None:
    prompts: list[str] = []

    def llm(prompt: str) -> str:
        prompts.append(prompt)
        return "list DescribeInstances ec2"

    q = QueryRewriter(llm=llm).rewrite("给我看看服务器")
    assert prompts and "给我看看服务器" in prompts[0]
    assert q.llm_rewrite == "list DescribeInstances ec2" and "describ" in q.terms

    def broken(prompt: str) -> str:
        raise RuntimeError("model down")

    assert QueryRewriter(llm=broken).rewrite("list pods").llm_rewrite is None


def test_head_noun_guess() -> None:
    rw = QueryRewriter()
    assert rw.rewrite("which load balancer targets are unhealthy").head == "target"
    assert rw.rewrite("To describe the tags assigned to a load balancer").head == "tag"
    assert rw.rewrite("查看负载均衡器的监听器").head == "listen"  # 的: the last phrase is the head
    assert rw.rewrite("列出EKS集群的所有节点组").head == "nodegroup"
    # "does X have Y", "X has no Y": asks for Y; "which X have Y" filters X by Y
    assert rw.rewrite("does service orders in shop have any ready endpoints").head == "endpoint"
    assert rw.rewrite("bill is huge, does vpc-1 even have a gateway endpoint").head == "endpoint"
    assert rw.rewrite("service web has no endpoints?").head == "endpoint"
    assert rw.rewrite("which storage classes have volume expansion on").head == "storageclass"


def test_head_noun_is_the_object_of_the_last_order() -> None:
    rw = QueryRewriter()
    # "show" after a clause boundary is an order; "is" asks; "recorded" ends the phrase
    assert rw.rewrite("why is my pod in CrashLoopBackOff, show the events recorded for it"
                      ).head == "event"
    # an intent word after an article is a noun; inside a phrase it is part of it
    assert rw.rewrite("To add a tag to a load balancer").head == "tag"
    assert rw.rewrite("is the DNS health check currently passing").head == "check"
    # a phrase of weak words only does not count, nor does an id
    assert rw.rewrite("To get information about a dimension").head == "dimens"
    assert rw.rewrite("get details of instance i-123").head == "instanc"


def test_head_synonyms_from_the_vocabulary() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("read the newest entries of one specific log stream")
    assert q.head == "entri" and "event" in q.head_synonyms
    assert "graph" in rw.rewrite("show the dependency map of my services").head_synonyms
    assert rw.rewrite("list all pods").head_synonyms == set()


def test_chinese_head_skips_a_trailing_facet_and_reads_english_nouns() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("查看 shop 命名空间下所有 Pod 的状态")  # the pods' status is about pods
    assert q.head == "pod" and q.head_phrase[-1] == "pod"
    # what the noun does or is (快过期了, 有没有失败的) is no noun
    assert rw.rewrite("哪些 ACM 证书快过期了").head == stem("certificate")
    assert rw.rewrite("昨晚的备份任务有没有失败的").head == stem("job")
    # "deployment web": the name last, the resource before it to fall back on
    assert rw.rewrite("滚动重启 deployment web").head_phrase[-2:] == ["deploy", "web"]


def test_compound_heads_match_compound_resources() -> None:
    from mcp_sre.retrieval.resources import resource_of

    rw = QueryRewriter()
    compounds = rw.vocab.head_compounds
    assert rw.rewrite("list daemon sets in kube-system").head == "daemonset"
    assert resource_of(camel_words("listAppsV1NamespacedDaemonSet"), compounds)[:2] == \
        ("daemonset", True)
    assert resource_of(camel_words("readAppsV1NamespacedDaemonSetStatus"), compounds)[2] == \
        "daemonset"
    # a compound ending in a facet stays the facet of the word before it
    assert resource_of(camel_words("listCoreV1ComponentStatus"), compounds)[::2] == \
        ("status", "compon")
    # a set of records is about records ("all records in a hosted zone"); a replica set stays one
    assert resource_of(camel_words("ListResourceRecordSets"), compounds) == ("set", True, "record", True)
    assert resource_of(camel_words("listAppsV1NamespacedReplicaSet"), compounds)[::2] == \
        ("replicaset", "")


def test_kubectl_short_names_are_understood() -> None:
    rw = QueryRewriter()
    assert "persistentvolumeclaim" in rw.rewrite("pvc data-0 is stuck in Pending").terms
    assert "update" in rw.rewrite("cordon node ip-10-0-1-5").intents


def test_kubectl_flags_set_the_scope_and_are_no_nouns() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("kubectl get pods -n payments")
    assert q.terms["namespaced"] > 0.5 and "n" not in q.terms and q.head == "pod"
    assert "allnamespac" in rw.rewrite("kubectl get pvc -A").terms
    # said in words, in English or Chinese; an intent word inside the match (所有) is no term
    assert "allnamespac" in rw.rewrite("最近 1 小时整个集群的 events").terms
    assert "allnamespac" in rw.rewrite("所有的命名空间里 Pending 的 pod").terms
    assert "allnamespac" in rw.rewrite("failed jobs in all namespaces").terms
    assert "list" in q.intents and "read" not in q.intents  # no name after the kind: a list
    assert "read" in rw.rewrite("kubectl get pod web-1 -n shop").intents
    ing = rw.rewrite("kubectl get ing -n shop")
    assert ing.terms["ingress"] >= 0.8 and ing.head == "ingress"


def test_short_names_and_one_word_compounds_name_the_resource() -> None:
    rw = QueryRewriter()
    assert "horizontalpodautoscal" in rw.rewrite("hpa api in prod").head_phrase
    q = rw.rewrite("dump the rolebindings in the dev namespace")
    assert {"rolebind", "role", "bind"} <= set(q.terms)  # RoleBinding spells the parts apart
    assert "read" in q.intents and q.head == "rolebind"


def test_target_counts_questions_and_searches() -> None:
    rw = QueryRewriter()
    assert "scale" in rw.rewrite("bump the worker deployment up to 8 replicas").intents
    assert "scale" in rw.rewrite("把 deployment api 扩容到 5 个副本").terms
    assert "read" in rw.rewrite("ECS service web: running count vs desired count?").intents
    grep = rw.rewrite("grep the log group /aws/lambda/x for ERROR")
    assert "search" in grep.intents and grep.verbs.get("filter") == 1.0
    assert grep.head == "loggroup" and "event" in grep.head_synonyms  # the path is no noun
    assert rw.rewrite("what does the DNS record api.example.com resolve to").head == "record"


def test_command_syntax_is_plugin_data(tmp_path) -> None:
    """Command-line rules come from a plugin's vocabulary: without them "-n" is a word like
    any other; a third-party file adds its own command syntax the same way."""
    core = QueryRewriter(load_vocabulary())
    from mcp_sre.retrieval.documents import stem

    assert stem("namespaced") not in core.rewrite("show pods -n shop").terms
    mine = tmp_path / "vocab.yaml"
    mine.write_text("command_syntax:\n"
                    "  flags: ['(?<!\\S)(?:--zone(?:=|\\s+)\\S+|--[a-z][a-z-]*)(?!\\S)']\n"
                    "  scopes: [{pattern: '(?<!\\S)--every-zone(?!\\S)', term: allzones}]\n"
                    "  lists: ['\\bwidgetctl ls\\b']\n", encoding="utf-8")
    rw = QueryRewriter(load_vocabulary(extra=[mine]))
    q = rw.rewrite("widgetctl ls gadgets --zone north --every-zone")
    assert "list" in q.intents and stem("allzones") in q.terms
    assert "north" not in q.head_phrase and q.head == stem("gadgets")


def test_the_container_a_request_is_scoped_to_weighs_little() -> None:
    """"in namespace billing" names a parameter of the operation wanted, not its resource."""
    rw = QueryRewriter()
    q = rw.rewrite("show the roles defined in namespace billing")
    assert q.terms["namespac"] < 0.5 < q.terms["role"] and q.head == "role"
    cjk = rw.rewrite("查看命名空间 shop 中 service cart 的定义")
    assert cjk.terms["namespac"] < 0.5 < cjk.terms["servic"]
    # terse: "ns etl" scopes as "in namespace etl" does, and where is no part of the head
    terse = rw.rewrite("failed jobs ns etl")
    assert terse.terms["etl"] < 0.5 < terse.terms["namespaced"] and terse.head == stem("jobs")
    # without a name after it, or as the thing asked about, the noun keeps its weight
    assert rw.rewrite("list every namespace in the cluster").terms["namespac"] == 1.0
    assert rw.rewrite("show namespace billing").terms["namespac"] == 1.0
    # a word naming a service outright is never weakened ("in SQS queue orders-dlq")
    sqs = rw.rewrite("how many messages are waiting in SQS queue orders-dlq")
    assert sqs.terms["sqs"] == 1.0 and sqs.terms["queue"] < 0.5
    pool = rw.rewrite("list the pods in node pool np-1")
    assert pool.terms["pool"] < 0.5 < pool.terms["pod"] and pool.head == "pod"


def test_space_between_chinese_and_latin_is_optional() -> None:
    # a vocabulary phrase written without the space ("公网ip") still matches a request with it
    rw = QueryRewriter()
    spaced, tight = rw.rewrite("订阅下所有的公网 IP"), rw.rewrite("订阅下所有的公网IP")
    assert "public" in spaced.terms and spaced.terms.keys() == tight.terms.keys()


def test_a_chinese_list_word_hides_no_term() -> None:
    # 列表 ("a list") holds 表 ("table"): the request is not about tables
    q = QueryRewriter().rewrite("MySQL 实例的备份列表")
    assert "tabl" not in q.terms and q.head == "backup" and "list" in q.intents


def test_versions_and_asides_are_not_the_head_noun() -> None:
    rw = QueryRewriter()
    assert rw.rewrite("把 deployment checkout 的镜像改成 v2.3.1").head == "imag"
    aside = rw.rewrite("Lambda 函数 thumbnailer 绑定了哪些事件源（SQS/Kinesis）")
    assert aside.head == "event" and "sqs" in aside.terms  # the aside still searches


def test_plural_short_names_keep_their_number() -> None:
    # "pvcs" is many PersistentVolumeClaims (a list), "pvc" one: the request's words say so
    from mcp_sre.retrieval.resources import fused_words

    rw = QueryRewriter()
    many = fused_words(rw.rewrite("pvcs in namespace data that are still Pending").words,
                       rw.vocab.head_compounds)
    one = fused_words(rw.rewrite("show pvc data-0").words, rw.vocab.head_compounds)
    assert ("persistentvolumeclaims", True) in many
    assert ("persistentvolumeclaim", False) in one


def test_an_order_opening_with_an_operation_verb() -> None:
    """"Invoke a function": no intent lists "invoke", but operations start with it; the
    request asks for that verb, and for an action when those operations mostly write."""
    rw = QueryRewriter(operation_verbs={"invok": 0.0, "estim": 1.0})
    q = rw.rewrite("Invoke a Lambda function with a JSON payload")
    assert q.verbs.get("invok") == 1.0 and "act" in q.intents and "act" in WRITE_INTENTS
    assert "read" in rw.rewrite("estimate the cost of a template").intents
    assert rw.rewrite("invoke").verbs == {}  # a bare word is no order
    assert QueryRewriter().rewrite("Invoke a Lambda function").verbs == {}  # no verbs known


def test_one_word_for_two_in_operation_names() -> None:
    """A request writing as one word what operation names spell apart ("datasets" for
    DataSets) names both parts."""
    rw = QueryRewriter(joined_words={"dataset": ("data", "set")})
    terms = rw.rewrite("List the QuickSight datasets of an account").terms
    assert {"dataset", "data", "set"} <= set(terms)
    assert "data" not in QueryRewriter().rewrite("List the datasets").terms


def test_index_knows_verbs_and_joined_words(shared_retriever) -> None:
    index = shared_retriever.current()
    assert index.verb_reads["describ"] == 1.0 and index.verb_reads["delet"] == 0.0
    assert index.joined_words["loadbalanc"] == ("load", "balanc")  # elbv2 LoadBalancers
    # three words written as one, as command lines and manifests spell kinds
    # ("clusterrolebinding"): EKS PodIdentityAssociation
    assert index.joined_words["podidentityassoci"] == ("pod", "ident", "associ")


def test_index_knows_reply_field_names(shared_retriever) -> None:
    index = shared_retriever.current()
    assert "loadbalancerarn" in index.field_names  # elbv2 DescribeLoadBalancers


def test_contractions_leave_no_stray_words() -> None:
    """"what's" is no word "s"; "isn't" still says not."""
    rw = QueryRewriter()
    q = rw.rewrite("what's the deregistration delay on target group api-tg")
    assert "s" not in q.terms and q.head != "s" and {"deregistr", "delay"} <= set(q.terms)
    assert rw.rewrite("why isn't pod web-1 ready").original == "why is not pod web-1 ready"
    assert "pod" in rw.rewrite("the pod's logs").terms


def test_a_service_named_after_the_subject_counts_less() -> None:
    """"SNS topic billing-alerts: retry policy and KMS encryption" is about the topic; KMS is an
    attribute of it. Either order keeps both services, the first at full weight."""
    rw = QueryRewriter()
    q = rw.rewrite("SNS topic billing-alerts: delivery retry policy and KMS encryption")
    assert q.services[("aws", "sns")] == 1.0 and 0 < q.services[("aws", "kms")] < 1.0
    q = rw.rewrite("KMS key used by SNS topic billing-alerts")
    assert q.services[("aws", "kms")] == 1.0 and q.services[("aws", "sns")] < 1.0
    # where to look, said after the subject ("(AWS Config)", "via CloudTrail"), is the service
    q = rw.rewrite("RDS instance orders-db free storage over the last week (Amazon CloudWatch)")
    assert q.services[("aws", "cloudwatch")] == 1.0 and q.services[("aws", "rds")] < 1.0
    q = rw.rewrite("SNS topic alerts delivery failures via CloudWatch")
    assert q.services[("aws", "cloudwatch")] == 1.0 and q.services[("aws", "sns")] < 1.0


def test_an_exact_synonym_points_at_its_kinds_service_as_a_hint() -> None:
    """"the leader of kube-controller-manager" is said with no service name; the vocabulary's
    exact synonym (leader: leader election lease) names the lease's, weakly. A loose term
    (one that only suggests words) names no service."""
    rw = QueryRewriter()
    q = rw.rewrite("which node currently holds the kube-controller-manager leader lock")
    assert q.services.get(("kubernetes", "coordination_v1")) == W_WEAK
    assert ("kubernetes", "coordination_v1") not in rw.rewrite("which node is ready").services


def test_words_joined_into_a_name_weigh_little() -> None:
    """"RDS instance orders-db": orders and db follow each other in no operation, field or
    parameter, so they name the instance and ask for no Orderable options; "scale-down" and
    "point-in-time" do follow each other (scaleDown, PointInTime) and stay concepts."""
    pairs = frozenset({"scale down", "point in", "in time", "orderable db"})
    rw = QueryRewriter(word_pairs=pairs)
    q = rw.rewrite("RDS 实例 orders-db 过去24小时的数据库连接数变化")
    assert q.terms["order"] == W_WEAK_WORD
    assert rw.rewrite("database orders and db-backup").terms["order"] == 1.0  # also outside a name
    assert rw.rewrite("is point-in-time recovery enabled on table t").terms["point"] == 1.0
    assert rw.rewrite("scale-down window of HPA checkout").terms["scale"] == 1.0
    assert rw.rewrite("LOA-CFA for connection dxcon-1").terms["loa"] == 1.0  # an acronym
    assert QueryRewriter().rewrite("RDS instance orders-db").terms["order"] == 1.0  # no index
    # what the vocabulary says of the request keeps its weight: 节点 is a node, gpu-node-2 or not
    assert rw.rewrite("给节点 gpu-node-2 打上污点").terms["node"] == 1.0
    assert rw.rewrite("pods of the prod-eks cluster").terms["eks"] == 1.0  # a service's own name


def test_index_knows_which_words_follow_each_other(shared_retriever) -> None:
    index = shared_retriever.current()
    assert "load balancer" in index.word_pairs and "order db" not in index.word_pairs


def test_a_reply_field_named_by_its_identifier_is_kept() -> None:
    """"the stoppedReason of task x": a field the index's replies have, asked for by name;
    camel-case words no reply has, and plain words, are no field."""
    rw = QueryRewriter(field_names=frozenset({"stoppedreason", "clusterip"}))
    assert rw.rewrite("ECS prod 集群里 api 的 task 查一下 stoppedReason").fields == {"stoppedreason"}
    assert rw.rewrite("is service orders of type ClusterIP").fields == {"clusterip"}
    assert rw.rewrite("why is pod web-1 in CrashLoopBackOff").fields == frozenset()
    assert rw.rewrite("the stopped reason of task x").fields == frozenset()
    assert QueryRewriter(field_names=frozenset({"vcpu"})).rewrite("our vCPU quota").fields == frozenset()


def test_a_chinese_phrase_names_its_noun_not_its_participle() -> None:
    """托管节点组 is "managed nodegroup": the request is about node groups."""
    assert QueryRewriter().rewrite("EKS 集群 prod 下面有哪些托管节点组").head == "nodegroup"


def test_a_container_named_before_its_noun_is_a_scope() -> None:
    """"records in the example.com hosted zone", "in our hosted zone Z0123": the zone holds
    what is asked for, as "in namespace shop" does; "records of hosted zone x" stays as it is."""
    rw = QueryRewriter()
    for request in ("show DNS records in the example.com hosted zone",
                    "what does api.example.com resolve to in our hosted zone Z0123456789ABC"):
        q = rw.rewrite(request)
        assert q.terms["zone"] == 0.45 and q.terms["record" if "records" in request else "resolv"] == 1.0
    assert rw.rewrite("show DNS records of hosted zone example.com").terms["zone"] == 1.0


def test_a_chinese_action_before_de_describes_the_noun() -> None:
    """"新建的 ingress" is the newly created ingress, "删除的 pod" a deleted one: a modifier, no
    order; "新建一个 ingress" is an order."""
    rw = QueryRewriter()
    assert not rw.rewrite("新建的 ingress 一直没有分配地址").intents & WRITE_INTENTS
    assert not rw.rewrite("昨天删除了的 pod 有哪些").intents & WRITE_INTENTS
    assert "create" in rw.rewrite("新建一个 ingress").intents


def test_a_verb_after_a_containers_name_ends_the_scope() -> None:
    """"worker-7f9c in namespace queue just crashed": the namespace is where, not what."""
    q = QueryRewriter().rewrite("worker-7f9c in namespace queue just crashed, show its logs")
    assert q.terms["namespac"] < 1.0


def test_a_chinese_x_not_x_question_asks_for_a_state() -> None:
    """"开没开自动轮换" (is rotation on or not) asks for a state, as "is it enabled" does: a
    question, so no order, and the status is what it reads."""
    q = QueryRewriter().rewrite("KMS key alias/prod-data 开没开自动轮换")
    assert q.terms.get("status", 0.0) > 0 and not q.intents & WRITE_INTENTS
    assert "status" not in QueryRewriter().rewrite("KMS key alias/prod-data 的自动轮换").terms


def test_an_abbreviation_is_the_noun_it_stands_for() -> None:
    terms = QueryRewriter().rewrite("sg rules for sg-0a1b2c3d4e5f").terms
    assert terms.get(stem("security"), 0.0) > 0 and terms.get(stem("group"), 0.0) > 0


def test_kubernetes_words_for_what_a_kind_holds() -> None:
    """The Kubernetes plugin's vocabulary: CSR is a kind's short name, a controller's leader
    is its lease's holder, the pod IPs behind a service are its endpoints."""
    rw = QueryRewriter()
    assert "certificatesigningrequest" in rw.rewrite("pending CSR not approved").terms
    assert rw.rewrite("who is the kube-scheduler leader").terms[stem("lease")] >= 0.8  # precise
    assert stem("endpoints") in rw.rewrite("which pod IPs are behind service cart").terms


def test_chinese_words_for_one_namespace_or_any() -> None:
    """"不限 namespace" is every namespace; "payments namespace 里" one of them."""
    rw = QueryRewriter()
    assert rw.rewrite("所有跑在节点 node-7 上的 pod，不限 namespace").terms.get("allnamespac", 0) > 0.5
    q = rw.rewrite("payments namespace 里哪个 PDB 的 allowed disruptions 是 0")
    assert q.terms.get(stem("namespaced"), 0) > 0.5 and "allnamespac" not in q.terms


def test_an_initialism_the_index_knows_adds_what_it_stands_for() -> None:
    rw = QueryRewriter(initialisms={"pitr": "point in time recovery", "sns": "service network"})
    q = rw.rewrite("is PITR enabled on table orders")
    assert q.terms[stem("recovery")] > 0.5 and q.terms["pitr"] == 1.0
    assert stem("network") not in rw.rewrite("sns topic alerts subscribers").terms  # a service


def test_a_chinese_clause_that_only_names_an_object_is_not_the_ask() -> None:
    """"..., hosted zone 是 example.com" tells which zone; the record is what is asked about.
    "状态是不是 ACTIVE" asks about the state, so it is no naming clause."""
    rw = QueryRewriter()
    q = rw.rewrite("api.example.com 这条 DNS 记录现在指向哪里，hosted zone 是 example.com")
    assert q.head == "record"
    from mcp_sre.retrieval.wording import CJK_NAMING_CLAUSE

    assert CJK_NAMING_CLAUSE.fullmatch("namespace 为 prod")
    assert not CJK_NAMING_CLAUSE.fullmatch("状态是不是 active")



def test_a_chinese_clause_telling_what_is_seen_is_not_the_ask() -> None:
    """"..., 有个 pod 一直 CrashLoopBackOff" (there is a pod that ...) is the context; the events
    before it are asked for. "有几个 reader" (how many readers) still asks."""
    rw = QueryRewriter()
    assert rw.rewrite("payments namespace 最近的 events，有个 pod 一直 CrashLoopBackOff").head == \
        stem("events")
    assert rw.rewrite("aurora 集群 orders 现在的 writer 是哪个实例，有几个 reader").head == stem("reader")


def test_a_namespace_named_before_its_noun_is_a_scope() -> None:
    """"payments namespace 最近的 events", "the shop namespace pods": where to look."""
    rw = QueryRewriter()
    for request in ("payments namespace 最近的 events", "show the shop namespace pods",
                    "pods are Pending, show the events in that namespace"):
        q = rw.rewrite(request)
        assert q.terms[stem("namespace")] < 0.5 and q.terms["namespaced"] >= 0.8, request
    assert rw.rewrite("describe the payments namespace").terms[stem("namespace")] == 1.0


def test_chinese_words_for_executions_steps_and_warnings() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("Step Functions 执行 order-flow/exec-1 在哪一步失败的")
    assert {stem("execution"), stem("history")} <= q.terms.keys()
    assert stem("events") in rw.rewrite("FailedScheduling warnings across the cluster").terms
    # where a run is stuck is its state; an order about what is stuck stays that order
    for request in ("what stage is pipeline deploy-prod stuck on", "流水线 x 卡在哪个 stage 了"):
        assert rw.rewrite(request).terms.get(stem("state"), 0) >= 0.8, request
    q = rw.rewrite("强制删除卡在 Terminating 的 pod")
    assert stem("state") not in q.terms and "delete" in q.intents
    # "tail the last 200 lines": the end of a log
    assert stem("logs") in rw.rewrite("tail the last 200 lines of pod api-0").terms
    # 结果 (results) and 次运行 (the last N runs)
    assert stem("results") in rw.rewrite("Logs Insights 查询 q-1 的结果").terms
    q = rw.rewrite("canary api-check 最近几次运行是不是都失败了")
    assert q.head == stem("runs") and stem("recent") not in q.named_kinds


def test_a_participle_ends_the_head_noun_phrase() -> None:
    """"pods running on node x" is about pods; an -ing word the specs join to the word before
    it ("API mapping") is part of the noun."""
    assert QueryRewriter().rewrite("all pods running on node ip-10-0-1-5").head == "pod"
    rw = QueryRewriter(word_pairs=frozenset({"api mapping"}))
    assert rw.rewrite("get the API mapping for a custom domain").head == stem("mapping")
    assert QueryRewriter().rewrite("get the API mapping for a custom domain").head == "api"


def test_an_english_container_before_a_chinese_locative_is_a_scope() -> None:
    """"hosted zone example.com 里的记录": the records are asked for, the zone is where; "log
    group 里" names no group called "group"."""
    q = QueryRewriter().rewrite("hosted zone example.com 里 api.example.com 的记录")
    assert q.terms["zone"] < 0.5 and q.terms["record"] == 1.0
    assert QueryRewriter().rewrite("它的 log group 里搜 ERROR").terms["group"] == 1.0


def test_words_of_an_objects_name_weigh_little_unless_a_brand_or_an_ids_kind() -> None:
    """"service payments-api": "api" names no API (it is also a noun of the specs); "prod-eks"
    still names EKS; "vpc-0f1e2d" opens with its kind; "L-1216C47A" is a code, no acronym."""
    aliases = {("aws", "eks"): {"eks": 1.0}, ("prometheus", "api"): {"api": 0.35}}
    rw = QueryRewriter(service_aliases=aliases, resources=frozenset({"api", "vpc"}),
                       word_pairs=frozenset({"a b"}))
    assert rw.rewrite("service payments-api endpoints").terms["api"] <= 0.25
    assert rw.rewrite("nodes of cluster prod-eks").terms["eks"] == 1.0
    assert rw.rewrite("private zones associated with vpc-0f1e2d").terms["vpc"] == 1.0
    assert rw.rewrite("value of quota L-1216C47A").terms["c47"] <= 0.25



def test_the_noun_after_an_aspect_and_of_is_the_head() -> None:
    """"the current value of the vCPU quota" is about the quota, "the status of a stack" the
    stack; an id in capitals and digits is no noun ("invalidation I3ABCDEF")."""
    rw = QueryRewriter()
    assert rw.rewrite("current value of the vCPU quota L-1216C47A").head == stem("quota")
    assert rw.rewrite("Check the status of a CloudFormation stack").head == stem("stack")
    assert rw.rewrite("has invalidation I3ABCDEF finished").head == stem("invalidation")


def test_an_id_in_capitals_names_an_object_of_the_kind_beside_it() -> None:
    """"distribution E2QWERTY": a distribution is named, and the id's pieces weigh little;
    EC2 or ROUTE53 are no ids."""
    q = QueryRewriter(word_pairs=frozenset({"a b"})).rewrite(
        "has invalidation I3ABCDEF on distribution E2QWERTY finished on EC2")
    assert {stem("distribution"), stem("invalidation")} <= q.named_kinds
    assert q.terms["e2"] <= 0.25 and q.terms["ec2"] == 1.0


def test_a_joined_word_right_after_a_kind_names_an_object() -> None:
    """"ingress api-gateway 用的 secret": a name, though the specs join "api gateway"; "node
    auto-repair settings" goes on, a concept."""
    rw = QueryRewriter(word_pairs=frozenset({"api gateway", "auto repair"}),
                       resources=frozenset({"ingress", "node"}))
    assert rw.rewrite("ingress api-gateway 用的哪个 TLS secret").terms["gateway"] <= 0.25
    assert rw.rewrite("node auto-repair settings").terms["repair"] == 1.0


def test_an_acronyms_plural_is_one_word() -> None:
    """"CRDs" is the plural of CRD (a short name, spelt out), not the words CR and Ds."""
    rw = QueryRewriter(load_vocabulary(make_plugin_manager()))
    q = rw.rewrite("which CRDs are installed")
    assert "ds" not in q.terms and q.words[1].startswith("customresourcedefinit")


def test_a_participle_before_a_kind_qualifies_it() -> None:
    """"state machine x failed executions" is about the executions; "the events recorded for
    it" and a name ending in -ed (db-cred) are no such qualifier; an aside is no noun."""
    rw = QueryRewriter(resources=frozenset({stem("execution"), stem("key"), "to"}))
    assert rw.rewrite("order-saga state machine failed executions").head == stem("execution")
    assert rw.rewrite("show the events recorded for it").head == stem("event")
    assert rw.rewrite("policies attached to group x").head == stem("policy")
    assert rw.rewrite("Health event (scheduled maintenance or outage) now").head == stem("event")


def test_an_ids_prefix_names_its_kind() -> None:
    """"i-0123abcd" is an EC2 instance (the AWS plugin's id_prefixes): the kind is named and
    EC2 hinted at; over a span of time its metrics are asked for, so no EC2 words."""
    rw = QueryRewriter(word_pairs=frozenset({"a b"}))
    q = rw.rewrite("i-0123abcd status checks failing?")
    assert stem("instance") in q.named_kinds and q.terms["ec2"] > 0.25
    assert q.services[("aws", "ec2")] < 1.0
    assert "ec2" not in rw.rewrite("cpu of i-0123abcd for the last 6 hours").terms


def test_a_namespace_named_in_words_is_a_scope() -> None:
    """"ml 命名空间一堆 pod", "in namespace shop": where to look (namespaced operations), not
    the namespace object itself (the Kubernetes plugin's scope patterns)."""
    rw = QueryRewriter()
    for request in ("ml 命名空间一堆 pod 卡在 Pending", "list pods in namespace shop"):
        q = rw.rewrite(request)
        assert q.terms["namespaced"] >= 0.8 and q.terms["namespac"] <= 0.45, request
    assert rw.rewrite("list pods in namespace shop").terms["shop"] <= 0.45


def test_quoted_text_is_what_to_find_not_the_ask() -> None:
    """"search log group x for 'Task timed out'": a search; the quoted words are the text,
    neither orders nor the head noun."""
    q = QueryRewriter().rewrite("search log group /aws/lambda/x for 'Task timed out'")
    assert "search" in q.intents and q.terms["task"] <= 0.25 and q.head != "out"
    # the object searched is where to search, not what is asked for
    assert q.terms["group"] <= 0.45 and q.terms["loggroup"] <= 0.45 and q.terms["lambda"] == 1.0
