"""``{% filter_fields filterset [exclude="a,b"] %}``: a list page's filter fields, each ``<label>label widget</label>``.

The same HTML as ``{% for field in filterset.form %}<label>{{ field.label }} {{ field }}</label>{% endfor %}``.
Django renders every ``<option>`` of a form through a template, about 10 ms for the opportunity
filters, on every request of the list, though without a query string the form is the same for
everyone who is shown the same fields in the same language. So when the filterset says so
(``static_form = True``: its unbound form depends on nothing but its fields) and the form is unbound,
its HTML is built once per filterset class, language, shown fields and ``static_form_variant`` (a
filterset whose labels depend on the kind of caller names the variant it built), and reused. Never when a
field's choices come from the database (they may be scoped to the user) or from a callable, or a
field has an initial value; a bound form (the page filtered) is always rendered anew.
"""

from django import forms, template
from django.utils import translation
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html_join

register = template.Library()

_rendered: dict = {}
_MAX_ENTRIES = 256


def _cache_key(filterset, form, skip: frozenset):
    if not getattr(filterset, "static_form", False) or form.is_bound or form.initial:
        return None
    for field in form.fields.values():
        if field.initial is not None or isinstance(field, forms.ModelChoiceField):
            return None
        if isinstance(getattr(field, "choices", None), CallableChoiceIterator):
            return None
    shown = tuple(name for name in form.fields if name not in skip)
    variant = getattr(filterset, "static_form_variant", "")
    return (type(filterset), variant, translation.get_language(), shown, form.prefix, form.auto_id)


@register.simple_tag
def filter_fields(filterset, exclude: str = ""):
    skip = frozenset(name for name in exclude.split(",") if name)
    form = filterset.form
    key = _cache_key(filterset, form, skip)
    if key is not None and (html := _rendered.get(key)) is not None:
        return html
    html = format_html_join(
        "", "<label>{} {}</label>", ((field.label, field) for field in form if field.name not in skip)
    )
    if key is not None and len(_rendered) < _MAX_ENTRIES:
        _rendered[key] = html
    return html
