"""Demo users and a small, realistic shop data set (``mcms serve --demo``).

Loading twice changes nothing: if the demo users exist, the data is left alone.
The passwords are public, which is why production settings refuse demo mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mcms.approvals import service as approvals
from mcms.core.auth import Principal, Role
from mcms.core.db import Database
from mcms.items import service as items
from mcms.routings import service as routings
from mcms.routings.service import StepData
from mcms.users import service as users
from mcms.users.models import User


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    password: str


DEMO_USERS = (
    DemoUser("engineer", "Erin Engineer", Role.ENGINEER, "engineer-demo"),
    DemoUser("engineer2", "Ethan Engineer", Role.ENGINEER, "engineer2-demo"),
    DemoUser("approver", "Alex Approver", Role.APPROVER, "approver-demo"),
    DemoUser("admin", "Ada Admin", Role.ADMIN, "admin-demo-pw"),
    DemoUser("auditor", "Aubrey Auditor", Role.AUDITOR, "auditor-demo"),
)

MILLING = (
    StepData(
        name="Saw cut blank",
        work_center="SAW-01",
        machine="Kasto",
        setup_minutes=5,
        cycle_minutes=2.5,
        tooling_notes="Bi-metal blade",
    ),
    StepData(
        name="Rough mill",
        work_center="MILL-5AX",
        machine="DMG Mori DMU 50",
        setup_minutes=45,
        cycle_minutes=18,
        tooling_notes="T12 Ø16 roughing end mill",
        parameters={"stockAllowance": "0.3", "coolant": "flood"},
    ),
    StepData(
        name="Finish mill",
        work_center="MILL-5AX",
        machine="DMG Mori DMU 50",
        setup_minutes=10,
        cycle_minutes=12,
        tooling_notes="T4 Ø8 ball nose",
        parameters={"stepover": "0.15"},
    ),
    StepData(name="Deburr", work_center="BENCH", setup_minutes=0, cycle_minutes=4),
    StepData(
        name="CMM inspection",
        work_center="QA-CMM",
        machine="Zeiss Contura",
        setup_minutes=15,
        cycle_minutes=9,
    ),
)

TURNING = (
    StepData(
        name="Turn OD and face",
        work_center="LATHE-2",
        machine="Okuma LB3000",
        setup_minutes=30,
        cycle_minutes=6.5,
        parameters={"chuck": "3-jaw"},
    ),
    StepData(
        name="Drill and tap M8",
        work_center="LATHE-2",
        machine="Okuma LB3000",
        setup_minutes=5,
        cycle_minutes=2,
    ),
    StepData(name="Inspect", work_center="QA", cycle_minutes=3),
)


async def load_demo(db: Database) -> None:
    async with db.read_session() as session:
        exists = await session.scalar(select(User.id).where(User.username == "engineer"))
    if exists is None:
        await _create(db)
    _print_sign_in()


async def _create(db: Database) -> None:
    async with db.unit_of_work() as session:
        people: dict[str, Principal] = {}
        for demo in DEMO_USERS:
            user = await users.create_user(
                session=session,
                username=demo.username,
                role=demo.role,
                password=demo.password,
                display_name=demo.display_name,
            )
            people[demo.username] = users.principal_of(user)
        engineer, engineer2, approver = people["engineer"], people["engineer2"], people["approver"]

        bracket = await items.create_item(
            session=session,
            actor=engineer,
            item_code="BRK-1001",
            name="Motor bracket",
            description="6061-T6 aluminium bracket for the spindle motor",
        )
        rev_a = await items.create_revision(
            session=session, actor=engineer, item_id=bracket.id, code="A"
        )
        rev_b = await items.create_revision(
            session=session,
            actor=engineer,
            item_id=bracket.id,
            code="B",
            description="Thicker base after field returns",
        )
        shaft = await items.create_item(
            session=session,
            actor=engineer2,
            item_code="SHF-2040",
            name="Drive shaft",
            description="42CrMo4 shaft, induction hardened",
        )
        shaft_a = await items.create_revision(
            session=session, actor=engineer2, item_id=shaft.id, code="A"
        )

        approved = await routings.create_routing(
            session=session,
            actor=engineer,
            revision_id=rev_a.id,
            code="OP-MILL",
            title="5-axis milling",
            steps=MILLING,
        )
        await approvals.submit_routing(session=session, actor=engineer, routing_id=approved)
        await approvals.approve_routing(
            session=session,
            actor=approver,
            routing_id=approved,
            comment="Checked against drawing rev A",
        )
        pending = await routings.create_routing(
            session=session,
            actor=engineer,
            revision_id=rev_b.id,
            code="OP-MILL",
            title="5-axis milling, thicker base",
            steps=MILLING,
        )
        await approvals.submit_routing(session=session, actor=engineer, routing_id=pending)
        rejected = await routings.create_routing(
            session=session,
            actor=engineer2,
            revision_id=shaft_a.id,
            code="OP-TURN",
            title="Turning",
            steps=TURNING,
        )
        await approvals.submit_routing(session=session, actor=engineer2, routing_id=rejected)
        await approvals.reject_routing(
            session=session,
            actor=approver,
            routing_id=rejected,
            reason="Tap drill missing for M8 thread",
            comment="Add the tap drill step",
        )
        await routings.create_routing(
            session=session,
            actor=engineer2,
            revision_id=shaft_a.id,
            code="OP-GRIND",
            title="Cylindrical grinding",
            steps=(StepData(name="Grind bearing seats", work_center="GRIND-1", cycle_minutes=11),),
        )


def _print_sign_in() -> None:
    print("Demo data is loaded. Sign in with one of these (username / password):")
    for demo in DEMO_USERS:
        print(f"  {demo.role.value:<9} {demo.username:<10} / {demo.password}")
