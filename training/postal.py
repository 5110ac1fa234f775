"""A postal address, spelled once.

Training keeps a person's address for materials (``TrainingProfile``) and
materials keeps a parcel's (``Dispatch``), both in the fields
``address_line_1``, ``address_line_2``, ``town`` and ``postcode``; this is the
value that passes between them (``training.selectors.delivery_address``, the
materials request forms and services). It lives in training because materials
sits above training and may import it, not the other way round.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

FIELDS = ("address_line_1", "address_line_2", "town", "postcode")


@dataclass(frozen=True)
class PostalAddress:
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str

    @classmethod
    def of(cls, record) -> PostalAddress:
        """The address held in the four fields of a model instance."""
        return cls(*(getattr(record, name) or "" for name in FIELDS))

    def as_fields(self) -> dict[str, str]:
        """The model's field names and values, to create or fill a form with."""
        return asdict(self)
