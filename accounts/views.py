from ecosystem.roles import is_internal
from ecosystem.web import ScopedDetailView, ScopedListView
from opportunities.models import Opportunity

from .filtersets import AccountFilterSet
from .models import Account, Assignment


class AccountListView(ScopedListView):
    """Internal users see every account; a partner sees the accounts assigned to it."""

    model = Account
    filterset_class = AccountFilterSet
    template_name = "accounts/account_list.html"


class AccountDetailView(ScopedDetailView):
    model = Account
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        account = self.object
        context = {
            "opportunities": Opportunity.objects.for_user(user).filter(account=account).select_related("partner")[:100],
        }
        if is_internal(user):
            # Who covered the account when: the full assignment history, one query.
            context["assignments"] = (
                Assignment.objects.filter(account=account)
                .select_related("partner", "assigned_by")
                .order_by("-valid_from", "-id")
            )
        else:
            context["assignments"] = Assignment.objects.for_user(user).filter(account=account)
        return super().get_context_data(**context, **kwargs)
