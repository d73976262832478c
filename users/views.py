"""Partner user management pages (``/portal/users/``) and the invitation page.

Users come from ``User.objects.for_user()`` — a partner administrator's own partner —
so a user of another partner answers 404 on every page; a role that may not manage
users answers 403. The rules themselves live in :mod:`users.services`.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from audit import kinds
from audit.models import AuditEvent
from ecosystem.roles import PARTNER_ROLES, Role, is_internal
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedQuerysetMixin, report_errors

from . import services
from .filtersets import UserFilterSet
from .forms import InviteForm, RoleForm
from .language import choose_language, offered_languages, set_language_cookie
from .models import User

READ_ROLES = frozenset({Role.CHANNEL, Role.MANAGER, Role.PARTNER_ADMIN})
WRITE_ROLES = frozenset({Role.CHANNEL, Role.PARTNER_ADMIN})


def base_url(request) -> str:
    return request.build_absolute_uri("/")


class UserListView(ScopedListView):
    model = User
    allowed_roles = READ_ROLES
    filterset_class = UserFilterSet
    template_name = "users/user_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner").order_by("partner__name", "username")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=services.can_manage_users(self.request.user), **kwargs)


class UserDetailView(ScopedDetailView):
    model = User
    allowed_roles = READ_ROLES
    template_name = "users/user_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs):
        member = self.object
        history = AuditEvent.objects.filter(target_type=User._meta.label_lower, target_id=str(member.pk))
        if not is_internal(self.request.user):
            # A held invitation is the channel team's business: the partner sees an invitation like any other.
            history = history.exclude(kind__in=kinds.INTERNAL_ONLY)
        history = history[:50]
        return super().get_context_data(
            # Internal users are read here, managed in the admin.
            can_manage=services.can_manage_users(self.request.user) and member.role in PARTNER_ROLES,
            role_form=RoleForm(initial={"role": member.role}),
            history=history,
            invitation=member.invitations.order_by("-created_at").first(),
            **kwargs,
        )


class UserInviteView(RoleRequiredMixin, FormView):
    allowed_roles = WRITE_ROLES
    form_class = InviteForm
    template_name = "users/user_invite.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_days=settings.INVITATION_VALID_DAYS, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.invite_user(
                actor=self.request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                partner=data.get("partner"),
                base_url=base_url(self.request),
                request=self.request,
            )
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": user.email})
        return redirect("user-detail", pk=user.pk)


class UserActionView(ScopedQuerysetMixin, SingleObjectMixin, View):
    """POST-only actions on one user: deactivate, reactivate, role, resend the invitation."""

    model = User
    allowed_roles = WRITE_ROLES
    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        member = self.get_object()
        try:
            message = getattr(self, f"do_{self.action}")(request, member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
        return redirect("user-detail", pk=member.pk)

    def do_deactivate(self, request, member):
        services.deactivate_user(actor=request.user, user=member, request=request)
        return _("%(name)s is deactivated.") % {"name": member.email}

    def do_reactivate(self, request, member):
        services.reactivate_user(actor=request.user, user=member, request=request)
        return _("%(name)s is active again.") % {"name": member.email}

    def do_role(self, request, member):
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose partner administrator or partner representative."))
        member = services.change_role(actor=request.user, user=member, role=form.cleaned_data["role"], request=request)
        return _("%(name)s is now %(role)s.") % {"name": member.email, "role": member.get_role_display()}

    def do_resend(self, request, member):
        services.resend_invitation(actor=request.user, user=member, base_url=base_url(request), request=request)
        return _("A new invitation was sent to %(email)s; earlier links no longer work.") % {"email": member.email}


PROBLEMS = {
    "invalid": (404, gettext_lazy("This invitation link is not valid. It may have been replaced by a newer one.")),
    "used": (
        410,
        gettext_lazy("This invitation link has already been used. Log in, or reset your password if you forgot it."),
    ),
    "expired": (410, gettext_lazy("This invitation link has expired. Ask your administrator to send a new one.")),
}


@method_decorator([never_cache, sensitive_post_parameters("new_password1", "new_password2")], name="dispatch")
class InvitationAcceptView(View):
    """The one-time link of an invitation: choose a password, the account becomes active."""

    template_name = "users/invitation_accept.html"

    def get(self, request, token):
        checked = services.check_invitation(token)
        if not checked.ok:
            return self.refuse(request, checked.problem)
        form = SetPasswordForm(checked.invitation.user)
        return render(request, self.template_name, {"form": form, "member": checked.invitation.user})

    def post(self, request, token):
        checked = services.check_invitation(token)
        if not checked.ok:
            return self.refuse(request, checked.problem)
        member = checked.invitation.user
        form = SetPasswordForm(member, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "member": member}, status=400)
        try:
            member = services.accept_invitation(
                token=token, password=form.cleaned_data["new_password1"], request=request
            )
        except ValidationError as error:
            return self.refuse(request, error.error_list[0].code or "invalid")
        messages.success(
            request,
            _("Your account is active. Log in with your username %(username)s.") % {"username": member.username},
        )
        return redirect("login")

    def refuse(self, request, problem):
        status, message = PROBLEMS.get(problem, PROBLEMS["invalid"])
        return render(request, "users/invitation_invalid.html", {"message": message}, status=status)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of pages and e-mails"), choices=settings.LANGUAGES)


class MyAccountView(LoginRequiredMixin, FormView):
    """``/portal/users/me/``: who I am, and the language I read pages and e-mails in."""

    template_name = "users/my_account.html"
    form_class = LanguageForm

    def get_initial(self):
        return {"language": self.request.user.language or translation.get_language()}

    def form_valid(self, form):
        language = form.cleaned_data["language"]
        choose_language(user=self.request.user, language=language)
        translation.activate(language)
        messages.success(self.request, _("Saved: your pages and e-mails are in this language."))
        response = redirect("user-me")
        set_language_cookie(response, language)
        return response


def set_language(request):
    """Django's language switch; a logged-in user's choice is also saved as theirs (their e-mails, next logins)."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in offered_languages():
        choose_language(user=request.user, language=language)
    return response
