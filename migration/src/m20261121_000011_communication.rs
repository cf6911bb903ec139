//! Module 11 `communication` (SPEC.md §13): messages, discussion_threads, discussion_posts,
//! announcements.
//!
//! The DZ messaging and course-forum tables. Messages and posts go with their author, recipient,
//! thread or course (CASCADE); the reply links DZ left unchecked (`parent_message_id`,
//! `parent_post_id`) now refer to their own table and are cleared when the parent goes (SET NULL:
//! MySQL limits self-referential cascades to a depth of 15). `conversation_id` is a logical thread
//! key with no table behind it, so it has no foreign key. Counters (`reply_count`, `view_count`,
//! `upvote_count`) are kept by the application (SPEC.md §17.3).
//!
//! `ck_messages_not_self` compares two columns that `ON DELETE CASCADE` writes, which the MySQL
//! family forbids (error 3823): it exists on PostgreSQL and SQLite only, and the application
//! enforces it on MySQL (SPEC.md §17.5 ‡). No deviations from SPEC.md.

use sea_orm_migration::prelude::*;

use crate::ddl::{Ddl, JsonDefault, TableDef, TableGroup};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000003_courses::Courses;

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[
        messages,
        discussion_threads,
        discussion_posts,
        announcements,
    ],
    steps: &[],
};

crate::group_migration!(GROUP);

fn messages(ddl: &Ddl) -> TableDef {
    ddl.table(Messages::Table)
        .col(ddl.id(Messages::Id))
        .col(ddl.uuid(Messages::SenderId))
        .col(ddl.uuid(Messages::RecipientId))
        .col(ddl.uuid(Messages::ConversationId))
        .col(ddl.string_null(Messages::Subject, 255))
        .col(ddl.text(Messages::Content))
        .col(
            ddl.json(Messages::Attachments)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(ddl.boolean(Messages::IsRead).default(false))
        .col(ddl.timestamptz_null(Messages::ReadAt))
        .col(ddl.uuid_null(Messages::ParentMessageId))
        .col(ddl.timestamptz_null(Messages::DeletedBySender))
        .col(ddl.timestamptz_null(Messages::DeletedByRecipient))
        .col(ddl.created_at(Messages::CreatedAt))
        .col(ddl.updated_at(Messages::UpdatedAt))
        .foreign_key(
            "fk_messages_sender_id",
            Messages::SenderId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_messages_recipient_id",
            Messages::RecipientId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_messages_parent_message_id",
            Messages::ParentMessageId,
            Messages::Table,
            Messages::Id,
            ForeignKeyAction::SetNull,
        )
        .check_on_fk_column(
            "ck_messages_not_self",
            Expr::col(Messages::SenderId).ne(Expr::col(Messages::RecipientId)),
        )
        .index(
            "ix_messages_conversation",
            [Messages::ConversationId, Messages::CreatedAt],
        )
        .index(
            "ix_messages_recipient_read",
            [Messages::RecipientId, Messages::IsRead],
        )
        .index("ix_messages_sender_id", [Messages::SenderId])
        .index("ix_messages_parent", [Messages::ParentMessageId])
}

fn discussion_threads(ddl: &Ddl) -> TableDef {
    ddl.table(DiscussionThreads::Table)
        .col(ddl.id(DiscussionThreads::Id))
        .col(ddl.uuid(DiscussionThreads::CourseId))
        .col(ddl.uuid(DiscussionThreads::AuthorId))
        .col(ddl.string(DiscussionThreads::Category, 100))
        .col(ddl.string(DiscussionThreads::Title, 255))
        .col(ddl.text(DiscussionThreads::Content))
        .col(ddl.boolean(DiscussionThreads::IsPinned).default(false))
        .col(ddl.boolean(DiscussionThreads::IsLocked).default(false))
        .col(ddl.integer(DiscussionThreads::ViewCount).default(0))
        .col(ddl.integer(DiscussionThreads::ReplyCount).default(0))
        .col(
            ddl.timestamptz(DiscussionThreads::LastActivityAt)
                .default(ddl.now()),
        )
        .col(ddl.created_at(DiscussionThreads::CreatedAt))
        .col(ddl.updated_at(DiscussionThreads::UpdatedAt))
        .foreign_key(
            "fk_discussion_threads_course_id",
            DiscussionThreads::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_discussion_threads_author_id",
            DiscussionThreads::AuthorId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .check(
            "ck_discussion_threads_counters",
            Expr::col(DiscussionThreads::ViewCount)
                .gte(0)
                .and(Expr::col(DiscussionThreads::ReplyCount).gte(0)),
        )
        .index(
            "ix_discussion_threads_course_activity",
            [
                DiscussionThreads::CourseId,
                DiscussionThreads::LastActivityAt,
            ],
        )
        .index(
            "ix_discussion_threads_author_id",
            [DiscussionThreads::AuthorId],
        )
        .index(
            "ix_discussion_threads_last_activity",
            [DiscussionThreads::LastActivityAt],
        )
}

fn discussion_posts(ddl: &Ddl) -> TableDef {
    ddl.table(DiscussionPosts::Table)
        .col(ddl.id(DiscussionPosts::Id))
        .col(ddl.uuid(DiscussionPosts::ThreadId))
        .col(ddl.uuid(DiscussionPosts::AuthorId))
        .col(ddl.uuid_null(DiscussionPosts::ParentPostId))
        .col(ddl.text(DiscussionPosts::Content))
        .col(ddl.integer(DiscussionPosts::UpvoteCount).default(0))
        .col(ddl.boolean(DiscussionPosts::IsSolution).default(false))
        .col(ddl.timestamptz_null(DiscussionPosts::EditedAt))
        .col(
            ddl.json(DiscussionPosts::EditHistory)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(ddl.boolean(DiscussionPosts::IsDeleted).default(false))
        .col(ddl.created_at(DiscussionPosts::CreatedAt))
        .col(ddl.updated_at(DiscussionPosts::UpdatedAt))
        .foreign_key(
            "fk_discussion_posts_thread_id",
            DiscussionPosts::ThreadId,
            DiscussionThreads::Table,
            DiscussionThreads::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_discussion_posts_author_id",
            DiscussionPosts::AuthorId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_discussion_posts_parent_post_id",
            DiscussionPosts::ParentPostId,
            DiscussionPosts::Table,
            DiscussionPosts::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_discussion_posts_upvotes",
            Expr::col(DiscussionPosts::UpvoteCount).gte(0),
        )
        .index(
            "ix_discussion_posts_thread_created",
            [DiscussionPosts::ThreadId, DiscussionPosts::CreatedAt],
        )
        .index("ix_discussion_posts_author_id", [DiscussionPosts::AuthorId])
        .index(
            "ix_discussion_posts_parent",
            [DiscussionPosts::ParentPostId],
        )
}

fn announcements(ddl: &Ddl) -> TableDef {
    ddl.table(Announcements::Table)
        .col(ddl.id(Announcements::Id))
        .col(ddl.uuid(Announcements::CourseId))
        .col(ddl.uuid(Announcements::EducatorId))
        .col(ddl.string(Announcements::Title, 255))
        .col(ddl.text(Announcements::Content))
        .col(ddl.timestamptz_null(Announcements::ScheduledFor))
        .col(ddl.timestamptz_null(Announcements::PublishedAt))
        .col(ddl.created_at(Announcements::CreatedAt))
        .col(ddl.updated_at(Announcements::UpdatedAt))
        .foreign_key(
            "fk_announcements_course_id",
            Announcements::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_announcements_educator_id",
            Announcements::EducatorId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .index(
            "ix_announcements_course_published",
            [Announcements::CourseId, Announcements::PublishedAt],
        )
        .index("ix_announcements_educator_id", [Announcements::EducatorId])
        .index(
            "ix_announcements_published_at",
            [Announcements::PublishedAt],
        )
}

#[derive(DeriveIden)]
pub enum Messages {
    Table,
    Id,
    SenderId,
    RecipientId,
    ConversationId,
    Subject,
    Content,
    Attachments,
    IsRead,
    ReadAt,
    ParentMessageId,
    DeletedBySender,
    DeletedByRecipient,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum DiscussionThreads {
    Table,
    Id,
    CourseId,
    AuthorId,
    Category,
    Title,
    Content,
    IsPinned,
    IsLocked,
    ViewCount,
    ReplyCount,
    LastActivityAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum DiscussionPosts {
    Table,
    Id,
    ThreadId,
    AuthorId,
    ParentPostId,
    Content,
    UpvoteCount,
    IsSolution,
    EditedAt,
    EditHistory,
    IsDeleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Announcements {
    Table,
    Id,
    CourseId,
    EducatorId,
    Title,
    Content,
    ScheduledFor,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}
