"""``{% main_menu %}``: the internal roles' grouped main menu (``ecosystem/menus.py``)."""

from django import template

from ecosystem.menus import ShownGroup, main_menu

register = template.Library()


@register.inclusion_tag("ecosystem/_main_menu.html", takes_context=True)
def main_menu_groups(context):
    request = context.get("request")
    if request is None:  # a page rendered without its request (an error page): no menu to mark
        return {"entries": []}
    entries = main_menu(request.user, request.path)
    return {"entries": [(isinstance(entry, ShownGroup), entry) for entry in entries]}
