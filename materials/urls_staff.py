from django.urls import path

from materials import views_staff

app_name = "materials_staff"

urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("dispatches/<int:pk>/", views_staff.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/action/", views_staff.dispatch_action, name="dispatch_action"),
    path("packing-slips.pdf", views_staff.packing_slips, name="packing_slips"),
    path("labels.pdf", views_staff.labels, name="labels"),
    path("stock/", views_staff.stock, name="stock"),
    path("stock/<int:pk>/", views_staff.item_movements, name="item"),
    path("economics/", views_staff.economics, name="economics"),
]
