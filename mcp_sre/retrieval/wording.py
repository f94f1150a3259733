"""How a request's wording shows what it asks, as patterns the rewriter reads: questions and
orders, a span of time, the container a request is scoped to, names that are no nouns.
English and Chinese; kept apart from the rewriter so each reads top to bottom."""

from __future__ import annotations

import re

# An acronym's plural ("CRDs", "PVCs", "AMIs"): one word, not two camel-case ones (CR, Ds)
ACRONYM_PLURAL = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}s(?![A-Za-z0-9])")
# A contraction's tail ("what's", "I'm", "pod's"): no word of its own ("isn't" -> "is not").
CONTRACTION = re.compile(r"(?<=[A-Za-z])(?:['\u2019](s|m|re|ve|ll|d)|(n['\u2019]t))\b",
                         re.IGNORECASE)
# The two whose stem is no word once "n't" is cut off ("can't" -> ca, "won't" -> wo)
IRREGULAR_NEGATION = re.compile(r"\b(?:(ca)|wo)n['\u2019]t\b", re.IGNORECASE)
# An order that opens with a verb no intent lists but operations start with ("Invoke a
# function", "Assume a role"): what follows the opener is that verb.
ORDER_OPENER = re.compile(r"^(?:please\s+|to\s+|how (?:do i|to)\s+|help me\s+)?([a-z]+)\s+"
                           r"(?:a|an|the|my|our|one|all|some|this|that|these|those|every)\b")
# A state constant (UPDATE_ROLLBACK_FAILED, CREATE_IN_PROGRESS) names a status, not an order.
STATE_CONSTANT = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9])")
# a dash between spaces ends a clause like a comma: "stuck - list the stack events"
DASH = re.compile(r"\s[-\u2013\u2014]+\s|\u2014")
# a host or a path names a thing; its parts are no nouns (api.example.com, /aws/lambda/x)
DOTTED_NAME = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+|(?<![a-z0-9])/[a-z0-9_./-]+")
# Words joined by dashes, slashes or underscores: a name ("orders-db", "prod/db-password") or a
# concept ("scale-down", "point-in-time"); the index's word pairs tell which (QueryRewriter).
# Not the pieces of an ARN (arn:aws:acm:...:certificate/9f1c): their resource type is a noun
JOINED_WORDS = re.compile(r"(?<![A-Za-z0-9./_:-])[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)+(?![A-Za-z0-9/_-])")
# An id written in capitals and digits ("distribution E2QWERTY", "invalidation I3ABCDEF"): a
# digit before a letter, so no word or version (EC2, S3, ROUTE53); CODE_WORD: one token, any case
_CODE = r"(?=[A-Z0-9]*\d[A-Z])[A-Z0-9]{6,}"
CODE_ID = re.compile(rf"(?<![\w-]){_CODE}(?![\w-])")
CODE_WORD = re.compile(_CODE, re.IGNORECASE)
# An id in lower case of six characters or more with digits, letters, digits, letters in turn
# ("a1b2c3", "3f2a9c"), not a version (v1beta1) nor a word with a number (ec2, http2, p99)
LOWER_ID = re.compile(r"(?<![\w./:-])(?!v\d+(?:alpha|beta)\d*\b)(?=[a-z0-9]{6,}(?![\w-]))"
                      r"[a-z]*\d+[a-z]+\d+[a-z]+[a-z\d]*(?![\w-])")
# An id that opens with the kind it names: "vpc-0f1e2d", "subnet-1a2b3c", "sg-0123abcd"
ID_KIND = re.compile(r"([a-z]+)(?:-(?=[a-z]*\d)[a-z0-9]{4,})+")
# What may follow an object's name: the end, punctuation, Chinese, or a word that is no noun
NAME_END = re.compile(r"\s*(?:$|[,;:.!?)\uff0c\uff1b\u3002\uff1f]|[\u4e00-\u9fff]|(?:is|are|was|were|"
                      r"has|have|in|on|of|for|with|and|or|to|from|at|not|does|do|did)\b)")
# Any words joined by - . / _ or : in a lower-case request ("kube-system", "metrics.k8s.io"):
# a name, so a provider word inside it does not name the provider
JOINED_NAME = re.compile(r"[a-z0-9]+(?:[-./_:][a-z0-9]+)+")
# A name written with underscores and capitals ("HTTPCode_Target_5XX_Count"): an identifier
MIXED_IDENTIFIER = re.compile(r"(?<![\w-])(?=\w*[a-z])(?=\w*[A-Z])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![\w-])")
# A field's identifier written as code writes it ("stoppedReason", "maxUnavailable",
# "ClusterIP"): when a reply has that field, the request asks for what returns it
FIELD_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_])(?:[a-z]{2,}|[A-Z][a-z0-9]+)(?:[A-Z][a-z0-9]*)+(?![A-Za-z0-9_])")
# The container a request is scoped to, named with its name: "pods in namespace billing",
# "jobs in job queue compute-q", "命名空间 shop 中的 Service". Its noun names a parameter of the
# operation wanted, not that operation's resource (readNamespace, GetJobQueue), so its words
# weigh as a synonym does (W_SCOPE). Only when a name follows the noun and ends the clause.
_SCOPE_END = (r"(?=\s*$|\s*[,;.!?)]|\s+(?:and|or|with|for|to|in|on|at|that|which|where|when|is|"
              r"are|was|were|has|have|had|right|now|just|still|keeps?|returns?|fails?|failed|"
              r"failing|crash(?:ed|es|ing)?|hangs?|hung|stuck|gets?|got|can|cannot|not|does|"
              r"do|did|will|won|seems?|went|started|stopped)\b)")  # a verb ends the name
SCOPE_EN = re.compile(
    r"\b(?:in|within|inside|under|across)\s+(?:(?:the|a|our|my|your|this|that)\s+)?"
    r"(?:((?:[a-z][a-z0-9]*\s+){1,2}?)(?![a-z]{2,}ed\b)([a-z0-9][\w./:-]*)"  # "in namespace billing",
    # not "in time recovery enabled on"
    r"|(?=[a-z0-9][\w:-]*[\d./-])[a-z0-9][\w./:-]*\s+((?:[a-z][a-z0-9]*\s*){1,2}))"  # "in the example.com hosted zone"
    + _SCOPE_END)
# "命名空间 shop 中", "hosted zone example.com 里": a Chinese noun, or one or two English words
# (then a name with a digit or a joiner: "log group 里" is no group named "group")
SCOPE_CJK = re.compile(r"([\u4e00-\u9fff]{2,8})\s*[a-z0-9][\w./:-]*\s*(?:中|里|内|下)"
                       r"|(?<![\w./:-])((?:[a-z][a-z0-9]*\s+)?[a-z][a-z0-9]*)\s+"
                       r"(?=[a-z0-9]*[\d./:_-])[a-z0-9][\w./:-]*\s*(?:中|里|内|下)")
# What stands right before a service named as where to look: "(AWS Config)", "via CloudTrail"
LOOK_IN = re.compile(r"(?:\(\s*|\b(?:via|using|through|from)\s+)(?:the\s+)?(?:[a-z]+\s+)?$")
# "to 8 replicas", "到 5 个副本": a target count is an order to scale
TARGET_COUNT = re.compile(r"\bto \d+ (?:replicas|instances|tasks|nodes|pods)\b|到\s*\d+\s*个(?:副本|实例|节点|任务)")
# A span of time the request asks about: data over it, not the current state.
# A span written as one token ("1h", "30m", "15min", "2hrs"): never a noun or a name
SPAN_TOKEN = re.compile(r"\d+(?:[smhdw]|ms|am|pm|min|mins|hrs?|xx)")
# "can serviceaccount x create deployments", "could role y read the bucket": whether an
# identity may act, as "can i" asks ("can you ..." is a polite order, not this)
SUBJECT_CAN = re.compile(r"\s*(?:can|could|may)\s+(?:the\s+|this\s+|that\s+|our\s+)?"
                         r"((?:user|role|service\s?account|sa|group|principal|identity|"
                         r"iam\s+(?:user|role))s?)\b", re.IGNORECASE)
# ... and "我当前这个身份能不能 delete pods": whether I may ("能不能帮我看下" is a polite ask)
CJK_SUBJECT_CAN = re.compile(r"(?:我|我们)[^，,。？?\s]{0,8}?(?:能不能|可不可以|能否)(?!帮|给|替|请)")
# A past moment, not a span ("yesterday", "昨晚"), and words asking for the present: with both,
# a request dates an event and asks for the state now
POINT_IN_TIME = re.compile(r"yesterday|last night|since|昨天|昨晚", re.IGNORECASE)
PRESENT = re.compile(r"\b(?:now|currently|current|at the moment)\b|现在|当前|目前", re.IGNORECASE)
TIME_WINDOW = re.compile(
    r"\b(?:last|past|previous|recent)\s+(?:\d+\s*)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|"
    r"months?)\b|\b(?:last|past|previous)\s+\d+\s*[mhdw]\b|"  # "last 2h"
    r"\b(?:history|trend|over time|since|yesterday|last night|time series)\b|"
    r"(?:过去|最近|近)\s*\d*\s*(?:一|两|几|半)?\s*(?:个)?(?:分钟|小时|天|周|星期|个月)|"
    r"(?:过去|最近|近)\s*\d+\s*[mhdw](?![a-z])|历史|趋势|曲线|变化|昨天|昨晚",
    re.IGNORECASE)
# How many, how often, how fast, how busy: asked over a span of time, the answer is a metric
# series ("CPU utilization of i-1 for the last 6 hours", "错误率", "p99 latency")
COUNT_OVER_TIME = re.compile(
    r"\b(?:how many|how much|number of|count of|rate of|per (?:second|minute|hour|day)|"
    r"utili[sz]ation|iops|latency|throughput|error rate|throttles|throttled|throttling|"
    r"p(?:50|90|95|99)|"
    r"count|[2345]xx|qps|rps|tps|cpu)\b|"
    r"多少|次数|数量|速率|每秒|每分钟|每小时|使用率|利用率|延迟|吞吐|错误率|连接数|监控数据|限流")
# Text in quotes is what to find or what was printed ('Task timed out', "ERROR"), not the ask
QUOTED = re.compile(r"\"[^\"]{1,120}\"|(?<![A-Za-z])'[^']{1,120}'(?![A-Za-z])|\u201c[^\u201d]{1,120}\u201d"
                    r"|\u300c[^\u300d]{1,120}\u300d")
# one quoted word, which may name an object ("the 'live' alias"): its text, no quotes
QUOTED_WORD = re.compile(r"(?<![A-Za-z])['\"\u201c\u300c]([A-Za-z0-9][\w.:/-]{0,62})['\"\u201d\u300d]"
                         r"(?![A-Za-z])")
# "how many (open) shards", "number of messages": a count of the noun, which a field may hold
HOW_MANY = re.compile(r"(?:\b(?:how many|number of|count of)|(?<!哪)(?:多少|几)[个条台块张只]?)\s*"
                      r"([a-z]{3,})(?:\s+([a-z]{3,}))?\b"  # "有几个 open shard" too,
                      r"|(?<!哪)(?:多少|几)[个条台块张只]?([\u4e00-\u9fff]{2,4})")  # "多少条消息"
ASIDE = re.compile(r"[(\uff08][^()\uff08\uff09]*[)\uff09]")
# Examples given after the ask ("账户上限，比如每个 region 多少个 target group", "limits, e.g.
# rules per listener"): what the ask covers, not the noun it is about
EXAMPLES = re.compile(r"[,，;；]?\s*(?:比如|例如|譬如|\be\.g\.|\bfor example\b|\bsuch as\b)"
                      r"[^，。；;.?？!！]*")


def without_examples(text: str, fill: str = ",") -> str:
    """``text`` with its examples (EXAMPLES) replaced by ``fill``, unless they are all it asks."""
    return EXAMPLES.sub(fill, text) if EXAMPLES.sub("", text).strip(" ,") else text

FLAG_NAME = re.compile(r"(?<!\S)--?[A-Za-z][A-Za-z-]*")
# A state word before a kind with no name ("pending csr", "unhealthy targets", "default
# storageclass"): whichever of them are so, a list to pick from
STATE_BEFORE = re.compile(
    r"\b(?:pending|failed|failing|running|stuck|unhealthy|evicted|terminated|stopped|crashing|"
    r"orphaned|unbound|unattached|expired|expiring|idle|unused|degraded|unready|"
    r"not[- ]ready|default)\s+([a-z][a-z0-9]*)\b(?!\s*[a-z0-9]*[-_.:/\d])")
# Chinese passive, perfect or negated markers: "是不是被禁用了", "没有关联到任何实例" ask for a
# state, they order nothing
# ("上次轮换", "最后一次重启": when it was last done, a state too)
CJK_STATE_MARKERS = ("被", "已经", "已", "没有", "没", "未", "上次", "上一次", "最后一次", "最近一次")
# "this/that" with a measure word, pointing at a named object ("prod-db 这把 key", "i-0abc 这台机器")
CJK_POINTERS = tuple(f"{d}{m}" for d in "这那" for m in "个把台条块张只")
# An action that fails is a symptom to look into, not an order: "kubectl apply fails with ...",
# "scaling keeps timing out", "创建 pod 失败", "删不掉"
FAILED_ACTION = re.compile(
    r"\b([a-z]+)\s+(?:(?!that\b|which\b|who\b|and\b|then\b|to\b)[\w.-]+\s+){0,2}?"
    r"(?:(?:keeps|kept|is|was|are|were)\s+(?:fail|error|hang|tim)(?:ing)?(?:\s+out)?\b"
    r"|fails\b|failed\b|errors out\b|errored\b|hangs\b|hung\b|stuck\b|tim(?:es|ed) out\b"
    r"|(?:is|was|gets?|got) denied\b|(?:does|did|do|will|would|can)\s*not\s+work\b)")
# ... and worded the other way round: "pods failing to create", "unable to attach", "can not
# start a session"
FAILED_TO = re.compile(r"\b(?:fail(?:s|ed|ing)?\s+to|unable\s+to|can\s*not|could\s+not|"
                       r"will\s+not)\s+(?:be\s+)?([a-z]+)")
CJK_FAILED = ("失败", "不了", "不掉", "报错", "超时", "卡住", "不成功", "出错", "不上", "不来", "不进")
# A request worded as a question ("when was the secret last rotated", "does the key have
# rotation enabled", "...还在运行吗") asks about a state: it reads, and the action it names is what
# to look up, not what to run. "can/could/would you ..." are polite orders, so not here.
QUESTION_OPENER = re.compile(r"^(?:when|does|do|did|has|have|had|was|were|is|are|what|which|"
                              r"who|whose|how|where)\b")
# ... or worded as one after a clause that tells the symptom ("apply fails with X, which
# webhooks are registered"; "pods evicted, why?")
CLAUSE_QUESTION = re.compile(r"[,;:!?\uff0c\uff1b]\s*(?:which|what|why|how many|is there|are there"
                             r"|was there|were there|any|does|do|did|when)\b")
# "who is subscribed", "who's holding the lease", "who has access": who holds a state now, not
# who did something (the audit trail)
WHO_HOLDS = re.compile(r"\bwho\s+(?:(?:currently|still|now|really)\s+)?"
                       r"(?:is|are|has|have|can|holds?|owns?|uses?|[a-z]+ing)\b")
# ... and in Chinese: "leader 是谁" (who it is), "账号 x 是谁的" (whose), "谁在用", "谁有权限";
# not "是谁删的" (an act)
CJK_WHO_HOLDS = re.compile(r"是谁的?(?=\s*(?:[，。,.;；!?？！]|$))|谁(?:在用|在使用|有|持有|拥有|能|订阅|绑定|关注)")
CJK_QUESTION_END = re.compile(r"(?:吗|呢|么)[\s?？。!！]*$")
# A Chinese question word anywhere ("多少天后过期删除" asks how many days, "哪些 pod 被删除"
# which pods): the request asks about a state, as an English one opening with "what" does
CJK_QUESTION_WORD = re.compile(r"多少|哪些|哪个|哪台|什么|啥|是否|几个|几台|为什么|为啥|怎么")
# A Chinese yes-or-no question about a state: "开没开", "是不是", "有没有", "正不正常" (X not X)
CJK_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[没不]\1")
# Chinese words that make the noun they qualify plural: all, which ones, how many.
CJK_PLURAL = ("所有", "全部", "哪些", "多少个", "几个", "一共", "各个", "每个", "列出", "列一下",
              "最近的")  # "最近的事件": the recent ones
# "which one" or "are there", when no object is named: one picked from the list ("哪个 PDB 的
# allowed disruptions 是 0", "有没有失败的备份任务"), as English "which <kind>"
CJK_WHICH = ("哪个", "哪一个", "哪台", "哪条", "有没有")
# "备份任务有失败的吗": whether any of a kind is so, with no name: the list, whichever side
CJK_ANY = re.compile(r"有[^，,。？?！!]{0,12}的(?:吗|么|没有)")
# A Chinese clause that only names an object: "hosted zone 是 example.com", "namespace 为 prod"
CJK_NAMING_CLAUSE = re.compile(r"\s*(?:(?!是|不|没|否)[a-z0-9 \u4e00-\u9fff-]){1,20}?(?:是|为|叫)\s*"
                                r"[a-z0-9][\w.:/-]*\s*")
# ... nor one that tells what is seen ("..., 有个 pod 一直 CrashLoopBackOff": there is a pod ...)
CJK_SEEN_CLAUSE = re.compile(r"\s*(?:有(?:一)?(?:个|些|台|条)|其中(?:有)?(?:一)?个)")

# A history of an object's values asked beside who changed it ("who changed parameter x and
# what were the previous versions", "修改历史，谁上周改过"): the object keeps its own history
OWN_HISTORY = re.compile(r"\b(?:(?:change|version|value|revision)\s+history|previous\s+(?:versions?|"
                         r"values?)|(?:old|older|prior|past)\s+(?:versions|values))\b"
                         r"|(?:修改|变更|历史)(?:历史|记录|版本)|改之前的值|之前的(?:版本|值)")
# "last rotated", "last modified": when an action was last done, a state asked about
LAST_DONE = re.compile(r"\blast\s+([a-z]+ed)\b")
# Nouns an action word qualifies in Chinese ("扩缩容记录", "重启次数"): a record of the action
CJK_RECORD_NOUNS = "(?:记录|历史|活动|事件|日志|时间|次数|原因|状态|详情)"
# ... and in English, right after it ("change history", "restart count", "scaling activities")
RECORD_NOUNS = ("(?:history|histories|timeline|log|logs|events?|records?|activit(?:y|ies)|count"
                "|reason|trail)")
# What a request says not to fetch ("do not show me the value", "不要显示密码"): its words name
# nothing wanted. Not "without a public ip" or "do not have limits": those filter what is asked
NEGATED = re.compile(r"\b(?:do not|never)\s+(?:show|print|return|reveal|display|include|fetch|"
                     r"need|want)\s+(?:me\s+)?(?:the\s+|its\s+|any\s+|their\s+)?"
                     r"([a-z][a-z ]{0,40}?)(?=\s*(?:[,.;!?]|$))"
                     r"|(?:不要|别|不用|无需)(?:显示|打印|返回|给我看)(?:它的|其)?([\u4e00-\u9fff]{1,6})",
                     re.IGNORECASE)
# An ARN: its service and resource type are nouns of the request ("...:listener/app/x/1a2b"),
# the rest (partition, region, account, id) names one object
ARN = re.compile(r"\barn:[a-z0-9-]+:([a-z0-9-]+):[a-z0-9-]*:[0-9]*:"
                 r"(?:([a-z0-9-]+)[/:][^\s,;，。?]*|[^\s,;，。?]+)", re.IGNORECASE)  # type/id, or a name
# An action named by its service ("s3:PutObject", "ec2:Describe*"): what a permission is
# about, not an operation to run
QUALIFIED_ACTION = re.compile(r"(?<![\w:/-])[a-z][a-z0-9-]*:(?:[A-Z][A-Za-z]*\*?|\*)(?![\w:/-])")
# "msg count", "object count": a count of the noun before "count", which a field may hold
COUNT_NOUN = re.compile(r"\b([a-z]{3,})\s+count\b")
# Two words joined by a hyphen, standing alone ("add-on"; not part of a longer name, "web-app-1")
HYPHENATED = re.compile(r"(?<![\w./:-])([A-Za-z]{2,})-([A-Za-z]{2,})(?![\w./:-])")
# A determiner before a word, maybe with one word between ("the owner tag", "its last
# update"): what follows is a noun
DETERMINED = re.compile(r"\b(?:the|a|an|this|that|these|those|its|their|our|my|your|no|any|"
                        r"each|every)\s+(?:[a-z0-9_-]+\s+)?$")
