"""Local targets for the demo and for tests: moto in server mode with seeded AWS data, and the
local Kubernetes endpoint with a scenario. Each is a context manager that yields the environment
variables pointing the *host* at it, and stops what it started on exit."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mcp_sre.errors import McpSreError

__all__ = ["REGION", "local_aws", "local_kubernetes", "seed_aws", "start_moto"]

REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def start_moto(log_dir: Path | None = None) -> Iterator[str]:
    """Run ``moto_server`` on a free 127.0.0.1 port; yield its endpoint URL."""
    port = _free_port()
    local = Path(sys.executable).parent / "moto_server"
    exe = str(local) if local.exists() else shutil.which("moto_server")
    if not exe:
        raise McpSreError("moto_server is not installed", hint="pip install 'mcp-sre[demo]'")
    log_path = (log_dir or Path(tempfile.mkdtemp(prefix="mcp-sre-moto-"))) / "moto.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise McpSreError(f"moto_server did not start: "
                                      f"{log_path.read_text()[-500:]}") from exc
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def aws_environment(endpoint: str, config_dir: Path) -> dict[str, str]:
    """Host-side AWS settings aimed at a local endpoint with dummy credentials."""
    empty = config_dir / "aws-none"
    empty.write_text("")
    return {
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }


def seed_aws(endpoint: str) -> dict[str, Any]:
    """A small shop on AWS: three instances (two running hot), volumes (one unattached),
    per-minute CPU metrics for the last hour, a log group with errors, a bucket; then what the
    starter tools find (see :func:`_seed_findings`)."""
    import boto3

    kw: dict[str, Any] = {"region_name": REGION, "endpoint_url": endpoint,
                          "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    ec2 = boto3.client("ec2", **kw)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    names = ["shop-web-1", "shop-web-2", "shop-batch-1"]
    cpu = {"shop-web-1": 92.0, "shop-web-2": 85.0, "shop-batch-1": 12.0}
    instances = {}
    for name in names:
        inst = ec2.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
            TagSpecifications=[{"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": name}, {"Key": "team", "Value": "shop"}]}],
        )["Instances"][0]
        instances[name] = inst["InstanceId"]
    attached = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=16)["VolumeId"]
    ec2.attach_volume(VolumeId=attached, InstanceId=instances["shop-web-1"], Device="/dev/sdf")
    unattached = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=100)["VolumeId"]

    cloudwatch = boto3.client("cloudwatch", **kw)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for name, instance_id in instances.items():
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[{
            "MetricName": "CPUUtilization", "Unit": "Percent", "Timestamp": now - timedelta(
                minutes=m), "Value": cpu[name] + (m % 3),
            "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]} for m in range(0, 60, 5)])

    logs = boto3.client("logs", **kw)
    logs.create_log_group(logGroupName="/shop/checkout")
    logs.create_log_stream(logGroupName="/shop/checkout", logStreamName="web-1")
    stamp = int(now.timestamp() * 1000)
    logs.put_log_events(logGroupName="/shop/checkout", logStreamName="web-1", logEvents=[
        {"timestamp": stamp - 60_000 * i,
         "message": ("ERROR payment gateway timeout" if i % 3 == 0 else "INFO order placed")}
        for i in range(30, 0, -1)])
    boto3.client("s3", **kw).create_bucket(Bucket="shop-artifacts")
    findings = _seed_findings(kw, image, instances, now)
    return {"instances": instances, "hot": [instances["shop-web-1"], instances["shop-web-2"]],
            "volumes": {"attached": attached, "unattached": unattached},
            "log_group": "/shop/checkout", "bucket": "shop-artifacts", **findings}


def _seed_findings(kw: dict[str, Any], image: str, instances: dict[str, str],
                   now: datetime) -> dict[str, Any]:
    """What the starter tools look for, next to healthy resources: a stopped instance that is
    still a load balancer target, SSH open to the world, an alarm firing, slow and failing
    traces, users without MFA, a bucket without encryption beside one with it, a log group
    kept forever beside one with a retention."""
    import json
    import secrets

    import boto3

    ec2 = boto3.client("ec2", **kw)
    stopped = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [
            {"Key": "Name", "Value": "shop-web-3"}, {"Key": "team", "Value": "shop"}]}],
    )["Instances"][0]["InstanceId"]
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]][:2]
    open_sg = ec2.create_security_group(GroupName="shop-legacy-ssh", VpcId=vpc["VpcId"],
                                        Description="legacy bastion access")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anywhere"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])

    elb = boto3.client("elbv2", **kw)
    lb = elb.create_load_balancer(Name="shop-web", Subnets=subnets)["LoadBalancers"][0]
    group = elb.create_target_group(Name="shop-web", Protocol="HTTP", Port=80,
                                    VpcId=vpc["VpcId"], HealthCheckPath="/health")
    group_arn = group["TargetGroups"][0]["TargetGroupArn"]
    web = [instances["shop-web-1"], instances["shop-web-2"], stopped]
    elb.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": i, "Port": 80} for i in web])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}])
    ec2.stop_instances(InstanceIds=[stopped])  # its target turns unused/unhealthy

    cloudwatch = boto3.client("cloudwatch", **kw)
    for name, threshold in (("shop-web-1-cpu-high", 80.0), ("shop-batch-1-cpu-high", 90.0)):
        instance = instances[name.removesuffix("-cpu-high")]
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization",
            Dimensions=[{"Name": "InstanceId", "Value": instance}], Statistic="Average",
            Period=300, EvaluationPeriods=1, Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            AlarmDescription=f"CPU of {name.removesuffix('-cpu-high')} above {threshold:.0f}%")
    cloudwatch.set_alarm_state(AlarmName="shop-web-1-cpu-high", StateValue="ALARM",
                               StateReason="Threshold Crossed: 1 datapoint [92.0] was greater "
                               "than the threshold (80.0).")

    start = now.timestamp() - 600
    segments = []
    for i, (service, seconds, error) in enumerate([
            ("checkout", 0.2, False), ("checkout", 0.4, False), ("checkout", 1.8, False),
            ("checkout", 3.6, True), ("payments", 5.2, True), ("frontend", 0.1, False)]):
        segments.append(json.dumps({
            "trace_id": f"1-{int(start) + i:08x}-{secrets.token_hex(12)}",
            "id": secrets.token_hex(8), "name": service, "start_time": start + i,
            "end_time": start + i + seconds, "error": error, "fault": error,
            "http": {"request": {"method": "POST", "url": f"https://shop.example.com/api/"
                                 f"{service}"}, "response": {"status": 502 if error else 200}}}))
    boto3.client("xray", **kw).put_trace_segments(TraceSegmentDocuments=segments)

    iam = boto3.client("iam", **kw)
    for user in ("deploy-bot", "alice", "bob"):
        iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "shop"}])
    for user in ("alice", "bob"):  # console users; the password is random and thrown away
        iam.create_login_profile(UserName=user, Password=secrets.token_urlsafe(24) + "!Aa1")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="bob", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")

    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket="shop-logs")
    s3.put_bucket_encryption(Bucket="shop-logs", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_public_access_block(Bucket="shop-logs", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})

    logs = boto3.client("logs", **kw)
    logs.create_log_group(logGroupName="/shop/payments")
    logs.put_retention_policy(logGroupName="/shop/payments", retentionInDays=14)
    return {"stopped": stopped, "open_security_group": open_sg, "target_group": group_arn,
            "alarm": "shop-web-1-cpu-high", "users_without_mfa": ["alice", "deploy-bot"],
            "encrypted_bucket": "shop-logs"}


@contextlib.contextmanager
def local_aws(workdir: Path) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """moto with the demo data; yields (environment for the host, what was seeded)."""
    with start_moto(workdir) as endpoint:
        yield aws_environment(endpoint, workdir), seed_aws(endpoint)


@contextlib.contextmanager
def local_kubernetes(workdir: Path, scenario: str = "crashloop"
                     ) -> Iterator[tuple[dict[str, str], Any]]:
    """The local Kubernetes endpoint; yields (environment with KUBECONFIG, the server)."""
    from mcp_sre_kubernetes.sim.server import SimServer

    server = SimServer(scenario, port=0)
    kubeconfig = server.write_kubeconfig(workdir / "kubeconfig")
    server.start()
    try:
        yield {"KUBECONFIG": str(kubeconfig)}, server
    finally:
        server.stop()


def merged_env(*parts: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AWS_PROFILE", None)
    for part in parts:
        env.update(part)
    return env
