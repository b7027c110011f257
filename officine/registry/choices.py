"""Classification of partners: ECCP Art. 3-4 (Reg. 240/2014) and CPR Art. 8(1) (Reg. 2021/1060)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EccpSubcategory(models.TextChoices):
    """ECCP Art. 3(1): the sub-code implies the category (a, b or c)."""

    A_I = "a.i", _("a.i – Regional, local and urban public authorities and their associations")
    A_II = "a.ii", _("a.ii – Higher education, training providers and research centres")
    A_III = "a.iii", _("a.iii – Public bodies for horizontal principles and equal treatment")
    B_I = "b.i", _("b.i – Social partners (cross-industry and sectoral organisations)")
    B_II = "b.ii", _("b.ii – Chambers of commerce and business associations")
    C_I = (
        "c.i",
        _("c.i – Environmental partners, NGOs, social inclusion, gender equality, non-discrimination"),
    )
    C_II = "c.ii", _("c.ii – Groups affected by the programme, in particular those at risk of discrimination")


class EccpCategory(models.TextChoices):
    A = "a", _("a – Public authorities")
    B = "b", _("b – Economic and social partners")
    C = "c", _("c – Bodies representing civil society")


class CprCategory(models.TextChoices):
    """CPR 2021/1060 Art. 8(1) (a)-(d)."""

    A = "a", _("Public authorities")
    B = "b", _("Economic and social partners")
    C = "c", _("Civil society")
    D = "d", _("Research and universities")


class CivilSocietyFocus(models.TextChoices):
    """The bodies CPR Art. 8(1)(c) names explicitly; a partnership should include each of them."""

    ENVIRONMENT = "environment", _("Environment")
    SOCIAL_INCLUSION = "social_inclusion", _("Social inclusion")
    FUNDAMENTAL_RIGHTS = "fundamental_rights", _("Fundamental rights")
    DISABILITY = "disability", _("Rights of persons with disabilities")
    GENDER_EQUALITY = "gender_equality", _("Gender equality")
    NON_DISCRIMINATION = "non_discrimination", _("Non-discrimination")


class TerritorialLevel(models.TextChoices):
    EU = "eu", _("European")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class LegalForm(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public administration or body")
    ASSOCIATION = "association", _("Association")
    RECOGNISED_ASSOCIATION = "recognised_association", _("Recognised association")
    TRADE_UNION = "trade_union", _("Trade union")
    EMPLOYERS_ASSOCIATION = "employers_association", _("Employers' or business association")
    FOUNDATION = "foundation", _("Foundation")
    COOPERATIVE = "cooperative", _("Cooperative")
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    RESEARCH_BODY = "research_body", _("Public research body")
    CHAMBER = "chamber", _("Chamber of commerce")
    THIRD_SECTOR = "third_sector", _("Third-sector body (RUNTS)")
    NETWORK = "network", _("Network or federation")
    OTHER = "other", _("Other")


class RepresentativeRole(models.TextChoices):
    DELEGATE = "delegate", _("Delegate")
    SUBSTITUTE = "substitute", _("Substitute")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")


class TerritoryLevel(models.TextChoices):
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province or metropolitan city")
    MUNICIPALITY = "municipality", _("Municipality")
