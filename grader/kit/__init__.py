"""The student kit: what students may have to check their work before they hand it in (docs/lms.md)."""
