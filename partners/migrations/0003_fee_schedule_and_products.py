"""Starting data: the £500 site fee, the two products and their VAT treatment,
and the invoice number series. All editable in the admin afterwards."""

import datetime
from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    FeeRate = apps.get_model("partners", "FeeRate")
    Product = apps.get_model("partners", "Product")
    InvoiceCounter = apps.get_model("partners", "InvoiceCounter")
    FeeRate.objects.get_or_create(
        effective_from=datetime.date(2010, 1, 1),
        defaults={"site_fee": Decimal("500.00"), "note": "£500 per site per year"},
    )
    # The charity's adviser decides the VAT treatment; these are starting values.
    Product.objects.get_or_create(
        code="site_licence",
        defaults={
            "name": "Site licence",
            "vat_treatment": "outside_scope",
            "vat_rate": Decimal("0"),
            "account_code": "200",
            "xero_tax_type": "NONE",
        },
    )
    Product.objects.get_or_create(
        code="block_agreement",
        defaults={
            "name": "Block agreement",
            "vat_treatment": "outside_scope",
            "vat_rate": Decimal("0"),
            "account_code": "201",
            "xero_tax_type": "NONE",
        },
    )
    for series in ("INV", "CN"):
        InvoiceCounter.objects.get_or_create(series=series)


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_agreements")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
