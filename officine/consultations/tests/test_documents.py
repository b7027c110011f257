import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from officine.conftest import make_user
from officine.consultations import services
from officine.consultations.models import DocumentVersion, Section, SectionChange
from officine.consultations.tests.factories import make_other_programme
from officine.core.models import AuditEvent
from officine.programmes.models import ProgrammeStaff

SECTIONS = [
    {"level": 1, "heading": "Contesto", "body": "Il programma sostiene l'inclusione."},
    {"level": 1, "heading": "Obiettivi", "body": "Ridurre la povertà educativa."},
    {"level": 2, "heading": "Azioni", "body": "Servizi per l'infanzia."},
]


# staff, programme: ../conftest.py


@pytest.fixture
def document(staff, programme):
    return services.create_document(staff, programme, title_it="Bozza del programma", sections=SECTIONS)


def test_create_document_makes_a_draft_first_version(document):
    version = document.versions.get()
    assert version.number == 1 and not version.is_published
    assert [s.heading for s in version.sections.all()] == ["Contesto", "Obiettivi", "Azioni"]
    assert [s.number for s in version.sections.all()] == [1, 2, 3]
    assert all(s.change == SectionChange.ADDED for s in version.sections.all())
    assert version.sections.get(order=1).body_html == "<p>Il programma sostiene l'inclusione.</p>\n"
    assert AuditEvent.objects.filter(action="consultations.document.created").exists()


def test_sections_need_headings_and_valid_levels(staff, programme):
    with pytest.raises(ValidationError) as excinfo:
        services.create_document(
            staff,
            programme,
            title_it="X",
            sections=[{"heading": " ", "body": "a"}, {"heading": "B", "level": 5}],
        )
    messages = excinfo.value.message_dict["sections"]
    assert any("Section 1" in m for m in messages) and any("Section 2" in m for m in messages)
    with pytest.raises(ValidationError):
        services.create_document(staff, programme, title_it="X", sections=[])


def test_published_version_is_immutable(staff, document):
    version = document.versions.get()
    services.publish_version(staff, version)
    version.refresh_from_db()
    assert version.is_published and version.published_by == staff and version.published_at
    section = version.sections.first()
    section.body = "changed"
    with pytest.raises(ValidationError):
        section.save()
    with pytest.raises(ValidationError):
        section.delete()
    with pytest.raises(ValidationError):
        services.replace_draft_sections(staff, version, SECTIONS)
    with pytest.raises(ValidationError):
        services.publish_version(staff, version)


def test_new_version_records_which_sections_changed(staff, document):
    v1 = document.versions.get()
    services.publish_version(staff, v1)
    v2 = services.start_new_version(staff, document)
    assert v2.number == 2 and v2.previous == v1
    assert all(s.change == SectionChange.UNCHANGED for s in v2.sections.all())
    with pytest.raises(ValidationError):
        services.start_new_version(staff, document)  # one draft at a time
    keys = {s.heading: s.key for s in v2.sections.all()}
    services.replace_draft_sections(
        staff,
        v2,
        [
            {
                "key": keys["Contesto"],
                "level": 1,
                "heading": "Contesto",
                "body": "Il programma sostiene l'inclusione.",
            },
            {
                "key": keys["Obiettivi"],
                "level": 1,
                "heading": "Obiettivi",
                "body": "Ridurre la povertà educativa e minorile.",
            },
            {"level": 1, "heading": "Governance", "body": "Il partenariato partecipa al Comitato."},
        ],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.publish_version(staff, v2)
    assert "change_note" in excinfo.value.message_dict
    services.publish_version(
        staff, v2, change_note="Accolte le osservazioni sul contrasto alla povertà minorile."
    )
    changes = {s.heading: s.change for s in v2.sections.all()}
    assert changes == {
        "Contesto": SectionChange.UNCHANGED,
        "Obiettivi": SectionChange.MODIFIED,
        "Governance": SectionChange.ADDED,
    }
    v2.refresh_from_db()
    assert v2.removed_section_keys == [str(keys["Azioni"])]
    # The same section keeps its identity across versions.
    assert Section.objects.filter(key=keys["Obiettivi"]).count() == 2


def test_new_version_needs_a_published_one(staff, document):
    with pytest.raises(ValidationError):
        services.start_new_version(staff, document)


@pytest.mark.parametrize(
    ("role", "manage", "see_draft"),
    [
        ("anonymous", False, False),
        ("plain", False, False),
        ("staff_this", True, True),
        ("staff_other", False, False),
        ("admin", True, True),
    ],
)
def test_document_permissions_matrix(role, manage, see_draft, document, staff):
    other_programme = make_other_programme(document.programme)
    users = {
        "anonymous": AnonymousUser,
        "plain": lambda: make_user("p@example.org"),
        "staff_this": lambda: staff,
        "staff_other": lambda: (
            ProgrammeStaff.objects.create(programme=other_programme, user=make_user("o@example.org")).user
        ),
        "admin": lambda: make_user("a@example.org", is_superuser=True),
    }
    user = users[role]()
    draft = document.versions.get()
    assert user.has_perm("consultations.manage_document", document) is manage
    assert user.has_perm("consultations.view_version", draft) is see_draft
    services.publish_version(staff, draft)
    draft.refresh_from_db()
    assert user.has_perm("consultations.view_version", draft) is True  # published: public


def test_version_numbers_are_unique_per_document(document):
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from the database constraint
        DocumentVersion.objects.create(document=document, number=1)
