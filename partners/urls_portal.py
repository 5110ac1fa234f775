from django.urls import path

from partners import views_portal

app_name = "portal"

urlpatterns = [
    path("", views_portal.home, name="home"),
    path("invoices/", views_portal.invoice_list, name="invoices"),
    path("invoices/<int:pk>/pdf/", views_portal.invoice_pdf, name="invoice_pdf"),
    path("sites/add/", views_portal.site_add, name="site_add"),
    path("renewals/<int:pk>/confirm/", views_portal.renewal_confirm, name="renewal_confirm"),
    path("contacts/", views_portal.contacts, name="contacts"),
    path("organisation/", views_portal.switch_organisation, name="switch_organisation"),
]
