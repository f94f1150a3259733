"""Guest-side ``volcenginesdkcore`` and ``volcenginesdk<service>`` shims.

The host never imports the modules below this package: their source is handed to the sandbox.
One module per installed ``volcenginesdk-<service>`` package is written here from the package's
own files (its API class names, and the few field names that are not plain CamelCase), so
``volcenginesdkecs.ECSApi().describe_instances(volcenginesdkecs.DescribeInstancesRequest(
instance_ids=[...]))`` works in the sandbox as it does on a laptop, each call a bridged read.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from mcp_sre import hookimpl

__all__ = ["load_shims", "sandbox_shims", "service_module"]

_HERE = Path(__file__).parent
_TEMPLATE = '''"""volcenginesdk{service} for the mcp-sre sandbox (generated from the installed package)."""

from volcenginesdkcore.bridge import make_api, make_model

NAMES = {names!r}
{apis}
__all__ = {exported!r}


def __getattr__(name):  # request and response models, e.g. DescribeInstancesRequest
    if name[:1].isupper():
        model = make_model(name)
        globals()[name] = model
        return model
    raise AttributeError(name)
'''


_ATTRIBUTE_MAP = re.compile(r"^    attribute_map = \{(.*?)^    \}", re.M | re.S)
_PAIR = re.compile(r"'(\w+)': '([^']+)'")


def _camel(snake: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in snake.split("_"))


def service_module(service: str, folder: Path) -> str:
    """The guest module of one package: its API classes, and the field names whose wire name
    is not the plain CamelCase of the snake-case one (read from the models' attribute maps)."""
    apis = []
    for api_file in sorted((folder / "api").glob("*_api.py")):
        text = api_file.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith("class ") and "Api(" in line:
                apis.append(line[6:line.index("(")])
    names: dict[str, str] = {}
    for path in sorted((folder / "models").glob("*.py")):
        found = _ATTRIBUTE_MAP.search(path.read_text(encoding="utf-8", errors="replace"))
        for snake, wire in _PAIR.findall(found.group(1)) if found else ():
            if _camel(snake) != wire:
                names[snake] = wire
    lines = "".join(f'{api} = make_api("{api}", "{service}", NAMES)\n' for api in apis)
    return _TEMPLATE.format(service=service, names=dict(sorted(names.items())), apis=lines,
                            exported=sorted(apis))


@functools.lru_cache(maxsize=1)
def load_shims() -> dict[str, str]:
    """``{"volcenginesdkcore": source, ..., "volcenginesdkecs": source, ...}``."""
    from mcp_sre_volcenginesdk.installed import PREFIX, installed_services, package_dir

    modules: dict[str, str] = {}
    for path in sorted(_HERE.glob("*/**/*.py")):
        parts = list(path.relative_to(_HERE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path.read_text(encoding="utf-8")
    for service in installed_services():
        folder = package_dir(service)
        if folder is not None:
            source = service_module(service, folder)
            modules[PREFIX + service] = source
            modules[PREFIX + service + ".models"] = source
            modules[PREFIX + service + ".api"] = source
    return modules


@hookimpl
def sandbox_shims() -> dict[str, str]:
    return dict(load_shims())
