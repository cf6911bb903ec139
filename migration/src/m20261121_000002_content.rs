//! Module 02 `content` (SPEC.md §4): stories, story_tags, story_versions, story_ratings,
//! content_approvals.
//!
//! The StorySign story library. `stories` keeps denormalised counters (`avg_rating`,
//! `rating_count`, ...) that the application maintains in the same transaction as the change,
//! since TiDB has no triggers (§17.3); versions, tags, ratings and reviews hang off a story and go
//! with it, while removing a user only clears their authorship (`SET NULL`).

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, JsonDefault, TableGroup, null_or_between, null_or_positive};
use crate::m20261121_000001_users::{DIFFICULTY, Users};

pub const CONTENT_STATUS: DbEnum = DbEnum {
    name: "content_status",
    values: &[
        "draft",
        "pending_review",
        "approved",
        "rejected",
        "published",
        "archived",
    ],
};
pub const VERSION_CHANGE_TYPE: DbEnum = DbEnum {
    name: "version_change_type",
    values: &["create", "edit", "publish"],
};
pub const APPROVAL_STATUS: DbEnum = DbEnum {
    name: "approval_status",
    values: &["pending", "approved", "rejected", "needs_revision"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&CONTENT_STATUS, &VERSION_CHANGE_TYPE, &APPROVAL_STATUS],
    tables: &[
        stories,
        story_tags,
        story_versions,
        story_ratings,
        content_approvals,
    ],
    steps: &[],
};

crate::group_migration!(GROUP);

pub(crate) fn stories(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Stories::Table)
        .col(ddl.id(Stories::Id))
        .col(ddl.string(Stories::Title, 255))
        .col(ddl.text_null(Stories::Description))
        .col(ddl.text(Stories::Content))
        .col(
            ddl.json(Stories::Sentences)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(ddl.string(Stories::Language, 10).default("en"))
        .col(ddl.string(Stories::ContentType, 50).default("story"))
        .col(
            ddl.enumeration(Stories::DifficultyLevel, &DIFFICULTY)
                .default(const { DIFFICULTY.value("beginner") }),
        )
        .col(ddl.json_null(Stories::LearningObjectives))
        .col(ddl.json_null(Stories::SkillAreas))
        .col(ddl.json_null(Stories::StoryMetadata))
        .col(
            ddl.enumeration(Stories::Status, &CONTENT_STATUS)
                .default(const { CONTENT_STATUS.value("draft") }),
        )
        .col(ddl.boolean(Stories::IsPublic).default(false))
        .col(ddl.boolean(Stories::IsFeatured).default(false))
        .col(ddl.integer(Stories::SentenceCount).default(0))
        .col(ddl.integer(Stories::WordCount).default(0))
        .col(ddl.integer_null(Stories::EstimatedDuration))
        .col(ddl.decimal(Stories::AvgRating, 3, 2).default(0))
        .col(ddl.integer(Stories::RatingCount).default(0))
        .col(ddl.integer(Stories::PracticeCount).default(0))
        .col(ddl.integer(Stories::ViewCount).default(0))
        .col(ddl.uuid_null(Stories::CreatedBy))
        .col(ddl.timestamptz_null(Stories::PublishedAt))
        .col(ddl.created_at(Stories::CreatedAt))
        .col(ddl.updated_at(Stories::UpdatedAt))
        .foreign_key(
            "fk_stories_created_by",
            Stories::CreatedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_stories_avg_rating",
            Expr::col(Stories::AvgRating).between(0, 5),
        )
        .check(
            "ck_stories_counters",
            Expr::col(Stories::SentenceCount)
                .gte(0)
                .and(Expr::col(Stories::WordCount).gte(0))
                .and(Expr::col(Stories::RatingCount).gte(0))
                .and(Expr::col(Stories::PracticeCount).gte(0))
                .and(Expr::col(Stories::ViewCount).gte(0)),
        )
        .check(
            "ck_stories_duration",
            null_or_positive(Stories::EstimatedDuration),
        )
        .index("ix_stories_created_by", [Stories::CreatedBy])
        .index(
            "ix_stories_status_public",
            [Stories::Status, Stories::IsPublic],
        )
        .index("ix_stories_difficulty", [Stories::DifficultyLevel])
        .index("ix_stories_language", [Stories::Language])
        .index("ix_stories_created_at", [Stories::CreatedAt])
        .index("ix_stories_avg_rating", [Stories::AvgRating])
}

fn story_tags(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(StoryTags::Table)
        .col(ddl.id(StoryTags::Id))
        .col(ddl.uuid(StoryTags::StoryId))
        .col(ddl.string(StoryTags::TagName, 100))
        .col(ddl.string_null(StoryTags::TagCategory, 50))
        .col(ddl.string_null(StoryTags::TagValue, 255))
        .col(ddl.boolean(StoryTags::IsSystemTag).default(false))
        .col(ddl.decimal(StoryTags::Weight, 5, 2).default(1.0))
        .col(ddl.created_at(StoryTags::CreatedAt))
        .foreign_key(
            "fk_story_tags_story_id",
            StoryTags::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_story_tags_story_tag",
            [StoryTags::StoryId, StoryTags::TagName],
        )
        .check("ck_story_tags_weight", Expr::col(StoryTags::Weight).gte(0))
        .index("ix_story_tags_tag_name", [StoryTags::TagName])
        .index(
            "ix_story_tags_category",
            [StoryTags::TagCategory, StoryTags::TagName],
        )
}

pub(crate) fn story_versions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(StoryVersions::Table)
        .col(ddl.id(StoryVersions::Id))
        .col(ddl.uuid(StoryVersions::StoryId))
        .col(ddl.integer(StoryVersions::VersionNumber))
        .col(ddl.string(StoryVersions::Title, 255))
        .col(ddl.text_null(StoryVersions::Description))
        .col(ddl.text(StoryVersions::Content))
        .col(ddl.json(StoryVersions::Sentences))
        .col(ddl.json_null(StoryVersions::VersionMetadata))
        .col(ddl.text_null(StoryVersions::ChangeSummary))
        .col(
            ddl.enumeration(StoryVersions::ChangeType, &VERSION_CHANGE_TYPE)
                .default(const { VERSION_CHANGE_TYPE.value("edit") }),
        )
        .col(ddl.uuid_null(StoryVersions::ChangedBy))
        .col(ddl.boolean(StoryVersions::IsCurrent).default(false))
        .col(ddl.created_at(StoryVersions::CreatedAt))
        .foreign_key(
            "fk_story_versions_story_id",
            StoryVersions::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_story_versions_changed_by",
            StoryVersions::ChangedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_story_versions_story_version",
            [StoryVersions::StoryId, StoryVersions::VersionNumber],
        )
        .check(
            "ck_story_versions_number",
            Expr::col(StoryVersions::VersionNumber).gte(1),
        )
        .index("ix_story_versions_changed_by", [StoryVersions::ChangedBy])
        .index(
            "ix_story_versions_current",
            [StoryVersions::StoryId, StoryVersions::IsCurrent],
        )
}

fn story_ratings(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(StoryRatings::Table)
        .col(ddl.id(StoryRatings::Id))
        .col(ddl.uuid(StoryRatings::StoryId))
        .col(ddl.uuid(StoryRatings::UserId))
        .col(ddl.smallint(StoryRatings::Rating))
        .col(ddl.text_null(StoryRatings::ReviewText))
        .col(ddl.smallint_null(StoryRatings::DifficultyRating))
        .col(ddl.smallint_null(StoryRatings::EngagementRating))
        .col(ddl.smallint_null(StoryRatings::EducationalValueRating))
        .col(ddl.created_at(StoryRatings::CreatedAt))
        .col(ddl.updated_at(StoryRatings::UpdatedAt))
        .foreign_key(
            "fk_story_ratings_story_id",
            StoryRatings::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_story_ratings_user_id",
            StoryRatings::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_story_ratings_story_user",
            [StoryRatings::StoryId, StoryRatings::UserId],
        )
        .check(
            "ck_story_ratings_rating",
            Expr::col(StoryRatings::Rating).between(1, 5),
        )
        .check(
            "ck_story_ratings_sub_ratings",
            null_or_between(StoryRatings::DifficultyRating, 1, 5)
                .and(null_or_between(StoryRatings::EngagementRating, 1, 5))
                .and(null_or_between(StoryRatings::EducationalValueRating, 1, 5)),
        )
        .index("ix_story_ratings_user_id", [StoryRatings::UserId])
}

fn content_approvals(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(ContentApprovals::Table)
        .col(ddl.id(ContentApprovals::Id))
        .col(ddl.uuid(ContentApprovals::StoryId))
        .col(ddl.uuid_null(ContentApprovals::ReviewerId))
        .col(
            ddl.enumeration(ContentApprovals::Status, &APPROVAL_STATUS)
                .default(const { APPROVAL_STATUS.value("pending") }),
        )
        .col(ddl.text_null(ContentApprovals::ReviewNotes))
        .col(ddl.smallint_null(ContentApprovals::ContentQualityScore))
        .col(ddl.smallint_null(ContentApprovals::EducationalValueScore))
        .col(ddl.smallint_null(ContentApprovals::TechnicalAccuracyScore))
        .col(ddl.timestamptz_null(ContentApprovals::ReviewedAt))
        .col(ddl.created_at(ContentApprovals::CreatedAt))
        .col(ddl.updated_at(ContentApprovals::UpdatedAt))
        .foreign_key(
            "fk_content_approvals_story_id",
            ContentApprovals::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_content_approvals_reviewer_id",
            ContentApprovals::ReviewerId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_content_approvals_scores",
            null_or_between(ContentApprovals::ContentQualityScore, 1, 5)
                .and(null_or_between(
                    ContentApprovals::EducationalValueScore,
                    1,
                    5,
                ))
                .and(null_or_between(
                    ContentApprovals::TechnicalAccuracyScore,
                    1,
                    5,
                )),
        )
        .check(
            "ck_content_approvals_reviewed",
            Expr::col(ContentApprovals::Status)
                .eq("pending")
                .or(Expr::col(ContentApprovals::ReviewedAt).is_not_null()),
        )
        .index(
            "ix_content_approvals_story_status",
            [ContentApprovals::StoryId, ContentApprovals::Status],
        )
        .index(
            "ix_content_approvals_reviewer_id",
            [ContentApprovals::ReviewerId],
        )
        .index(
            "ix_content_approvals_status_created",
            [ContentApprovals::Status, ContentApprovals::CreatedAt],
        )
}

#[derive(DeriveIden)]
pub enum Stories {
    Table,
    Id,
    Title,
    Description,
    Content,
    Sentences,
    Language,
    ContentType,
    DifficultyLevel,
    LearningObjectives,
    SkillAreas,
    StoryMetadata,
    Status,
    IsPublic,
    IsFeatured,
    SentenceCount,
    WordCount,
    EstimatedDuration,
    AvgRating,
    RatingCount,
    PracticeCount,
    ViewCount,
    CreatedBy,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum StoryTags {
    Table,
    Id,
    StoryId,
    TagName,
    TagCategory,
    TagValue,
    IsSystemTag,
    Weight,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum StoryVersions {
    Table,
    Id,
    StoryId,
    VersionNumber,
    Title,
    Description,
    Content,
    Sentences,
    VersionMetadata,
    ChangeSummary,
    ChangeType,
    ChangedBy,
    IsCurrent,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum StoryRatings {
    Table,
    Id,
    StoryId,
    UserId,
    Rating,
    ReviewText,
    DifficultyRating,
    EngagementRating,
    EducationalValueRating,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum ContentApprovals {
    Table,
    Id,
    StoryId,
    ReviewerId,
    Status,
    ReviewNotes,
    ContentQualityScore,
    EducationalValueScore,
    TechnicalAccuracyScore,
    ReviewedAt,
    CreatedAt,
    UpdatedAt,
}
