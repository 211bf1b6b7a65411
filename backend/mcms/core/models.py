"""Imports every domain's models so ``Base.metadata`` is complete.

Only Alembic and the test harness use this; it is the one place core knows the
domains, and only by name.
"""

from __future__ import annotations

import importlib

from mcms.core.db import Base

DOMAIN_MODEL_MODULES = (
    "mcms.users.models",
    "mcms.items.models",
    "mcms.routings.models",
    "mcms.history.models",
    "mcms.live.models",
    "mcms.addin_jobs.models",
    "mcms.worker.models",
    "mcms.files.models",
)


def load_all_models() -> type[Base]:
    for module in DOMAIN_MODEL_MODULES:
        importlib.import_module(module)
    return Base
