from django.urls import path

from partners import views_personal_data, views_staff

app_name = "partners_staff"

urlpatterns = [
    path("", views_staff.partner_list, name="partner_list"),
    path("<int:pk>/", views_staff.partner_detail, name="partner_detail"),
    path("<int:pk>/agreements/new/", views_staff.agreement_new, name="agreement_new"),
    path("terms/<int:pk>/<slug:action>/", views_staff.period_action, name="period_action"),
    path("renewals/", views_staff.renewals_due, name="renewals"),
    path("renewals/approve/", views_staff.renewals_approve, name="renewals_approve"),
    path("invoices/overdue/", views_staff.overdue_invoices, name="overdue"),
    path("invoices/export/", views_staff.xero_export, name="xero_export"),
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
