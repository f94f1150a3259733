"""botocore for the mcp-sre sandbox: exceptions, Config and client classes of the boto3 shim."""

__version__ = "0.0.0+mcp-sre-sandbox"


def xform_name(name, sep="_"):
    """``DescribeDBInstances`` -> ``describe_db_instances`` (close to botocore's rule)."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (
                i + 1 < len(name) and name[i + 1].islower())) and name[i - 1] != sep:
            out.append(sep)
        out.append(ch.lower())
    return "".join(out)
