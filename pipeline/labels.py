"""Entity labels, relation predicates and document statuses: the project's vocabulary, defined once.

Every other module imports these names; none defines its own copy.
"""

PERSON, COUNTRY, ORG, WEAPON_SYSTEM, LOCATION = "PERSON", "COUNTRY", "ORG", "WEAPON_SYSTEM", "LOCATION"
ENTITY_LABELS = (PERSON, COUNTRY, ORG, WEAPON_SYSTEM, LOCATION)

PREDICATES = (
    "considers_procuring",
    "procures",
    "manufactures",
    "holds_role",
    "visits",
    "meets",
    "cooperates_with",
    "deploys_to",
    "fights",
)
# Predicates whose arguments are unordered: (a, p, b) == (b, p, a).
SYMMETRIC_PREDICATES = frozenset({"meets", "cooperates_with", "fights"})

# Allowed argument labels per predicate (subject labels, object labels), from the gold README.
ARGUMENT_LABELS = {
    "considers_procuring": ({COUNTRY, ORG}, {WEAPON_SYSTEM}),
    "procures": ({COUNTRY, ORG}, {WEAPON_SYSTEM}),
    "manufactures": ({ORG, COUNTRY}, {WEAPON_SYSTEM}),
    "holds_role": ({PERSON}, {ORG, COUNTRY}),
    "visits": ({PERSON, COUNTRY, ORG}, {COUNTRY, LOCATION}),
    "meets": ({PERSON, COUNTRY}, {PERSON, COUNTRY}),
    "cooperates_with": ({COUNTRY, ORG}, {COUNTRY, ORG}),
    "deploys_to": ({COUNTRY, ORG}, {COUNTRY, LOCATION}),
    "fights": ({COUNTRY, ORG}, {COUNTRY, ORG}),
}

STATUS_OK, STATUS_DUPLICATE, STATUS_EMPTY, STATUS_REJECTED = "ok", "duplicate", "empty", "rejected"
DOCUMENT_STATUSES = (STATUS_OK, STATUS_DUPLICATE, STATUS_EMPTY, STATUS_REJECTED)

# Nouns that name a class of weapon, not a system ("drones", "jets"): trimmed from the end of a WEAPON_SYSTEM span,
# and read as standing for the one system a sentence names ("the Turkish-made aircraft").
WEAPON_CLASS_NOUNS = frozenset(
    "drone drones uav uavs ucav ucavs tank tanks fighter fighters jet jets missile missiles helicopter helicopters "
    "howitzer howitzers submarine submarines frigate frigates destroyer destroyers corvette corvettes rocket rockets "
    "launcher launchers bomber bombers interceptor interceptors aircraft warplane warplanes system systems "
    "munition munitions weapon weapons fighter-jet fighter-jets".split()
)

# Stages of a procurement (relations.status of procures/considers_procuring), from the earliest to the furthest; a
# "cancelled" status (or a negated statement) is no stage: it ends a deal (see facts.py).
PROCUREMENT_STAGES = ("considering", "negotiating", "ordered", "delivered", "operates")
PROCUREMENT_PREDICATES = ("considers_procuring", "procures")
CANCELLED = "cancelled"
