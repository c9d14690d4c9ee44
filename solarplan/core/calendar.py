"""The typical-year calendar shared by weather years and load shapes."""
from __future__ import annotations

#: Year given to every typical-year index (CSWD files carry 2005 as a dummy year; non-leap, 8760 hours).
TYPICAL_YEAR = 2005
