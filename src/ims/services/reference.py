"""Reference data: the coded values declared in YAML, mirrored into the database.

The YAML is the source of truth; :meth:`ReferenceService.sync` writes it to the
``reference_values`` table (reports join labels there) and deactivates codes
that disappeared from the YAML, so old applications keep a label to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ims.config.models import label_for
from ims.errors import NotFound
from ims.services._actors import SYSTEM, ActorLike, resolve_actor
from ims.services._records import record_system
from ims.services.users import ensure_role
from ims.store.models import ReferenceValue

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class ReferenceItem:
    category: str
    code: str
    label: str
    labels: dict[str, str]
    order: int
    active: bool


class ReferenceService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def categories(self) -> list[str]:
        return sorted(self._rt.config.reference.categories)

    def values(
        self, category: str, *, language: str | None = None, include_inactive: bool = False
    ) -> list[ReferenceItem]:
        """The values of a category in display order, labelled in ``language``."""
        cat = self._rt.config.reference.categories.get(category)
        if cat is None:
            raise NotFound(f"unknown reference category '{category}' (known: {', '.join(self.categories())})")
        lang = language or self._rt.config.settings.language
        items = [
            ReferenceItem(
                category,
                v.code,
                label_for(dict(v.label), lang, v.code),
                dict(v.label),
                v.order,
                v.active,
            )
            for v in cat.values
            if include_inactive or v.active
        ]
        return sorted(items, key=lambda i: (i.order, i.code))

    def label(self, category: str, code: str, *, language: str | None = None) -> str:
        for item in self.values(category, language=language, include_inactive=True):
            if item.code == code:
                return item.label
        raise NotFound(f"'{code}' is not a value of reference category '{category}'")

    def sync(self, *, actor: ActorLike = SYSTEM, session: Session | None = None) -> dict[str, int]:
        """Mirror roles and reference values from the configuration; returns counts of changes."""
        rt = self._rt
        now = rt.now()
        added = updated = deactivated = 0
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            for name, role in rt.config.roles.roles.items():
                ensure_role(s, name, dict(role.label))
            existing = {(r.category, r.code): r for r in s.scalars(select(ReferenceValue))}
            seen = set()
            for cat_name, cat in rt.config.reference.categories.items():
                for value in cat.values:
                    key = (cat_name, value.code)
                    seen.add(key)
                    row = existing.get(key)
                    if row is None:
                        s.add(
                            ReferenceValue(
                                category=cat_name,
                                code=value.code,
                                label=dict(value.label),
                                sort_order=value.order,
                                active=value.active,
                            )
                        )
                        added += 1
                    elif (row.label, row.sort_order, row.active) != (
                        dict(value.label),
                        value.order,
                        value.active,
                    ):
                        row.label, row.sort_order, row.active = (
                            dict(value.label),
                            value.order,
                            value.active,
                        )
                        updated += 1
            for key, row in existing.items():
                if key not in seen and row.active:
                    row.active = False
                    deactivated += 1
            counts = {"added": added, "updated": updated, "deactivated": deactivated}
            if added or updated or deactivated:
                record_system(s, who, "reference-synced", counts, now)
            return counts
