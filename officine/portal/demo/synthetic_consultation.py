"""One synthetic consultation at scale, for the benchmark of the consultation pages (issue 3, item 13).

``seed_scale --contributions N`` calls :func:`seed_consultation`: a *closed* public consultation in the
first synthetic programme, on a published document of 30 sections (version 1, consulted) with a second
version published after closing (some sections rewritten), N contributions from many of the synthetic
organisations (and a few citizens), and dispositions on most of them, accepted ones linked to the sections
they changed. Text is realistic Italian assembled from a small phrase bank, so full-text search and the
filters behave as with real data. Everything is written with ``bulk_create`` in batches, is ``is_demo``
(the consultation) and hangs on the synthetic programme; ``--clear`` removes it before the programme
(see :func:`clear_consultations`).
"""

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from officine.consultations.models import (
    Audience,
    Consultation,
    ConsultationState,
    Contribution,
    ContributionState,
    Disposition,
    DispositionOutcome,
    Document,
    DocumentVersion,
    Phase,
    Section,
    SectionChange,
    VersionStatus,
)
from officine.consultations.text import render_body
from officine.core.search import build_document
from officine.programmes.models import Programme
from officine.registry.models import Organization

from .people import FEMALE_NAMES, MALE_NAMES, SURNAMES

CONSULTATION_TITLE_PREFIX = "Consultazione sintetica"
DOCUMENT_TITLE = "Proposta sintetica di programma 2021-2027"
OPEN_WEEKS = 5  # 35 calendar days: more than the 20 working days a public consultation needs
DISPOSED_SHARE = 0.85
CITIZEN_SHARE = 0.06
OBJECTED_SHARE = 0.04
WITHDRAWN_SHARE = 0.02
WHOLE_DOCUMENT_SHARE = 0.15
PROPOSED_WORDING_SHARE = 0.3

# (heading level, heading)
SECTIONS = [
    (1, "Strategia del programma"),
    (2, "Analisi dei fabbisogni e delle disparità territoriali"),
    (2, "Lezioni apprese dal ciclo 2014-2020"),
    (1, "Priorità 1 – Un'Europa più competitiva e intelligente"),
    (2, "Ricerca e innovazione nelle piccole e medie imprese"),
    (2, "Digitalizzazione dei servizi della pubblica amministrazione"),
    (2, "Competenze per la specializzazione intelligente"),
    (1, "Priorità 2 – Un'Europa più verde"),
    (2, "Efficienza energetica degli edifici pubblici"),
    (2, "Energie rinnovabili e comunità energetiche"),
    (2, "Adattamento ai cambiamenti climatici e rischio idrogeologico"),
    (2, "Economia circolare e gestione dei rifiuti"),
    (2, "Biodiversità e infrastrutture verdi"),
    (2, "Mobilità urbana sostenibile"),
    (1, "Priorità 3 – Un'Europa più sociale e inclusiva"),
    (2, "Accesso all'occupazione dei giovani e delle donne"),
    (2, "Inclusione attiva delle persone vulnerabili"),
    (2, "Servizi per l'infanzia e conciliazione dei tempi di vita"),
    (2, "Istruzione e formazione professionale"),
    (2, "Contrasto alla povertà educativa"),
    (1, "Priorità 4 – Un'Europa più vicina ai cittadini"),
    (2, "Strategie territoriali per le aree interne"),
    (2, "Sviluppo urbano sostenibile"),
    (1, "Assistenza tecnica e capacità amministrativa"),
    (2, "Rafforzamento della capacità dei partner"),
    (2, "Sistema di sorveglianza e valutazione"),
    (2, "Indicatori di output e di risultato"),
    (1, "Piano finanziario"),
    (1, "Principi orizzontali: parità, non discriminazione, sostenibilità"),
    (1, "Comunicazione e visibilità"),
]
SECTION_SENTENCES = [
    "Il programma concentra le risorse sugli obiettivi con il maggiore effetto atteso sul territorio.",
    "Le azioni sono selezionate con procedure aperte, trasparenti e non discriminatorie.",
    "La dotazione indicativa tiene conto dei fabbisogni emersi dall'analisi di contesto.",
    "Gli interventi sono coordinati con il Piano nazionale di ripresa e resilienza.",
    "Il partenariato è coinvolto nella preparazione, nell'attuazione e nella valutazione.",
    "Sono previsti criteri di premialità per i progetti nelle aree più svantaggiate.",
    "Il sostegno assume la forma di sovvenzioni e, dove opportuno, di strumenti finanziari.",
    "I risultati sono misurati con indicatori comuni e specifici del programma.",
]
OPENINGS = [
    "Come organizzazione accogliamo con favore l'impostazione generale della sezione,",
    "Riteniamo che il testo proposto sia condivisibile negli obiettivi,",
    "Dall'esperienza maturata nel ciclo 2014-2020 emerge che",
    "Segnaliamo con preoccupazione che",
    "A nome dei nostri associati osserviamo che",
    "Il documento non tiene sufficientemente conto del fatto che",
    "Nei territori in cui operiamo si registra che",
    "Apprezziamo lo sforzo di semplificazione, tuttavia",
    "In coerenza con il Codice europeo di condotta sul partenariato,",
    "Alla luce dei dati più recenti sull'occupazione,",
]
CONCERNS = [
    "i piccoli comuni faticano a partecipare ai bandi per la mancanza di personale tecnico",
    "le imprese sociali restano escluse dai criteri di ammissibilità",
    "i tempi di pagamento ai beneficiari sono troppo lunghi",
    "le aree interne rischiano di essere penalizzate dalla concentrazione tematica",
    "la parità di genere non è tradotta in criteri di selezione verificabili",
    "gli indicatori di risultato non misurano l'effetto sulle persone più vulnerabili",
    "la dotazione per la formazione continua è insufficiente rispetto ai fabbisogni",
    "le comunità energetiche hanno bisogno di assistenza tecnica nella fase di avvio",
    "la mobilità sostenibile nelle periferie è trascurata",
    "la digitalizzazione dei servizi non considera il divario di competenze degli anziani",
    "il rischio idrogeologico richiede interventi di manutenzione ordinaria oltre alle opere",
    "l'accessibilità per le persone con disabilità non è richiamata nei criteri",
]
PROPOSALS = [
    "Proponiamo di prevedere una riserva di risorse per i comuni sotto i cinquemila abitanti.",
    "Chiediamo di introdurre anticipazioni almeno pari al quaranta per cento del contributo.",
    "Suggeriamo di aggiungere un indicatore sulla partecipazione femminile ai progetti.",
    "Proponiamo un servizio di accompagnamento per la progettazione rivolto agli enti del Terzo settore.",
    "Chiediamo che i criteri di selezione premino i partenariati pubblico-privati.",
    "Suggeriamo di coordinare questa misura con i programmi regionali del Fondo sociale europeo plus.",
    "Proponiamo tavoli territoriali di confronto con cadenza almeno semestrale.",
    "Chiediamo di rendere pubblici i dati di avanzamento in formato aperto.",
    "Proponiamo di semplificare la rendicontazione con opzioni di costo semplificate.",
    "Suggeriamo di includere esplicitamente le persone senza dimora tra i destinatari.",
]
WORDINGS = [
    "Il programma riserva almeno il 10% della dotazione della priorità ai comuni delle aree interne.",
    "Tra i criteri di selezione è inclusa la promozione della parità di genere, misurata con indicatori.",
    "Le operazioni possono beneficiare di un'anticipazione fino al 40% del contributo concesso.",
    "I dati di attuazione sono pubblicati ogni trimestre in formato aperto.",
    "Il sostegno comprende l'assistenza tecnica agli enti del Terzo settore nella fase di progettazione.",
]
REASONS = {
    DispositionOutcome.ACCEPTED: [
        "Il contributo è stato accolto: la sezione è stata riformulata come proposto.",
        "Accolto. Il testo della nuova versione recepisce la richiesta.",
    ],
    DispositionOutcome.PARTLY_ACCEPTED: [
        "Accolto in parte: la riserva è introdotta con una percentuale inferiore, per vincoli di bilancio.",
        "Parzialmente accolto: il criterio è stato aggiunto, senza la premialità richiesta.",
    ],
    DispositionOutcome.NOT_ACCEPTED: [
        "Non accolto: la proposta non è compatibile con la concentrazione tematica prevista dal regolamento.",
        "Non accolto per l'insufficienza della dotazione finanziaria della priorità.",
    ],
    DispositionOutcome.OUT_OF_SCOPE: [
        "Non pertinente: la materia è disciplinata dai bandi attuativi, non dal programma.",
        "Fuori dall'oggetto della consultazione; sarà discusso nel Comitato di sorveglianza.",
    ],
    DispositionOutcome.ALREADY_COVERED: [
        "Già previsto: la sezione 3 del programma contiene questa misura.",
        "Il testo già consente questa possibilità, come chiarito nelle risposte pubblicate.",
    ],
}
OUTCOME_WEIGHTS = {
    DispositionOutcome.ACCEPTED: 20,
    DispositionOutcome.PARTLY_ACCEPTED: 15,
    DispositionOutcome.NOT_ACCEPTED: 30,
    DispositionOutcome.OUT_OF_SCOPE: 10,
    DispositionOutcome.ALREADY_COVERED: 25,
}
MODIFIED_EVERY = 4  # every fourth section is rewritten in version 2


def synthetic_consultations(programmes: models.QuerySet) -> models.QuerySet:
    return Consultation.objects.filter(programme__in=programmes, is_demo=True)


def clear_consultations(programmes: models.QuerySet) -> dict[str, int]:
    """Delete the synthetic consultations of ``programmes`` and their documents, contributions and
    dispositions, in the order their protected links require (contributions protect sections and versions,
    a version protects the one before it)."""
    consultations = synthetic_consultations(programmes)
    contributions = Contribution.objects.filter(consultation__in=consultations)
    Disposition.changed_sections.through.objects.filter(disposition__contribution__in=contributions).delete()
    Disposition.objects.filter(contribution__in=contributions).delete()
    deleted = {"contributions": contributions.delete()[1].get(Contribution._meta.label, 0)}
    documents = Document.objects.filter(programme__in=programmes, consultations__in=consultations).distinct()
    document_ids = list(documents.values_list("pk", flat=True))
    deleted["consultations"] = consultations.delete()[1].get(Consultation._meta.label, 0)
    DocumentVersion.objects.filter(document_id__in=document_ids).update(previous=None)
    deleted["documents"] = (
        Document.objects.filter(pk__in=document_ids).delete()[1].get(Document._meta.label, 0)
    )
    return deleted


def seed_consultation(
    contributions: int,
    programme: Programme,
    organisations: list[Organization],
    *,
    rng: random.Random,
    batch_size: int,
    timed: Callable[[str, Callable[[], int]], None],
    today: date | None = None,
) -> Consultation:
    """Write the consultation, its document (two versions), ``contributions`` contributions and their
    dispositions, each step timed through ``timed(table, write)``."""
    today = today or timezone.localdate()
    closes_on = today - timedelta(days=10)
    opens_on = closes_on - timedelta(weeks=OPEN_WEEKS)
    state: dict = {}

    def write_document() -> int:
        document = Document.objects.create(programme=programme, title_it=DOCUMENT_TITLE)
        v1 = DocumentVersion.objects.create(
            document=document,
            number=1,
            status=VersionStatus.PUBLISHED,
            published_at=_aware(opens_on - timedelta(days=3)),
        )
        v1_sections = []
        for order, (level, heading) in enumerate(SECTIONS, start=1):
            body = " ".join(rng.sample(SECTION_SENTENCES, k=rng.randint(2, 3)))
            v1_sections.append(
                Section(
                    version=v1,
                    order=order,
                    level=level,
                    heading=heading,
                    body=body,
                    body_html=render_body(body),
                )
            )
        v1_sections = Section.objects.bulk_create(v1_sections)
        v2 = DocumentVersion.objects.create(
            document=document,
            number=2,
            previous=v1,
            status=VersionStatus.PUBLISHED,
            published_at=_aware(today - timedelta(days=2)),
            change_note="Testo aggiornato dopo la consultazione: accolti i contributi indicati nell'esito.",
        )
        v2_sections = []
        for old in v1_sections:
            modified = old.order % MODIFIED_EVERY == 0
            body = old.body + (" " + rng.choice(WORDINGS) if modified else "")
            v2_sections.append(
                Section(
                    version=v2,
                    key=old.key,
                    order=old.order,
                    level=old.level,
                    heading=old.heading,
                    body=body,
                    body_html=render_body(body),
                    change=SectionChange.MODIFIED if modified else SectionChange.UNCHANGED,
                )
            )
        v2_sections = Section.objects.bulk_create(v2_sections)
        consultation = Consultation.objects.create(
            programme=programme,
            title_it=f"{CONSULTATION_TITLE_PREFIX} sulla proposta di programma ({programme.cci})",
            title_en=f"Synthetic consultation on the draft programme ({programme.cci})",
            summary_it="Consultazione sintetica generata per le prove di carico delle pagine pubbliche.",
            summary_en="Synthetic consultation generated for load tests of the public pages.",
            phase=Phase.PREPARATION,
            topics=["needs_analysis", "priorities", "allocation", "indicators"],
            audience=Audience.PUBLIC,
            opens_on=opens_on,
            closes_on=closes_on,
            state=ConsultationState.CLOSED,
            is_demo=True,
        )
        consultation.documents.add(document)
        state.update(consultation=consultation, v1=v1, v1_sections=v1_sections, v2_sections=v2_sections)
        return 3 + len(v1_sections) + len(v2_sections)

    def write_contributions() -> int:
        consultation, v1, sections = state["consultation"], state["v1"], state["v1_sections"]
        rows = []
        for number in range(1, contributions + 1):
            org = None if rng.random() < CITIZEN_SHARE else rng.choice(organisations)
            section = None if rng.random() < WHOLE_DOCUMENT_SHARE else rng.choice(sections)
            names = rng.choice((FEMALE_NAMES, MALE_NAMES))
            author = f"{rng.choice(names)} {rng.choice(SURNAMES)}"
            body = _contribution_text(rng)
            wording = rng.choice(WORDINGS) if rng.random() < PROPOSED_WORDING_SHARE else ""
            withdrawn = rng.random() < WITHDRAWN_SHARE
            rows.append(
                Contribution(
                    consultation=consultation,
                    number=number,
                    version=v1,
                    section=section,
                    author_name=author,
                    organization=org,
                    body=body,
                    proposed_wording=wording,
                    objects_to_publication=rng.random() < OBJECTED_SHARE,
                    state=ContributionState.WITHDRAWN if withdrawn else ContributionState.SUBMITTED,
                    withdrawn_at=_aware(closes_on - timedelta(days=2)) if withdrawn else None,
                    search_document=build_document(body, wording, author, org.name if org else ""),
                )
            )
        created = Contribution.objects.bulk_create(rows, batch_size=batch_size)
        # auto_now_add stamps every row with today: spread the dates over the weeks the consultation was open.
        days = (closes_on - opens_on).days + 1
        by_day: dict[int, list[int]] = {}
        for contribution in created:
            by_day.setdefault(rng.randrange(days), []).append(contribution.pk)
        for offset, pks in by_day.items():
            sent = _aware(opens_on + timedelta(days=offset))
            for start in range(0, len(pks), batch_size):
                Contribution.objects.filter(pk__in=pks[start : start + batch_size]).update(
                    created_at=sent, updated_at=sent
                )
        state["contributions"] = created
        return len(created)

    def write_dispositions() -> int:
        consultation = state["consultation"]
        v2_by_key = {s.key: s for s in state["v2_sections"]}
        v1_by_pk = {s.pk: s for s in state["v1_sections"]}
        modified = [s for s in state["v2_sections"] if s.change == SectionChange.MODIFIED]
        outcomes, weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
        dispositions, changes = [], []
        for contribution in state["contributions"]:
            if contribution.state == ContributionState.WITHDRAWN or rng.random() >= DISPOSED_SHARE:
                continue
            outcome = rng.choices(outcomes, weights=weights)[0]
            dispositions.append(
                Disposition(contribution=contribution, outcome=outcome, reason=rng.choice(REASONS[outcome]))
            )
            if outcome in DispositionOutcome.needing_changes():
                own = (
                    v2_by_key.get(v1_by_pk[contribution.section_id].key) if contribution.section_id else None
                )
                changes.append(own if own is not None and own in modified else rng.choice(modified))
            else:
                changes.append(None)
        dispositions = Disposition.objects.bulk_create(dispositions, batch_size=batch_size)
        through = Disposition.changed_sections.through
        through.objects.bulk_create(
            [
                through(disposition_id=d.pk, section_id=section.pk)
                for d, section in zip(dispositions, changes, strict=True)
                if section is not None
            ],
            batch_size=batch_size,
        )
        latest = (
            Disposition.objects.filter(contribution=OuterRef("pk"))
            .order_by("-decided_at", "-pk")
            .values("pk")
        )
        Contribution.objects.filter(consultation=consultation).update(
            current_disposition=Subquery(latest[:1])
        )
        return len(dispositions)

    timed("consultation", write_document)
    if contributions:
        timed("contributions", write_contributions)
        timed("dispositions", write_dispositions)
    return state["consultation"]


def _contribution_text(rng: random.Random) -> str:
    sentences = [f"{rng.choice(OPENINGS)} {rng.choice(CONCERNS)}.", rng.choice(PROPOSALS)]
    if rng.random() < 0.5:
        sentences.append(f"Inoltre {rng.choice(CONCERNS)}.")
    if rng.random() < 0.4:
        sentences.append(rng.choice(PROPOSALS))
    return " ".join(sentences)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))
