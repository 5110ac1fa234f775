from django.urls import path

from partners import views_money, views_personal_data, views_staff

app_name = "partners_staff"

urlpatterns = [
    path("", views_staff.partner_list, name="partner_list"),
    path("<int:pk>/", views_staff.partner_detail, name="partner_detail"),
    path("<int:pk>/agreements/new/", views_staff.agreement_new, name="agreement_new"),
    path("terms/<int:pk>/<slug:action>/", views_staff.period_action, name="period_action"),
    path("renewals/", views_staff.renewals_due, name="renewals"),
    path("renewals/approve/", views_staff.renewals_approve, name="renewals_approve"),
    path("invoices/overdue/", views_money.overdue_invoices, name="overdue"),
    path("invoices/export/", views_staff.xero_export, name="xero_export"),
    path("invoices/export/contacts/", views_money.xero_contacts, name="xero_contacts"),
    path("invoices/<int:pk>/", views_money.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", views_money.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/credit/", views_money.credit_note_new, name="credit_note_new"),
    path("invoices/<int:pk>/void/", views_money.invoice_void, name="invoice_void"),
    path("invoices/<int:pk>/refund/", views_money.refund_new, name="refund_new"),
    path("invoices/<int:pk>/remind/", views_money.invoice_remind, name="invoice_remind"),
    path("payments/<int:pk>/reverse/", views_money.payment_reverse, name="payment_reverse"),
    path("<int:pk>/chasing/hold/", views_money.chasing_hold, name="chasing_hold"),
    path("chasing/holds/<int:pk>/release/", views_money.chasing_release, name="chasing_release"),
    path("<int:pk>/statement.pdf", views_money.statement_pdf, name="statement_pdf"),
    path("bank/", views_money.bank_import, name="bank_import"),
    path("bank/<int:pk>/", views_money.bank_preview, name="bank_preview"),
    path("invoices/<int:pk>/pdf/", views_staff.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/payment/", views_staff.invoice_payment, name="invoice_payment"),
    path("coverage/", views_staff.block_coverage, name="coverage"),
    path("site-requests/", views_staff.site_requests, name="site_requests"),
    path(
        "site-requests/<int:pk>/decide/",
        views_staff.site_request_decide,
        name="site_request_decide",
    ),
    path("contacts/pending/", views_staff.pending_contacts, name="pending_contacts"),
    path(
        "contacts/pending/<int:pk>/decide/",
        views_staff.pending_contact_decide,
        name="pending_contact_decide",
    ),
    path("people/<int:pk>/data/", views_personal_data.person_data, name="person_data"),
    path(
        "people/<int:pk>/data.json", views_personal_data.person_data_json, name="person_data_json"
    ),
    path("people/<int:pk>/data.pdf", views_personal_data.person_data_pdf, name="person_data_pdf"),
    path("people/<int:pk>/erase/", views_personal_data.person_erase, name="person_erase"),
]
