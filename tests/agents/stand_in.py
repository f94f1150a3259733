"""Scripted pieces shared by the agent tests: the code a stand-in model "writes" (once with a
made-up parameter name, once corrected), its test, the reply format around them, and the
stand-in model behind MCP sampling."""

from __future__ import annotations

from typing import Any

from mcp.types import CreateMessageResult, TextContent

__all__ = ["AWS_SOURCE", "FLEET_CPU", "RIGHT_CODE", "TEST", "WRONG_CODE", "ScriptedStandInLLM",
           "ScriptedStandInModel", "reply"]

# EC2 and CloudWatch only: the real botocore models, parsed by the real plugin (a second).
AWS_SOURCE = {"name": "aws", "provider": "aws", "url": "botocore:ec2,cloudwatch",
              "format": "botocore"}
FLEET_CPU = {"hot-a": 91.0, "hot-b": 85.5, "cold-a": 12.0, "edge": 80.0}

LISTING = '''\
import sre
from datetime import datetime, timedelta, timezone


def main(threshold: float = 80.0, minutes: int = 60) -> list:
    """Running EC2 instances whose average CPU over the last minutes is above threshold %."""
    end = datetime.now(timezone.utc)
    start = end - timedelta(minutes=minutes)
    hot = []
    pages = 0
    token = None
    while pages < 20:
        pages += 1
        page = sre.call("aws/ec2/DescribeInstances", {filters}
                        **({{"NextToken": token}} if token else {{}}))
        for reservation in page.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                stats = sre.call(
                    "aws/cloudwatch/GetMetricStatistics", Namespace="AWS/EC2",
                    MetricName="CPUUtilization",
                    Dimensions=[{{"Name": "InstanceId", "Value": instance["InstanceId"]}}],
                    StartTime=start.isoformat(), EndTime=end.isoformat(), Period=300,
                    Statistics=["Average"])
                points = [p["Average"] for p in stats.get("Datapoints", [])]
                if points and max(points) > threshold:
                    hot.append({{"instance_id": instance["InstanceId"],
                                "cpu": round(max(points), 2)}})
        token = page.get("NextToken")
        if not token:
            break
    return sorted(hot, key=lambda item: -item["cpu"])
'''
WRONG_CODE = LISTING.format(filters='InstanceStates=["running"],')  # not a parameter
RIGHT_CODE = LISTING.format(
    filters='Filters=[{"Name": "instance-state-name", "Values": ["running"]}],')
TEST = '''\
def test_only_instances_above_the_threshold():
    hot = main(threshold=80.0)
    print("hot:", hot)
    assert isinstance(hot, list)
    for item in hot:
        assert item["instance_id"].startswith("i-")
        assert item["cpu"] > 80.0
'''


def reply(code: str, test: str = TEST) -> str:
    return (f"Here you go.\nNAME: ec2_instances_high_cpu\nDESCRIPTION: Running EC2 instances "
            f"with average CPU above a threshold.\n```python code\n{code}```\n"
            f"```python test\n{test}```\n")


class ScriptedStandInLLM:
    """Stands in for the client's LLM: plays scripted replies in order and records what it was
    asked. It answers security-review prompts with a fixed verdict."""

    def __init__(self, replies: list[str], verdict: str = "VERDICT: SAFE") -> None:
        self.replies = list(replies)
        self.verdict = verdict
        self.asked: list[Any] = []
        self.reviews: list[Any] = []

    async def __call__(self, context: Any, params: Any) -> CreateMessageResult:
        if "security reviewer" in (params.systemPrompt or ""):
            self.reviews.append(params)
            text = self.verdict
        else:
            self.asked.append(params)
            text = self.replies.pop(0)
        return CreateMessageResult(role="assistant", model="scripted-stand-in",
                                   content=TextContent(type="text", text=text))


class ScriptedStandInModel:
    """The same stand-in behind the LLM seam directly (``complete``), for loop tests without
    an MCP session. A reply that is an exception instance is raised instead."""

    def __init__(self, replies: list[Any], verdict: str = "VERDICT: SAFE") -> None:
        self.replies = list(replies)
        self.verdict = verdict
        self.prompts: list[list[Any]] = []

    async def complete(self, messages: list[Any], *, max_tokens: int = 2048,
                       temperature: float = 0.0) -> Any:
        from mcp_sre.llm import Completion

        if "security reviewer" in messages[0].content:
            return Completion(text=self.verdict, model="scripted-stand-in")
        self.prompts.append(list(messages))
        item = self.replies.pop(0)
        if isinstance(item, BaseException):
            raise item
        return Completion(text=item, model="scripted-stand-in", input_tokens=100,
                          output_tokens=50)
