"""The consultation permission matrix, written out as the specification (issue 3, point 14).

Rows are roles, columns the consultation's state; each table says, for one permission, who holds it when.
``Y`` = allowed, ``.`` = refused. The object of each permission:

- ``view_consultation``, ``contribute``, ``manage_consultation``: the consultation;
- ``view_contribution``: a contribution by someone else (another representative of the member), once not
  objected and once with the author's objection to publication;
- ``change_contribution``: the member representative's own contribution (others are not its author);
- ``dispose_contribution``: any contribution of the consultation (the disposition service itself accepts
  them only once the consultation is closed and before the outcome is published).

The rules are evaluated with ``rules.has_perm``: Django's ``User.has_perm`` answers True for every
permission of an active superuser, so pages ask the rule itself where a platform admin must not pass
(contributing, changing someone else's contribution) — see the last test.
"""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from officine.consultations.models import Audience, ConsultationState, ProcedureKind

from .contribution_world import build_world, fresh

pytestmark = pytest.mark.django_db

STATES = ["draft", "open", "closed", "outcome_published"]
ROLES = ["visitor", "member_rep", "non_member_rep", "staff_this", "staff_other", "admin"]

# fmt: off
#                        draft open closed outcome
MATRIX: dict[str, dict[str, str]] = {
    "view_consultation": {
        "visitor":        ".YYY",
        "member_rep":     ".YYY",
        "non_member_rep": ".YYY",
        "staff_this":     "YYYY",
        "staff_other":    ".YYY",
        "admin":          "YYYY",
    },
    "contribute": {
        "visitor":        "....",
        "member_rep":     ".Y..",
        "non_member_rep": "....",
        "staff_this":     "....",
        "staff_other":    "....",
        "admin":          "....",
    },
    "view_contribution (other's, published)": {
        "visitor":        "..YY",
        "member_rep":     "..YY",
        "non_member_rep": "..YY",
        "staff_this":     "YYYY",
        "staff_other":    "..YY",
        "admin":          "YYYY",
    },
    "view_contribution (other's, objected)": {
        "visitor":        "....",
        "member_rep":     "....",
        "non_member_rep": "....",
        "staff_this":     "YYYY",
        "staff_other":    "....",
        "admin":          "YYYY",
    },
    "change_contribution (member's own)": {
        "visitor":        "....",
        "member_rep":     ".Y..",
        "non_member_rep": "....",
        "staff_this":     "....",
        "staff_other":    "....",
        "admin":          "....",
    },
    "manage_consultation": {
        "visitor":        "....",
        "member_rep":     "....",
        "non_member_rep": "....",
        "staff_this":     "YYYY",
        "staff_other":    "....",
        "admin":          "YYYY",
    },
    "dispose_contribution": {
        "visitor":        "....",
        "member_rep":     "....",
        "non_member_rep": "....",
        "staff_this":     "YYYY",
        "staff_other":    "....",
        "admin":          "YYYY",
    },
}

# Public consultations also take individuals with a verified e-mail; co-design only third-sector bodies.
#                          draft open closed outcome
EXTRA_CONTRIBUTE_ROWS: dict[tuple[str, str], str] = {
    ("public", "citizen_verified"):     ".Y..",
    ("public", "citizen_unverified"):   "....",
    ("public", "non_member_rep"):       ".Y..",  # for the body they represent, members or not
    ("public", "visitor"):              "....",
    ("co_design", "third_sector_rep"):  ".Y..",
    ("co_design", "member_rep"):        "....",  # a member, but not a third-sector body (no RUNTS number)
    ("co_design", "citizen_verified"):  "....",
}
# fmt: on


@pytest.fixture
def world(db):
    return build_world()


def user_for(world, role: str):
    return {
        "visitor": AnonymousUser(),
        "member_rep": world.rep_member,
        "non_member_rep": world.rep_non_member,
        "staff_this": world.staff,
        "staff_other": world.staff_other,
        "admin": world.admin,
        "citizen_verified": world.citizen,
        "citizen_unverified": world.unverified,
        "third_sector_rep": world.rep_third_sector,
    }[role]


def _objects(world, consultation, column: str):
    if column == "view_contribution (other's, published)":
        return "consultations.view_contribution", world.contribution(consultation)
    if column == "view_contribution (other's, objected)":
        return "consultations.view_contribution", world.contribution(
            consultation, objects_to_publication=True
        )
    if column == "change_contribution (member's own)":
        return "consultations.change_contribution", world.contribution(consultation, author=world.rep_member)
    if column == "dispose_contribution":
        return "consultations.dispose_contribution", world.contribution(consultation)
    return f"consultations.{column}", consultation


CASES = [(column, role) for column in MATRIX for role in ROLES]


@pytest.mark.parametrize("column, role", CASES, ids=[f"{c}-{r}" for c, r in CASES])
def test_matrix(world, column, role):
    expected = MATRIX[column][role]
    actual = ""
    for state in STATES:
        consultation = world.consultation(state)
        permission, obj = _objects(world, consultation, column)
        user = user_for(world, role)
        user = fresh(user) if user.is_authenticated else user
        actual += "Y" if rules.has_perm(permission, user, obj) else "."
    assert actual == expected, f"{column} for {role}: expected {expected}, got {actual} ({'/'.join(STATES)})"


@pytest.mark.parametrize(
    "kind, role", list(EXTRA_CONTRIBUTE_ROWS), ids=[f"{k}-{r}" for k, r in EXTRA_CONTRIBUTE_ROWS]
)
def test_public_and_co_design_contribute_rows(world, kind, role):
    expected = EXTRA_CONTRIBUTE_ROWS[(kind, role)]
    fields = (
        {"audience": Audience.PUBLIC}
        if kind == "public"
        else {"audience": Audience.PARTNERS, "kind": ProcedureKind.CO_DESIGN}
    )
    actual = ""
    for state in STATES:
        consultation = world.consultation(state, **fields)
        user = user_for(world, role)
        user = fresh(user) if user.is_authenticated else user
        actual += "Y" if rules.has_perm("consultations.contribute", user, consultation) else "."
    assert actual == expected, f"contribute ({kind}) for {role}: expected {expected}, got {actual}"


def test_scheduled_is_announced_but_closed_to_contributions(world):
    consultation = world.consultation(ConsultationState.SCHEDULED)
    assert AnonymousUser().has_perm("consultations.view_consultation", consultation)
    assert not fresh(world.rep_member).has_perm("consultations.contribute", consultation)


def test_withdrawn_contribution_is_seen_only_by_its_author_and_staff(world):
    from django.utils import timezone

    consultation = world.consultation(ConsultationState.CLOSED)
    withdrawn = world.contribution(consultation, state="withdrawn", withdrawn_at=timezone.now())
    assert not AnonymousUser().has_perm("consultations.view_contribution", withdrawn)
    assert not fresh(world.rep_member).has_perm("consultations.view_contribution", withdrawn)
    assert fresh(world.rep_member_colleague).has_perm("consultations.view_contribution", withdrawn)
    assert fresh(world.staff).has_perm("consultations.view_contribution", withdrawn)
    assert not fresh(world.rep_member_colleague).has_perm("consultations.change_contribution", withdrawn)


def test_django_gives_superusers_every_permission_so_pages_ask_the_rule(world):
    consultation = world.consultation()
    admin = fresh(world.admin)
    assert admin.has_perm("consultations.contribute", consultation)  # Django's superuser shortcut
    assert not rules.has_perm("consultations.contribute", admin, consultation)
