"""The schema's history. Change the schema only by adding a migration at the end."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("reader")


@migrations()
def m001_initial(db: Database) -> None:
    db["documents"].create(
        {
            "id": int,
            "title": str,
            "source": str,
            "published": str,
            "path": str,
            "text": str,
            "script": str,
            "encoding": str,
            "content_hash": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"text"},
        defaults={"title": "", "source": "", "published": "", "path": "", "encoding": "utf-8"},
    )
    db["documents"].create_index(["content_hash"])
    db["tags"].create({"id": int, "name": str, "color": str}, pk="id", not_null={"name"})
    db["tags"].create_index(["name"], unique=True)
    db["annotations"].create(
        {
            "id": int,
            "document_id": int,
            "start_offset": int,
            "end_offset": int,
            "quote": str,
            "prefix": str,
            "suffix": str,
            "comment": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        defaults={"comment": "", "status": "active", "prefix": "", "suffix": ""},
    )
    db["annotations"].create_index(["document_id", "start_offset"])
    db["annotation_tags"].create(
        {"annotation_id": int, "tag_id": int},
        pk=("annotation_id", "tag_id"),
        foreign_keys=[("annotation_id", "annotations", "id"), ("tag_id", "tags", "id")],
    )
    db["annotation_tags"].create_index(["tag_id"])
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["reading_positions"].create(
        {"document_id": int, "offset": int, "updated_at": str},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )
