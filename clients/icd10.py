"""ICD-10-CM look-ups against the official code set shipped by simple-icd-10-cm."""

from __future__ import annotations

import simple_icd_10_cm as cm
from django.core.exceptions import ValidationError


def normalise(code: str) -> str:
    code = (code or "").strip().upper().replace(" ", "")
    if code and "." not in code and len(code) > 3 and cm.is_valid_item(code):
        code = cm.add_dot(code)
    return code


def validate_billable(code: str) -> tuple[str, str]:
    """Return (code, official description) for a billable leaf code, or raise.

    Categories such as F32 are valid ICD-10-CM items but not billable: a claim
    needs the most specific code (F32.1), so they are refused with a hint.
    """
    code = normalise(code)
    if not code or not cm.is_valid_item(code):
        raise ValidationError(f"{code or 'That'} is not an ICD-10-CM code.", code="invalid")
    if not cm.is_leaf(code):
        children = [c for c in cm.get_children(code)][:4]
        hint = f" Choose a more specific code, e.g. {', '.join(children)}." if children else ""
        raise ValidationError(
            f"{code} is a category, not a billable code.{hint}", code="not_billable"
        )
    return code, cm.get_description(code)
