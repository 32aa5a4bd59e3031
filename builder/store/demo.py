"""The demo a new workspace offers: a team, a few thousand contacts, one running automation.

Deterministic (a fixed seed), so screenshots and tests see the same workspace.
"""

from __future__ import annotations

import random
from datetime import timedelta

from builder.store.workspace import Workspace

FIRST = (
    "Maya Liam Sofia Noah Ava Lucas Mia Elias Zoe Leon Ines Jonas Clara Felix Hana Nora Theo Lea Ravi Amara "
    "Tomas Yuki Sara Diego Kofi Elena Marco Aisha Pavel Julia Hugo Freya Kenji Lina Mateo Nadia Oskar Emma "
    "Jakob Chloe Arjun Mila Samir Ingrid Tariq Greta Rafael Ana Daniel Leila"
).split()
LAST = (
    "Becker Novak Rossi Silva Jensen Kowalski Moreau Haddad Tanaka Okafor Lindqvist Duarte Weber Costa Ivanova "
    "Nakamura Fischer Laurent Petrov Mendes Schmidt Horvat Berg Eriksen Romano Kaya Dubois Nielsen Almeida Varga"
).split()
COMPANIES = (
    "Ledgerly", "Brightpath", "Quantico Pay", "Northwind Cloud", "Tallyhive", "Finch Analytics", "Orbital HR",
    "Paystack Labs", "Cobalt CRM", "Meridian Data", "Helio Billing", "Kite Security", "Fernwood AI", "Lumen Logistics",
    "Parcelpoint", "Aster Health", "Copperline", "Driftwood Games", "Granite Ops", "Harbor Insights",
)  # fmt: skip
ROLES = {
    "founder": ("Founder & CEO", "Co-founder", "Founder"),
    "cto": ("CTO", "VP Engineering", "Chief Technology Officer", "Head of Platform"),
    "marketing": ("VP Marketing", "Head of Growth", "CMO"),
}
TEAM = (
    ("Anna Berg", "linkedin", 40),
    ("Omar Haddad", "linkedin", 35),
    ("Lena Vogt", "email", 80),
    ("Mark Ruiz", "linkedin", 30),
    ("Priya Shah", "linkedin", 40),
)


# The demo's messages (SPEC §11), by step title: what a marketer would write, with variables and fallbacks.
MESSAGES: dict[str, dict[str, str]] = {
    "Connect": {
        "text": "Hi {{first_name|there}}, I help teams like {{company|yours}} with their outbound and would be glad "
        "to connect. "
        "{{sender_first_name}}"
    },
    "Thanks message": {
        "text": "Thanks for connecting, {{first_name|there}}! If outreach at {{company|your team}} is on your "
        "list this quarter, I'd be happy to share what works for teams like yours.\n\n{{sender_first_name}}"
    },
    "Follow-up email": {
        "subject": "Following up, {{first_name|there}}",
        "text": "Hi {{first_name|there}},\n\nA short follow-up on my LinkedIn message: would a 15-minute call "
        "next week be useful for {{company|your team}}?\n\nBest,\n{{sender_name}}",
    },
    "Email A: short intro": {
        "subject": "Outbound at {{company|your company}}",
        "text": "Hi {{first_name|there}},\n\nWe help founders book more meetings without more tools. "
        "Worth a quick chat?\n\n{{sender_name}}",
    },
    "Email B: case study": {
        "subject": "How a team like {{company|yours}} doubled its replies",
        "text": "Hi {{first_name|there}},\n\nA founder much like you doubled their reply rate in six weeks; "
        "I wrote up how in one page. Shall I send it over?\n\n{{sender_name}}",
    },
    "Tech intro email": {
        "subject": "A question for the CTO of {{company|your company}}",
        "text": "Hi {{first_name|there}},\n\nAs {{title|CTO}}, you may own the tools your sales team uses. "
        "We keep outreach inside your own workspace and mailboxes. Open to a short call?\n\n{{sender_name}}",
    },
}


def build_demo(ws: Workspace, contacts: int = 3000, seed: int = 7) -> int:
    """Fill an empty workspace with the demo; returns the demo automation's id."""
    rng = random.Random(seed)
    profiles = [ws.create_sender_profile(name, channel, limit) for name, channel, limit in TEAM]
    people = []
    for _ in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        role = rng.choices(list(ROLES), weights=(4, 4, 2))[0]
        domain = company.lower().replace(" ", "").replace("&", "")
        tags = [role, rng.choice(("saas", "saas", "fintech", "ai"))]
        if rng.random() < 0.1:
            tags.append("event-2026")
        people.append(
            {
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}@{domain}.test",
                "company": company,
                "title": rng.choice(ROLES[role]),
                "linkedin_url": f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{rng.randrange(10**5):05d}",
                "tags": tags,
            }
        )
    ids = ws.add_contacts(people)
    for contact in rng.sample(ids, len(ids) // 12):
        ws.record_interaction(contact, rng.choice(profiles), ws.today - timedelta(days=rng.randint(3, 120)))
    ws.set_override(rng.sample(ids, 12), profiles[2])

    founders = ws.create_segment("Founders", tags_any=["founder"])
    ctos = ws.create_segment("CTOs at SaaS companies", tags_all=["cto", "saas"])
    automation = ws.create_automation("Q3 founders and CTOs")
    column, row = 340.0, 150.0

    def start_branch(name: str, segment: int, y: float, team: list[int]) -> int:
        first = ws.add_node(automation, "segment", title=name, segment_id=segment, x=0, y=y)
        node = ws.add_node(automation, "sender_profile", title=f"{name}: team", x=column, y=y)
        ws.connect(first, node)
        for profile in team:
            ws.attach_sender_profile(node, profile)
        return node

    def steps(previous: int, at: tuple[int, float], line: list[tuple[str, str, int]], output: str | None = None) -> int:
        """A line of steps from ``previous`` (leaving it by ``output``), from column and row ``at``; the last one."""
        col, y = at
        for i, (kind, title, days) in enumerate(line):
            step = ws.add_node(
                automation, kind, title=title, wait_days=days, x=column * (col + i), y=y, settings=MESSAGES.get(title)
            )
            ws.connect(previous, step, output if i == 0 else None)
            previous = step
        return previous

    # Founders: connect, then wait up to 5 days for the invitation to be accepted. Those who accept get a
    # message and a follow-up email; those who do not get one of two first emails, half each (an A/B test).
    team = start_branch("Founders", founders, 0.0, profiles[:2] + profiles[3:4])
    connect = steps(team, (2, 0.0), [("linkedin_connect", "Connect", 0)])
    accepted = ws.add_node(
        automation, "wait_for", title="Accepted?", x=column * 3, y=0.0, settings={"outcome": "accepted", "days": 5}
    )
    ws.connect(connect, accepted)
    steps(
        accepted,
        (4, -row),
        [("linkedin_message", "Thanks message", 0), ("wait", "Wait 4 days", 4), ("email", "Follow-up email", 0)],
        "yes",
    )
    split = ws.add_node(
        automation, "split", title="Which first email?", x=column * 4, y=row,
        settings={"variants": [{"name": "A", "percent": 50}, {"name": "B", "percent": 50}]},
    )  # fmt: skip
    ws.connect(accepted, split, "no")
    steps(split, (5, row * 0.5), [("email", "Email A: short intro", 0)], "A")
    steps(split, (5, row * 1.5), [("email", "Email B: case study", 0)], "B")

    # SaaS CTOs: a plain line of steps.
    team = start_branch("SaaS CTOs", ctos, row * 2, [profiles[2], profiles[4]])
    steps(
        team,
        (2, row * 2),
        [("email", "Tech intro email", 0), ("wait", "Wait 3 days", 3), ("linkedin_connect", "Connect", 0)],
    )
    # What the forecast expects people to do (SPEC §10 rates): the simulation pane shows it from the first run.
    ws.set_rates(
        automation,
        {
            "accepted": {"rate": 0.3, "after_days": 2},
            "replied": {"rate": 0.08, "after_days": 1},
            "bounced": {"rate": 0.02, "after_days": 0},
        },
    )
    ws.start(automation)
    return automation
