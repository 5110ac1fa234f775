from django.urls import path

from materials import views_staff

app_name = "materials_staff"

urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("dispatches/<int:pk>/", views_staff.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/verify/", views_staff.dispatch_verify, name="dispatch_verify"),
    path("dispatches/<int:pk>/approve/", views_staff.dispatch_approve, name="dispatch_approve"),
    path("dispatches/<int:pk>/pack/", views_staff.dispatch_pack, name="dispatch_pack"),
    path("dispatches/<int:pk>/send/", views_staff.dispatch_send, name="dispatch_send"),
    path("dispatches/<int:pk>/deliver/", views_staff.dispatch_deliver, name="dispatch_deliver"),
    path("dispatches/<int:pk>/reject/", views_staff.dispatch_reject, name="dispatch_reject"),
    path("packing-slips.pdf", views_staff.packing_slips, name="packing_slips"),
    path("labels.pdf", views_staff.labels, name="labels"),
    path("stock/", views_staff.stock, name="stock"),
    path("stock/<int:pk>/", views_staff.item_movements, name="item"),
    path("economics/", views_staff.economics, name="economics"),
]
