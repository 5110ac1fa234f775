"""The scheme's starting data: the £500 site fee, the two products with their
VAT treatment, and the invoice number series. Created by migration 0003; tests
that flush the database (transactional tests) put it back with ``ensure_defaults``."""

import datetime
from decimal import Decimal

from django.apps import apps as global_apps

FEE_RATES = [(datetime.date(2010, 1, 1), Decimal("500.00"), "£500 per site per year")]
# The charity's adviser decides the VAT treatment; these are starting values,
# editable in the admin (Products).
PRODUCTS = [
    ("site_licence", "Site licence", "outside_scope", Decimal("0"), "200", "NONE"),
    ("block_agreement", "Block agreement", "outside_scope", Decimal("0"), "201", "NONE"),
]
SERIES = ("INV", "CN")


def ensure_defaults(apps=None) -> None:
    if apps is None:
        apps = global_apps
    FeeRate = apps.get_model("partners", "FeeRate")
    Product = apps.get_model("partners", "Product")
    InvoiceCounter = apps.get_model("partners", "InvoiceCounter")
    if not FeeRate.objects.exists():
        for effective_from, fee, note in FEE_RATES:
            FeeRate.objects.create(effective_from=effective_from, site_fee=fee, note=note)
    for code, name, treatment, rate, account, tax_type in PRODUCTS:
        Product.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "vat_treatment": treatment,
                "vat_rate": rate,
                "account_code": account,
                "xero_tax_type": tax_type,
            },
        )
    for series in SERIES:
        InvoiceCounter.objects.get_or_create(series=series)
