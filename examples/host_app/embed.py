"""A host application embedding ims through its Python API.

Run from the repository root:  python examples/host_app/embed.py [DATABASE_URL]

It uses the reference deployment's configuration, creates its own users, takes
one application through intake, and shows how a host reacts to refusals and
conflicts — the two errors a user interface must handle.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ims import IMS, Conflict, TransitionRefused

ROOT = Path(__file__).resolve().parents[2]


def main(database_url: str) -> None:
    with IMS.from_config(ROOT / "config" / "ims.yaml", database_url=database_url) as ims:
        ims.users.create("clerk", display_name="Front-office clerk", roles=["front_office"])
        app = ims.applications.create(
            "bouwsubsidie", {"applicant": {"first_name": "Maria", "last_name": "Doe"}}, actor="clerk"
        )
        print(f"created {app.number} in {app.state}")

        # What may the clerk do, and why not?
        for option in ims.workflow.available_actions(app.number, actor="clerk"):
            print(f"  {option.action}: {'allowed' if option.allowed else 'blocked'}")
            for reason in option.reasons[:3]:
                print(f"    - {reason}")

        try:
            ims.workflow.transition(app.number, "submit", actor="clerk")
        except TransitionRefused as refused:
            print(f"submit refused with {len(refused.reasons)} reasons")

        # Optimistic concurrency: a form shows version N; saving with a stale N is refused.
        seen = ims.applications.get(app.number).version
        ims.applications.update_data(
            app.number,
            {"reason": "Roof replacement after storm damage."},
            actor="clerk",
            expected_version=seen,
        )
        try:
            ims.applications.update_data(
                app.number, {"requested_amount": 10000}, actor="clerk", expected_version=seen
            )
        except Conflict as conflict:
            print(f"stale edit refused: {conflict}")

        print(f"audit intact: {not ims.audit.verify().broken}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(f"sqlite:///{tmp}/host.db")
