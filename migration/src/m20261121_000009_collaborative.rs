//! Module 09 `collaborative` (SPEC.md §11): learning_groups, group_memberships,
//! collaborative_sessions, group_analytics.
//!
//! The SS study-group tables, with the SS CHECK lists turned into enums. Everything hangs off a
//! group and goes with it (CASCADE); `collaborative_sessions.story_id`, which SS left unchecked,
//! now refers to `stories` and is cleared when the story goes. `difficulty` comes from module 01.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, TableGroup, null_or_between, null_or_positive};
use crate::m20261121_000001_users::{DIFFICULTY, Users};
use crate::m20261121_000002_content::Stories;

pub const GROUP_PRIVACY_LEVEL: DbEnum = DbEnum {
    name: "group_privacy_level",
    values: &["public", "private", "invite_only"],
};
pub const GROUP_ROLE: DbEnum = DbEnum {
    name: "group_role",
    values: &["owner", "educator", "moderator", "member", "observer"],
};
pub const DATA_SHARING_LEVEL: DbEnum = DbEnum {
    name: "data_sharing_level",
    values: &["none", "basic", "detailed", "full"],
};
pub const COLLABORATIVE_SESSION_STATUS: DbEnum = DbEnum {
    name: "collaborative_session_status",
    values: &["scheduled", "active", "paused", "completed", "cancelled"],
};
pub const ANALYTICS_PERIOD_TYPE: DbEnum = DbEnum {
    name: "analytics_period_type",
    values: &["daily", "weekly", "monthly", "custom"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[
        &GROUP_PRIVACY_LEVEL,
        &GROUP_ROLE,
        &DATA_SHARING_LEVEL,
        &COLLABORATIVE_SESSION_STATUS,
        &ANALYTICS_PERIOD_TYPE,
    ],
    tables: &[
        learning_groups,
        group_memberships,
        collaborative_sessions,
        group_analytics,
    ],
    steps: &[],
};

crate::group_migration!(GROUP);

pub(crate) fn learning_groups(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(LearningGroups::Table)
        .col(ddl.id(LearningGroups::Id))
        .col(ddl.string(LearningGroups::Name, 255))
        .col(ddl.text_null(LearningGroups::Description))
        .col(ddl.uuid(LearningGroups::CreatorId))
        .col(
            ddl.enumeration(LearningGroups::PrivacyLevel, &GROUP_PRIVACY_LEVEL)
                .default(const { GROUP_PRIVACY_LEVEL.value("private") }),
        )
        .col(ddl.boolean(LearningGroups::IsPublic).default(false))
        .col(ddl.string_null(LearningGroups::JoinCode, 20))
        .col(ddl.integer_null(LearningGroups::MaxMembers))
        .col(ddl.boolean(LearningGroups::RequiresApproval).default(false))
        .col(ddl.json_null(LearningGroups::SkillFocus))
        .col(ddl.enumeration_null(LearningGroups::DifficultyLevel, &DIFFICULTY))
        .col(ddl.json_null(LearningGroups::LearningGoals))
        .col(ddl.json_null(LearningGroups::Tags))
        .col(ddl.string(LearningGroups::Language, 10).default("en"))
        .col(ddl.string_null(LearningGroups::Timezone, 50))
        .col(ddl.timestamptz_null(LearningGroups::LastActivityAt))
        .col(ddl.integer(LearningGroups::TotalSessions).default(0))
        .col(ddl.boolean(LearningGroups::IsActive).default(true))
        .col(ddl.timestamptz_null(LearningGroups::ArchivedAt))
        .col(ddl.created_at(LearningGroups::CreatedAt))
        .col(ddl.updated_at(LearningGroups::UpdatedAt))
        .foreign_key(
            "fk_learning_groups_creator_id",
            LearningGroups::CreatorId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique("uq_learning_groups_join_code", [LearningGroups::JoinCode])
        .check(
            "ck_learning_groups_max_members",
            null_or_positive(LearningGroups::MaxMembers),
        )
        .check(
            "ck_learning_groups_total_sessions",
            Expr::col(LearningGroups::TotalSessions).gte(0),
        )
        .index(
            "ix_learning_groups_creator_active",
            [LearningGroups::CreatorId, LearningGroups::IsActive],
        )
        .index(
            "ix_learning_groups_privacy_public",
            [LearningGroups::PrivacyLevel, LearningGroups::IsPublic],
        )
        .index(
            "ix_learning_groups_difficulty",
            [LearningGroups::DifficultyLevel],
        )
        .index(
            "ix_learning_groups_last_activity",
            [LearningGroups::LastActivityAt],
        )
}

fn group_memberships(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(GroupMemberships::Table)
        .col(ddl.id(GroupMemberships::Id))
        .col(ddl.uuid(GroupMemberships::GroupId))
        .col(ddl.uuid(GroupMemberships::UserId))
        .col(
            ddl.enumeration(GroupMemberships::Role, &GROUP_ROLE)
                .default(const { GROUP_ROLE.value("member") }),
        )
        .col(ddl.boolean(GroupMemberships::IsActive).default(true))
        .col(
            ddl.timestamptz(GroupMemberships::JoinedAt)
                .default(ddl.now()),
        )
        .col(ddl.timestamptz_null(GroupMemberships::LeftAt))
        .col(ddl.uuid_null(GroupMemberships::InvitedBy))
        .col(ddl.uuid_null(GroupMemberships::ApprovedBy))
        .col(ddl.timestamptz_null(GroupMemberships::ApprovedAt))
        .col(
            ddl.enumeration(GroupMemberships::DataSharingLevel, &DATA_SHARING_LEVEL)
                .default(const { DATA_SHARING_LEVEL.value("basic") }),
        )
        .col(ddl.boolean(GroupMemberships::ShareProgress).default(true))
        .col(
            ddl.boolean(GroupMemberships::SharePerformance)
                .default(false),
        )
        .col(
            ddl.boolean(GroupMemberships::SharePracticeSessions)
                .default(false),
        )
        .col(
            ddl.boolean(GroupMemberships::AllowPeerFeedback)
                .default(true),
        )
        .col(
            ddl.boolean(GroupMemberships::NotifyNewSessions)
                .default(true),
        )
        .col(
            ddl.boolean(GroupMemberships::NotifyGroupUpdates)
                .default(true),
        )
        .col(
            ddl.boolean(GroupMemberships::NotifyPeerAchievements)
                .default(true),
        )
        .col(ddl.string_null(GroupMemberships::CustomRoleName, 100))
        .col(ddl.text_null(GroupMemberships::MemberNotes))
        .col(ddl.created_at(GroupMemberships::CreatedAt))
        .col(ddl.updated_at(GroupMemberships::UpdatedAt))
        .foreign_key(
            "fk_group_memberships_group_id",
            GroupMemberships::GroupId,
            LearningGroups::Table,
            LearningGroups::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_group_memberships_user_id",
            GroupMemberships::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_group_memberships_invited_by",
            GroupMemberships::InvitedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_group_memberships_approved_by",
            GroupMemberships::ApprovedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_group_memberships_group_user",
            [GroupMemberships::GroupId, GroupMemberships::UserId],
        )
        .check(
            "ck_group_memberships_left",
            Expr::col(GroupMemberships::LeftAt)
                .is_null()
                .or(Expr::col(GroupMemberships::LeftAt).gte(Expr::col(GroupMemberships::JoinedAt))),
        )
        .index(
            "ix_group_memberships_group_active",
            [GroupMemberships::GroupId, GroupMemberships::IsActive],
        )
        .index(
            "ix_group_memberships_user_active",
            [GroupMemberships::UserId, GroupMemberships::IsActive],
        )
        .index("ix_group_memberships_role", [GroupMemberships::Role])
        .index(
            "ix_group_memberships_joined_at",
            [GroupMemberships::JoinedAt],
        )
        .index(
            "ix_group_memberships_invited_by",
            [GroupMemberships::InvitedBy],
        )
        .index(
            "ix_group_memberships_approved_by",
            [GroupMemberships::ApprovedBy],
        )
}

pub(crate) fn collaborative_sessions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(CollaborativeSessions::Table)
        .col(ddl.id(CollaborativeSessions::Id))
        .col(ddl.string(CollaborativeSessions::SessionName, 255))
        .col(ddl.text_null(CollaborativeSessions::Description))
        .col(ddl.uuid(CollaborativeSessions::HostId))
        .col(ddl.uuid(CollaborativeSessions::GroupId))
        .col(ddl.uuid_null(CollaborativeSessions::StoryId))
        .col(ddl.json_null(CollaborativeSessions::StoryContent))
        .col(ddl.json_null(CollaborativeSessions::SessionConfig))
        .col(ddl.json_null(CollaborativeSessions::ParticipantIds))
        .col(ddl.integer_null(CollaborativeSessions::MaxParticipants))
        .col(ddl.timestamptz_null(CollaborativeSessions::ScheduledStart))
        .col(ddl.timestamptz_null(CollaborativeSessions::ScheduledEnd))
        .col(ddl.timestamptz_null(CollaborativeSessions::ActualStart))
        .col(ddl.timestamptz_null(CollaborativeSessions::ActualEnd))
        .col(
            ddl.enumeration(CollaborativeSessions::Status, &COLLABORATIVE_SESSION_STATUS)
                .default(const { COLLABORATIVE_SESSION_STATUS.value("scheduled") }),
        )
        .col(ddl.json_null(CollaborativeSessions::SessionData))
        .col(ddl.json_null(CollaborativeSessions::PerformanceSummary))
        .col(
            ddl.boolean(CollaborativeSessions::AllowPeerFeedback)
                .default(true),
        )
        .col(
            ddl.boolean(CollaborativeSessions::EnableVoiceChat)
                .default(false),
        )
        .col(
            ddl.boolean(CollaborativeSessions::EnableTextChat)
                .default(true),
        )
        .col(
            ddl.boolean(CollaborativeSessions::RecordSession)
                .default(false),
        )
        .col(ddl.boolean(CollaborativeSessions::IsPublic).default(false))
        .col(
            ddl.boolean(CollaborativeSessions::RequiresApproval)
                .default(false),
        )
        .col(ddl.enumeration_null(CollaborativeSessions::DifficultyLevel, &DIFFICULTY))
        .col(ddl.json_null(CollaborativeSessions::SkillFocus))
        .col(ddl.json_null(CollaborativeSessions::Tags))
        .col(ddl.created_at(CollaborativeSessions::CreatedAt))
        .col(ddl.updated_at(CollaborativeSessions::UpdatedAt))
        .foreign_key(
            "fk_collaborative_sessions_host_id",
            CollaborativeSessions::HostId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_collaborative_sessions_group_id",
            CollaborativeSessions::GroupId,
            LearningGroups::Table,
            LearningGroups::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_collaborative_sessions_story_id",
            CollaborativeSessions::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_collaborative_sessions_max",
            null_or_positive(CollaborativeSessions::MaxParticipants),
        )
        .check(
            "ck_collaborative_sessions_schedule",
            Expr::col(CollaborativeSessions::ScheduledStart)
                .is_null()
                .or(Expr::col(CollaborativeSessions::ScheduledEnd).is_null())
                .or(Expr::col(CollaborativeSessions::ScheduledEnd)
                    .gte(Expr::col(CollaborativeSessions::ScheduledStart))),
        )
        .index(
            "ix_collaborative_sessions_host_status",
            [CollaborativeSessions::HostId, CollaborativeSessions::Status],
        )
        .index(
            "ix_collaborative_sessions_group_scheduled",
            [
                CollaborativeSessions::GroupId,
                CollaborativeSessions::ScheduledStart,
            ],
        )
        .index(
            "ix_collaborative_sessions_status_start",
            [
                CollaborativeSessions::Status,
                CollaborativeSessions::ScheduledStart,
            ],
        )
        .index(
            "ix_collaborative_sessions_public",
            [CollaborativeSessions::IsPublic],
        )
        .index(
            "ix_collaborative_sessions_story_id",
            [CollaborativeSessions::StoryId],
        )
}

pub(crate) fn group_analytics(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(GroupAnalytics::Table)
        .col(ddl.id(GroupAnalytics::Id))
        .col(ddl.uuid(GroupAnalytics::GroupId))
        .col(ddl.timestamptz(GroupAnalytics::PeriodStart))
        .col(ddl.timestamptz(GroupAnalytics::PeriodEnd))
        .col(ddl.enumeration(GroupAnalytics::PeriodType, &ANALYTICS_PERIOD_TYPE))
        .col(ddl.integer(GroupAnalytics::TotalMembers).default(0))
        .col(ddl.integer(GroupAnalytics::ActiveMembers).default(0))
        .col(ddl.integer(GroupAnalytics::TotalSessions).default(0))
        .col(
            ddl.integer(GroupAnalytics::CollaborativeSessions)
                .default(0),
        )
        .col(ddl.integer(GroupAnalytics::TotalPracticeTime).default(0))
        .col(ddl.decimal_null(GroupAnalytics::AverageGroupScore, 5, 4))
        .col(ddl.decimal_null(GroupAnalytics::AverageCompletionRate, 5, 4))
        .col(ddl.json_null(GroupAnalytics::SkillProgress))
        .col(ddl.integer(GroupAnalytics::PeerFeedbackCount).default(0))
        .col(ddl.integer(GroupAnalytics::GroupInteractions).default(0))
        .col(ddl.json_null(GroupAnalytics::MilestonesAchieved))
        .col(ddl.json_null(GroupAnalytics::GroupAchievements))
        .col(ddl.json_null(GroupAnalytics::AnonymizedData))
        .col(ddl.created_at(GroupAnalytics::CreatedAt))
        .col(ddl.updated_at(GroupAnalytics::UpdatedAt))
        .foreign_key(
            "fk_group_analytics_group_id",
            GroupAnalytics::GroupId,
            LearningGroups::Table,
            LearningGroups::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_group_analytics_period",
            [
                GroupAnalytics::GroupId,
                GroupAnalytics::PeriodStart,
                GroupAnalytics::PeriodEnd,
                GroupAnalytics::PeriodType,
            ],
        )
        .check(
            "ck_group_analytics_members",
            Expr::col(GroupAnalytics::TotalMembers)
                .gte(0)
                .and(Expr::col(GroupAnalytics::ActiveMembers).gte(0))
                .and(
                    Expr::col(GroupAnalytics::ActiveMembers)
                        .lte(Expr::col(GroupAnalytics::TotalMembers)),
                ),
        )
        .check(
            "ck_group_analytics_sessions",
            Expr::col(GroupAnalytics::TotalSessions)
                .gte(0)
                .and(Expr::col(GroupAnalytics::CollaborativeSessions).gte(0))
                .and(
                    Expr::col(GroupAnalytics::CollaborativeSessions)
                        .lte(Expr::col(GroupAnalytics::TotalSessions)),
                ),
        )
        .check(
            "ck_group_analytics_counters",
            Expr::col(GroupAnalytics::TotalPracticeTime)
                .gte(0)
                .and(Expr::col(GroupAnalytics::PeerFeedbackCount).gte(0))
                .and(Expr::col(GroupAnalytics::GroupInteractions).gte(0)),
        )
        .check(
            "ck_group_analytics_rates",
            null_or_between(GroupAnalytics::AverageGroupScore, 0, 1).and(null_or_between(
                GroupAnalytics::AverageCompletionRate,
                0,
                1,
            )),
        )
        .check(
            "ck_group_analytics_period",
            Expr::col(GroupAnalytics::PeriodEnd).gte(Expr::col(GroupAnalytics::PeriodStart)),
        )
        .index(
            "ix_group_analytics_period_type",
            [GroupAnalytics::PeriodType],
        )
}

#[derive(DeriveIden)]
pub enum LearningGroups {
    Table,
    Id,
    Name,
    Description,
    CreatorId,
    PrivacyLevel,
    IsPublic,
    JoinCode,
    MaxMembers,
    RequiresApproval,
    SkillFocus,
    DifficultyLevel,
    LearningGoals,
    Tags,
    Language,
    Timezone,
    LastActivityAt,
    TotalSessions,
    IsActive,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum GroupMemberships {
    Table,
    Id,
    GroupId,
    UserId,
    Role,
    IsActive,
    JoinedAt,
    LeftAt,
    InvitedBy,
    ApprovedBy,
    ApprovedAt,
    DataSharingLevel,
    ShareProgress,
    SharePerformance,
    SharePracticeSessions,
    AllowPeerFeedback,
    NotifyNewSessions,
    NotifyGroupUpdates,
    NotifyPeerAchievements,
    CustomRoleName,
    MemberNotes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum CollaborativeSessions {
    Table,
    Id,
    SessionName,
    Description,
    HostId,
    GroupId,
    StoryId,
    StoryContent,
    SessionConfig,
    ParticipantIds,
    MaxParticipants,
    ScheduledStart,
    ScheduledEnd,
    ActualStart,
    ActualEnd,
    Status,
    SessionData,
    PerformanceSummary,
    AllowPeerFeedback,
    EnableVoiceChat,
    EnableTextChat,
    RecordSession,
    IsPublic,
    RequiresApproval,
    DifficultyLevel,
    SkillFocus,
    Tags,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum GroupAnalytics {
    Table,
    Id,
    GroupId,
    PeriodStart,
    PeriodEnd,
    PeriodType,
    TotalMembers,
    ActiveMembers,
    TotalSessions,
    CollaborativeSessions,
    TotalPracticeTime,
    AverageGroupScore,
    AverageCompletionRate,
    SkillProgress,
    PeerFeedbackCount,
    GroupInteractions,
    MilestonesAchieved,
    GroupAchievements,
    AnonymizedData,
    CreatedAt,
    UpdatedAt,
}
