from django import template

from board import metrics, rag

register = template.Library()


@register.filter
def rag_word(colour) -> str:
    """The word printed beside a traffic light (COMPLETE, GREEN, NO DATA, AMBER, RED)."""
    return rag.word(colour) if colour else "NONE"


@register.filter
def metric_value(value, unit: str) -> str:
    return metrics.format_value(value, unit)
