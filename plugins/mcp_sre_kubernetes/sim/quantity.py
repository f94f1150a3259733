"""Kubernetes resource quantities (``250m``, ``1.5Gi``, ``2``): parsed to numbers and printed back
the way the API server canonicalises them, for derived quota usage, metrics and HPA status."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["QuantityError", "format_cpu", "format_memory", "parse_quantity"]

_SUFFIX = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def parse_quantity(value: str | int | float) -> Decimal:
    """``"250m"`` -> 0.25, ``"1Gi"`` -> 1073741824."""
    if isinstance(value, int | float):
        return Decimal(str(value))
    m = _QUANTITY.match(str(value).strip())
    if not m:
        raise QuantityError(f"quantities must match the regular expression "
                            f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {value!r}")
    try:
        return Decimal(m.group(1)) * _SUFFIX[m.group(2)]
    except InvalidOperation as exc:
        raise QuantityError(f"not a quantity: {value!r}") from exc


def format_cpu(cores: Decimal) -> str:
    """CPU as the server prints it: whole cores as ``2``, otherwise millicores (``250m``)."""
    milli = (cores * 1000).to_integral_value(rounding="ROUND_CEILING")
    return str(int(milli // 1000)) if milli % 1000 == 0 else f"{int(milli)}m"


def format_memory(size: Decimal) -> str:
    """Bytes in the largest binary unit that divides them exactly (``256Mi``), else ``Ki``."""
    n = int(size.to_integral_value(rounding="ROUND_CEILING"))
    if n == 0:
        return "0"
    for unit in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        step = int(_SUFFIX[unit])
        if n % step == 0:
            return f"{n // step}{unit}"
    return str(n)
