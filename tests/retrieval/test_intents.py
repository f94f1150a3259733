"""The intents the rewriter reads from a request: orders, questions, audits and states. An
action a request names is an order only when it is given as one, not when it is asked about,
is part of a name, or describes a state."""

from __future__ import annotations

from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import WRITE_INTENTS, QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK, W_WEAK_WORD


def test_write_verbs_give_write_intents() -> None:
    q = QueryRewriter().rewrite("To delete a capacity provider")
    assert q.intents == {"delete"} and q.verbs["delet"] == 1.0
    assert "remov" in q.verbs


def test_audit_questions_are_not_actions() -> None:
    q = QueryRewriter().rewrite("who stopped instance i-123 yesterday")
    assert "audit" in q.intents and "stop" not in q.intents
    assert ("aws", "cloudtrail") in q.services


def test_why_questions_and_states_are_not_orders() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("why did my ECS task stop")
    assert "stop" not in q.intents and q.terms["stop"] < 0.5
    q = rw.rewrite("which EC2 instances are stopped")
    assert "stop" not in q.intents and q.terms["stop"] < 0.5
    assert rw.rewrite("stop instance i-123").terms["stop"] == 1.0


def test_audit_questions_favour_the_trail_over_the_resource() -> None:
    q = QueryRewriter().rewrite("who modified security group sg-0abc yesterday")
    assert q.services[("aws", "cloudtrail")] > q.services[("aws", "ec2")]


def test_state_constants_and_passives_are_not_orders() -> None:
    rw = QueryRewriter()
    q = rw.rewrite("cfn stack prod-network stuck in UPDATE_ROLLBACK_FAILED - list the stack events")
    assert "update" not in q.intents and q.terms["rollback"] < 0.5
    assert q.head == "event" and ("aws", "cloudformation") in q.services
    assert "disable" not in rw.rewrite("KMS 密钥是不是被禁用了").intents
    assert "disable" in rw.rewrite("禁用 KMS 密钥 k1").intents
    assert rw.rewrite("I need the stoppedReason for task t1").terms["stop"] < 0.5


def test_a_request_worded_as_a_question_reads() -> None:
    rw = QueryRewriter()
    rotated = rw.rewrite("when was the secret prod/db-password last rotated").intents
    assert rotated & {"read", "diagnose"} and not rotated & WRITE_INTENTS
    assert rw.rewrite("does key alias/app-key have automatic rotation enabled").intents == {"read"}
    assert rw.rewrite("Athena 查询 3f2a-77 还在运行吗").intents == {"read"}
    assert not rw.rewrite("which pods should I delete in namespace old").intents & WRITE_INTENTS
    # a polite order is still an order
    assert "stop" in rw.rewrite("can you stop instance i-123").intents
    assert "stop" in rw.rewrite("stop instance i-123").intents


def test_chinese_change_to_is_an_update() -> None:
    assert "update" in QueryRewriter().rewrite("把 deployment web 的镜像改成 v2").intents


def test_when_did_asks_what_happened() -> None:
    # "when did X change": the change is what to look up, not an order to change X
    q = QueryRewriter().rewrite("when did alarm api-5xx-high change state over the past week")
    assert not q.intents & {"update"} and q.terms["chang"] < 0.5
    # "did X ..." and "有没有发生过": whether something happened, not an order to do it
    q = QueryRewriter().rewrite("did the replication group fail over or replace a node today")
    assert "diagnose" in q.intents and not q.intents & {"update"} and q.terms["replac"] < 0.5
    assert "diagnose" in QueryRewriter().rewrite("实例 db-1 昨晚有没有发生过主备切换").intents


def test_asking_whether_an_action_is_allowed_is_not_the_action() -> None:
    """"有没有权限删除 deployment", "am I allowed to delete the bucket": the request asks for
    a permission check; the delete is what to check, so no write intent and a weak word."""
    rw = QueryRewriter()
    for request in ("我在 namespace prod 里有没有权限删除 deployment",
                    "am I allowed to delete objects in bucket prod-backups"):
        q = rw.rewrite(request)
        assert "permission" in q.intents and not q.intents & WRITE_INTENTS, request
        assert {"access", "review", "simul"} <= set(q.terms)
        assert q.terms.get("delet", 0.0) < 0.5
    assert "delete" in rw.rewrite("delete objects in bucket prod-backups").intents


def test_whether_an_identity_can_act_is_a_permission_check() -> None:
    """"can serviceaccount x create deployments in ns prod": as "can I", a question about the
    identity's rights; its kind and the object are the check's terms, not the head asked
    about. "can you list the pods" is a polite order, and "who is allowed to invoke x" asks
    for x's policy, so it keeps its head."""
    rw = QueryRewriter()
    q = rw.rewrite("can serviceaccount build:ci-runner create deployments in namespace prod?")
    assert "permission" in q.intents and not q.intents & WRITE_INTENTS
    assert {"access", "review"} <= set(q.terms) and q.head is None and not q.named_kinds
    assert q.terms["serviceaccount"] < 1.0
    assert "permission" not in rw.rewrite("can you list the pods in namespace prod").intents
    assert rw.rewrite("who is allowed to invoke lambda function x").head is not None
    # in Chinese: "我...能不能 <act>" asks whether I may; "能不能帮我看下" is a polite ask
    q = rw.rewrite("我当前这个身份能不能 delete pods in kube-system？")
    assert "permission" in q.intents and not q.intents & WRITE_INTENTS
    assert "permission" not in rw.rewrite("能不能帮我看下 pod 状态").intents


def test_a_permission_check_is_not_asked_of_the_service_of_its_object() -> None:
    """"有没有 s3:PutObject 的权限": S3 is what the check is about; the answer is the
    identity service's, so a service the object names counts weakly, as for an audit."""
    rw = QueryRewriter()
    asked = rw.rewrite("am I allowed to delete objects in s3 bucket prod-backups").services
    assert asked.get(("aws", "s3"), 0.0) <= W_WEAK
    assert rw.rewrite("delete objects in s3 bucket prod-backups").services[("aws", "s3")] == 1.0


def test_an_action_word_that_starts_a_field_name_is_no_order() -> None:
    """"update strategy and maxUnavailable of daemonset x": updateStrategy is a field of the
    reply, so nothing is updated; "update the strategy" still is an order."""
    rw = QueryRewriter(field_names=frozenset({"updatestrategy", "starttime"}))
    q = rw.rewrite("daemonset node-exporter in monitoring: update strategy and maxUnavailable")
    assert not q.intents & WRITE_INTENTS and "updat" in q.terms
    assert "update" in rw.rewrite("update the strategy of daemonset node-exporter").intents
    assert "start" not in rw.rewrite("show the start time of job etl").intents
    assert "update" in QueryRewriter().rewrite("update strategy of daemonset x").intents
    hpa = QueryRewriter(field_names=frozenset({"scaledown"}))
    assert "scale" not in hpa.rewrite("scale-down stabilization window of HPA checkout").intents


def test_a_chinese_action_word_before_a_field_noun_is_no_order() -> None:
    """滚动更新策略 is the rolling update policy (a reply's updatePolicy), 扩缩容活动记录 the
    scaling activities (DescribeScalingActivities): nouns, as the index's names show; 更新镜像
    stays an order, and so does everything without the index."""
    rw = QueryRewriter(field_names=frozenset({"updatepolicy"}),
                       word_pairs=frozenset({"scaling activity"}))
    assert not rw.rewrite("看一下 deployment cart 的滚动更新策略").intents & WRITE_INTENTS
    assert not rw.rewrite("Auto Scaling 组 web-asg 最近的扩缩容活动记录").intents & WRITE_INTENTS
    assert "update" in rw.rewrite("更新 deployment web 的镜像").intents
    assert "update" in QueryRewriter().rewrite("看一下 deployment cart 的滚动更新策略").intents


def test_a_negated_chinese_action_is_a_state() -> None:
    """没有关联到任何实例: addresses that are not associated, nothing to associate."""
    q = QueryRewriter().rewrite("哪些弹性 IP 没有关联到任何实例")
    assert "list" in q.intents and not q.intents & WRITE_INTENTS
    assert "attach" in QueryRewriter().rewrite("把弹性 IP 关联到实例 i-123").intents


def test_an_action_word_inside_a_name_orders_nothing(shared_retriever) -> None:
    """"lambda image-resize" is a function's name: its "resize" is no order to update."""
    rw = shared_retriever.searcher.rewriter_for(shared_retriever.current())
    assert not rw.rewrite("reserved concurrency configured on lambda image-resize").intents & {
        "update"}
    assert "update" in rw.rewrite("resize the volume vol-0abc12 to 200 GiB").intents


def test_a_chinese_question_word_asks_rather_than_orders() -> None:
    """"多少天后过期删除" asks after how many days objects expire; "删除 ... pod" orders."""
    rw = QueryRewriter()
    assert "delete" not in rw.rewrite("S3 桶 app-logs 的 lifecycle 规则，多少天后过期删除").intents
    assert "delete" in rw.rewrite("删除 namespace test 里所有 Evicted 的 pod").intents
    # a failure word before 的 says which ones: the order stands ("delete the stuck pods")
    assert "delete" in rw.rewrite("强制删除卡住的 pod").intents
    assert "delete" not in rw.rewrite("删除 pod 一直卡住").intents
    # worded the other way round: "failing to create", "unable to attach", "can't start"
    for request in ("pods failing to create in ns team-a, show the events",
                    "volume vol-1 unable to attach, which node holds it",
                    "can't start a shell session on i-0abc1234, is the agent online"):
        assert not rw.rewrite(request).intents & WRITE_INTENTS, request
    # "挂载不上" (will not attach), "起不来" (will not start): a symptom
    assert "attach" not in rw.rewrite("EBS volume vol-0a1 挂载不上，看一下它的状态").intents


def test_who_holds_a_state_is_no_audit() -> None:
    """"who is subscribed to topic x" asks for the subscriptions, not the trail's events;
    "who deleted x" asks the trail."""
    rw = QueryRewriter()
    assert "audit" not in rw.rewrite("who is subscribed to the alerts sns topic").intents
    assert "audit" not in rw.rewrite("who's holding the leader lease in kube-system").intents
    assert "audit" not in rw.rewrite("who currently holds the scheduler leader lease").intents
    assert "audit" in rw.rewrite("who deleted security group sg-0abc yesterday").intents
    # nor do the trail's words or its service come from that "who"
    q = rw.rewrite("who is subscribed to the alerts sns topic")
    assert q.terms.get(stem("audit"), 0) <= W_WEAK_WORD
    assert not any(service == "cloudtrail" for _, service in q.services)


def test_a_noun_phrase_keeps_its_words_in_a_why_question() -> None:
    """"为什么 ... 扩缩容活动": the scaling activities are what to read; a why-question weakens
    the actions it names, not the words of a noun that shares their stems (activ-ate)."""
    q = QueryRewriter().rewrite("asg-api 最近的扩缩容活动，为什么有实例被 terminate 了")
    assert q.terms[stem("activities")] > W_WEAK_WORD and q.terms[stem("terminate")] == W_WEAK_WORD


def test_an_action_that_fails_is_a_symptom_not_an_order() -> None:
    """"kubectl apply fails with ..." reports a failure; the question after it ("which
    webhooks are registered") is what to answer. An order stays one, even about something
    that keeps failing."""
    rw = QueryRewriter()
    q = rw.rewrite("kubectl apply fails with 'admission webhook denied the request', "
                   "which validating webhooks are registered")
    assert not q.intents & WRITE_INTENTS and q.head == stem("webhooks")
    assert "delete" not in rw.rewrite("delete namespace stuck in Terminating, show it").intents
    assert "create" not in rw.rewrite("创建 pod 失败，报 admission webhook 拒绝").intents
    assert "scale" not in rw.rewrite("Auto Scaling 组 web-asg 扩容失败：查看伸缩活动").intents
    assert "stop" in rw.rewrite("stop instance i-1 that keeps failing").intents
    assert "delete" in rw.rewrite("删除 namespace test 里所有 Evicted 的 pod").intents
    # a failure word before 的 says which ones: the order stands ("delete the stuck pods")
    assert "delete" in rw.rewrite("强制删除卡住的 pod").intents
    assert "delete" not in rw.rewrite("删除 pod 一直卡住").intents


def test_a_question_after_a_colon_is_about_the_topic_before_it() -> None:
    """"RDS orders-db: what engine version is it on" asks about the instance, so the head is
    not "version"; after a comma the question's noun is the head."""
    rw = QueryRewriter()
    assert rw.rewrite("RDS orders-db: what engine version is it on").head != stem("version")
    assert rw.rewrite("pods can't reach redis, what network policies are in that namespace"
                      ).head == "networkpolici"
    # but a count of things is about them: "how many open shards" after a colon too
    assert rw.rewrite("kinesis clickstream: how many open shards").head == "shard"


def test_an_action_word_ending_a_fields_name_is_that_field() -> None:
    """"the image tag" is imageTag, no order to tag; "tag the image" is one."""
    rw = QueryRewriter(field_names=frozenset({"imagetag", "healthcheck"}))
    assert "tag" not in rw.rewrite("dump deployment checkout, I need the image tag").intents
    assert "tag" in rw.rewrite("tag the image web:1.2 with prod").intents
    assert "read" in rw.rewrite("show the health check of target group tg-1").intents


def test_a_chinese_action_done_is_a_past_event() -> None:
    """"task 3f2a9c 停掉了，看下原因": it was stopped; "把 task 停掉" orders it."""
    rw = QueryRewriter()
    assert "stop" not in rw.rewrite("task 3f2a9c 停掉了，看下 stoppedReason").intents
    assert "stop" in rw.rewrite("把 task abc 停掉").intents


def test_who_holds_a_role_in_chinese_is_no_audit() -> None:
    """"leader 是谁" asks who holds the role now; "是谁删的" asks who did it (the trail)."""
    rw = QueryRewriter()
    q = rw.rewrite("kube-controller-manager 现在的 leader 是谁")
    assert "audit" not in q.intents and q.terms.get("trail", 0.0) <= 0.25
    assert "audit" in rw.rewrite("security group sg-0abc 是谁删的").intents
    assert "audit" not in rw.rewrite("账号 210987654321 是谁的？查一下它的 email").intents  # whose


def test_was_there_after_a_clause_is_a_question() -> None:
    """"recent events for db x - was there a failover or reboot" asks whether one happened:
    it reads, and reboot is no order."""
    q = QueryRewriter().rewrite("recent events for db instance orders-prod - was there a reboot")
    assert "reboot" not in q.intents and "read" in q.intents


def test_when_an_action_was_last_done_is_a_state() -> None:
    """"last rotated", "上次轮换": when the secret was rotated is asked, no rotation ordered
    (the operation verbs say rotate is a write)."""
    rw = QueryRewriter(operation_verbs={stem("rotate"): 0.0, stem("describe"): 1.0})
    for request in ("secret prod/db-1 last rotated when", "secret prod/db-1 上次轮换时间"):
        assert rw.rewrite(request).terms[stem("rotate")] == W_WEAK_WORD
    assert rw.rewrite("rotate secret prod/db-1 now").terms[stem("rotate")] == 1.0


def test_an_action_word_naming_a_record_of_it_is_no_order() -> None:
    """"configuration change timeline", "restart count": the record is asked about, as 扩缩容记录
    is in Chinese; the same word giving an order still does."""
    rw = QueryRewriter()
    for request in ("configuration change timeline for instance web-1 over the last week",
                    "show the restart count of pod api-0", "deployment web update history"):
        assert not rw.rewrite(request).intents & WRITE_INTENTS, request
    assert "update" in rw.rewrite("update the history retention of table orders").intents
    # an English action word in a Chinese clause: "那次 update" (that update), "update 详情",
    # "update 失败了" are the record or a symptom, as the Chinese word would be
    for request in ("EKS 集群那次 update 的错误信息", "看下 update 详情", "集群 update 失败了"):
        assert not rw.rewrite(request).intents & WRITE_INTENTS, request
    assert "update" in rw.rewrite("update 一下集群 prod 的版本").intents


def test_who_changed_an_object_beside_its_history_reads_the_object(shared_retriever) -> None:
    """"who changed parameter x and what were the previous versions", "参数 x 的修改历史，谁改过":
    the object's own history answers both, the trail comes second; "who changed x" alone asks
    the trail."""
    rw = shared_retriever.searcher.rewriter_for(shared_retriever.current())
    for request in ("who last changed SSM parameter /prod/db_url and what were the previous "
                    "versions?", "帮我看下 SSM 参数 /prod/app/db_pool_size 的修改历史，谁上周改过"):
        q = rw.rewrite(request)
        assert "audit" not in q.intents and q.terms[stem("history")] > 0.4, request
        assert q.services[("aws", "ssm")] > q.services[("aws", "cloudtrail")] > 0, request
        assert stem("metric") not in q.terms, request  # a history, no metric's series
    assert "audit" in rw.rewrite("who changed SSM parameter /prod/db_url yesterday").intents


def test_an_action_word_after_a_determiner_is_a_noun() -> None:
    """"missing the owner tag", "its last update": the word names a thing, no order; the same
    word giving an order still does."""
    rw = QueryRewriter()
    q = rw.rewrite("find resources tagged env=prod that are missing the owner tag")
    assert not q.intents & WRITE_INTENTS
    assert not rw.rewrite("show its last update for cluster prod").intents & WRITE_INTENTS
    assert "tag" in rw.rewrite("tag instance i-0abc1234 with owner=web").intents

