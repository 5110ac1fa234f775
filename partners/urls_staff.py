from django.urls import path

from partners import views_accounts_staff, views_personal_data, views_setup, views_staff

app_name = "partners_staff"

urlpatterns = [
    path("", views_staff.partner_list, name="partner_list"),
    path("<int:pk>/", views_staff.partner_detail, name="partner_detail"),
    # Set-up: organisations (commissioners and their areas), sites, people.
    path("new/", views_setup.organisation_new, name="organisation_new"),
    path("<int:pk>/edit/", views_setup.organisation_edit, name="organisation_edit"),
    path("<int:pk>/sites/new/", views_setup.site_new, name="site_new"),
    path("sites/<int:pk>/edit/", views_setup.site_edit, name="site_edit"),
    path("people/", views_setup.people, name="people"),
    path("people/new/", views_setup.person_new, name="person_new"),
    path("people/<int:pk>/", views_setup.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views_setup.person_edit, name="person_edit"),
    path("people/<int:pk>/reviewed/", views_setup.person_reviewed, name="person_reviewed"),
    path("people/<int:pk>/merge/", views_setup.person_merge, name="person_merge"),
    path(
        "people/<int:pk>/affiliations/new/",
        views_setup.affiliation_new,
        name="affiliation_new",
    ),
    path("affiliations/<int:pk>/end/", views_setup.affiliation_end, name="affiliation_end"),
    # Sign-in: invitations and accounts.
    path("people/<int:pk>/invite/", views_accounts_staff.person_invite, name="person_invite"),
    path("invitations/", views_accounts_staff.invitations, name="invitations"),
    path("invitations/invite-all/", views_accounts_staff.invite_all, name="invite_all"),
    path("accounts/", views_accounts_staff.accounts, name="accounts"),
    path("accounts/new/", views_accounts_staff.account_new, name="account_new"),
    path("accounts/<int:pk>/", views_accounts_staff.account_detail, name="account_detail"),
    path("accounts/<int:pk>/active/", views_accounts_staff.account_active, name="account_active"),
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
