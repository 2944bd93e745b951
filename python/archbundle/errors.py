"""The error archbundle's Python package raises: the same stable codes as the TypeScript reader
(docs/bundle-format.md §6), with issues located by JSON pointers."""
from dataclasses import dataclass
from typing import List, Sequence


@dataclass(frozen=True)
class Issue:
    """One problem in a JSON document: a JSON pointer (RFC 6901, "" for the whole document),
    what was expected and received, and the schema keyword or check that failed."""

    pointer: str
    message: str
    keyword: str

    def as_dict(self) -> dict:
        return {"pointer": self.pointer, "message": self.message, "keyword": self.keyword}


def format_issues(issues: Sequence[Issue]) -> str:
    return "; ".join(f"{i.pointer or '/'} {i.message}" for i in issues)


class ArchbundleError(Exception):
    """Base class: `code` is part of the contract (tools match on it), the message is for people."""

    def __init__(self, code: str, message: str, issues: Sequence[Issue] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.issues: List[Issue] = list(issues)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class BundleError(ArchbundleError):
    """A bundle that cannot be read, or that does not fit the model it describes."""


class ValidationError(BundleError):
    """Arguments or JSON documents failing a schema or a check the schema cannot express."""

    def __init__(self, code: str, subject: str, issues: Sequence[Issue]):
        super().__init__(code, f"{subject} are invalid: {format_issues(issues)}", issues)
        self.subject = subject
