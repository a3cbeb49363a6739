"""Who may see and request exports: whoever may see the dataset sees its exports."""

from datasets.policy import can_request_export, dataset_for, require

__all__ = ["require", "dataset_for", "can_request_export"]
