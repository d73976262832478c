from django.urls import path

from . import billing_views, document_views, run_views

app_name = "payments"

urlpatterns = [
    path("billing/", billing_views.BillingListView.as_view(), name="billing-list"),
    path("billing/mine/", billing_views.MyBillingView.as_view(), name="billing-mine"),
    path("partners/<int:pk>/billing/", billing_views.BillingDetailView.as_view(), name="billing-detail"),
    path("partners/<int:pk>/billing/edit/", billing_views.BillingEditView.as_view(), name="billing-edit"),
    path(
        "partners/<int:pk>/billing/confirm-iban/",
        billing_views.BillingConfirmIbanView.as_view(),
        name="billing-confirm-iban",
    ),
    path("invoices/", document_views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:pk>/", document_views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/pdf/", document_views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("statements/<int:pk>/pdf/", document_views.StatementPdfView.as_view(), name="statement-pdf"),
    path("runs/<int:pk>/", run_views.RunPaymentsView.as_view(), name="run-payments"),
    path("runs/<int:pk>/payment-files/", run_views.PaymentFileCreateView.as_view(), name="payment-file-create"),
    path("runs/<int:pk>/journal.csv", run_views.JournalCsvView.as_view(), name="journal-csv"),
    path("runs/<int:pk>/journal.xlsx", run_views.JournalXlsxView.as_view(), name="journal-xlsx"),
    path("payment-files/", run_views.PaymentFileListView.as_view(), name="payment-file-list"),
    path("payment-files/<int:pk>/", run_views.PaymentFileDetailView.as_view(), name="payment-file-detail"),
    path("payment-files/<int:pk>/release/", run_views.PaymentFileReleaseView.as_view(), name="payment-file-release"),
    path("payment-files/<int:pk>/cancel/", run_views.PaymentFileCancelView.as_view(), name="payment-file-cancel"),
    path("payment-files/<int:pk>/executed/", run_views.PaymentFileExecuteView.as_view(), name="payment-file-execute"),
    path("payment-files/<int:pk>/pain.001.xml", run_views.PaymentFileXmlView.as_view(), name="payment-file-xml"),
]
