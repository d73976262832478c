"""``/api/v1/``: one router for every resource."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api.proposals import AssignmentProposalViewSet
from accounts.api.views import AccountViewSet, AssignmentViewSet
from commissions.api import controls as commission_controls
from commissions.api import views as commissions
from insights.api.coverage import CoverageView
from insights.api.views import TargetViewSet
from jobs.api.views import JobViewSet
from opportunities.api.reconciliation import QueuedBookingViewSet
from opportunities.api.views import OpportunityViewSet
from partners.api.views import PartnerViewSet, RoadshowViewSet, SecondmentViewSet
from users.api.auth import ObtainTokenView, RotateTokenView
from users.api.views import UserViewSet

router = DefaultRouter()
router.register("partners", PartnerViewSet)
router.register("secondments", SecondmentViewSet)
router.register("roadshows", RoadshowViewSet)
router.register("accounts", AccountViewSet)
router.register("assignments", AssignmentViewSet)
router.register("assignment-proposals", AssignmentProposalViewSet)
router.register("opportunities", OpportunityViewSet)
router.register("booking-reconciliation", QueuedBookingViewSet)
router.register("jobs", JobViewSet)
router.register("targets", TargetViewSet)
router.register("users", UserViewSet)
router.register("commission-programs", commissions.ProgramViewSet)
router.register("commission-rules", commissions.RuleViewSet)
router.register("settlements", commissions.SettlementRunViewSet)
router.register("settlement-exceptions", commissions.SettlementExceptionViewSet)
router.register("statements", commissions.StatementViewSet)
router.register("disputes", commissions.DisputeViewSet)
router.register("quotas", commission_controls.QuotaViewSet)
router.register("manual-adjustments", commission_controls.ManualAdjustmentViewSet)
router.register("commission-estimate", commissions.CommissionEstimateViewSet, basename="commission-estimate")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/rotate/", RotateTokenView.as_view(), name="api-token-rotate"),
    path("coverage/", CoverageView.as_view(), name="coverage"),
    path("", include("insights.api.urls")),
    path("", include("payments.api.urls")),
    path("", include(router.urls)),
]
