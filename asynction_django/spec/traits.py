"""Applying operation and message traits, with each AsyncAPI major version's rule."""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: ``patch`` wins, ``null`` removes."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def apply_traits_v2(target: dict[str, Any]) -> dict[str, Any]:
    """2.x: each trait is merge-patched onto the object, in order, so traits win."""
    traits = target.get("traits")
    if not isinstance(traits, list) or not traits:
        return target
    merged = {key: value for key, value in target.items() if key != "traits"}
    for trait in traits:
        if isinstance(trait, dict):
            merged = merge_patch(merged, trait)
    return merged


def apply_traits_v3(target: dict[str, Any]) -> dict[str, Any]:
    """3.x: traits are merged in order, then the object's own properties replace theirs.

    The object's values are kept as they are (not copied), so what they reference can
    still be located in the document.
    """
    traits = target.get("traits")
    if not isinstance(traits, list) or not traits:
        return target
    merged: dict[str, Any] = {}
    for trait in traits:
        if isinstance(trait, dict):
            merged = merge_patch(merged, trait)
    merged.update((key, value) for key, value in target.items() if key != "traits")
    return merged
