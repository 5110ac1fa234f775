"""The header search's partners and invoices (``smartnet.search`` providers).

Staff see every organisation and invoice, so no access filter is needed beyond
the roles the providers are registered for. Each provider is one query.
"""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from partners.models import Agreement, Invoice, Organisation
from smartnet.search import Hit


def find_organisations(user, query: str, limit: int) -> list[Hit]:
    """By name, or exactly by an agreement's reference (``PA-2024-0012``)."""
    by_reference = Agreement.objects.filter(organisation=OuterRef("pk"), reference__iexact=query)
    organisations = (
        Organisation.objects.annotate(by_reference=Exists(by_reference))
        .filter(Q(name__icontains=query) | Q(by_reference=True))
        .order_by("-by_reference", "name")[:limit]
    )
    return [
        Hit(
            label=org.name,
            url=reverse("partners_staff:partner_detail", args=[org.pk]),
            detail=org.get_kind_display()
            + (f" · agreement {query.upper()}" if org.by_reference else ""),
            exact=org.by_reference,
        )
        for org in organisations
    ]


def find_invoices(user, query: str, limit: int) -> list[Hit]:
    """By number (``INV-000851``, or its start); an issued number typed whole is exact."""
    invoices = (
        Invoice.objects.filter(number__istartswith=query)
        .select_related("organisation")
        .order_by("number")[:limit]
    )
    return [
        Hit(
            label=invoice.number,
            url=reverse("partners_staff:partner_detail", args=[invoice.organisation_id])
            + f"#invoice-{invoice.pk}",
            detail=f"{invoice.organisation.name} · {invoice.get_status_display()}",
            exact=invoice.number.lower() == query.lower(),
        )
        for invoice in invoices
    ]
