from django import template

from board import metrics, rag

register = template.Library()


@register.filter
def rag_word(colour) -> str:
    """The word printed beside a traffic light (Complete, Green, No data, Amber, Red)."""
    return rag.word(colour) if colour else "None"


@register.filter
def rag_counts(counts: dict) -> list[dict]:
    """A roll-up's counts, best first and without the zeros, for board/_rag_counts.html."""
    return rag.counts_in_order(counts or {})


@register.filter
def rag_meaning(colour) -> str:
    return rag.MEANINGS[rag.Colour(colour)] if colour else ""


@register.filter
def metric_value(value, unit: str) -> str:
    return metrics.format_value(value, unit)
