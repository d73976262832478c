"""The payments routes under ``/api/v1/``, included by ``ecosystem.api.urls`` by name (the base
below does not import this app). Statement PDFs and a run's journal sit beside commissions' own
``statements/`` and ``settlements/`` routes."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("billing-details", views.BillingDetailsViewSet)
router.register("invoices", views.InvoiceViewSet)
router.register("payment-files", views.PaymentFileViewSet)
router.register("statements", views.StatementPdfViewSet, basename="statement-pdf")
router.register("settlements", views.SettlementPaymentsViewSet, basename="settlement-payments")

urlpatterns = router.urls
