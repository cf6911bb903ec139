//! Module 11 `communication` (SPEC.md §13): messages, discussion_threads, discussion_posts, announcements.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::TableGroup;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

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
