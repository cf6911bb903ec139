//! Module 01 `users` (SPEC.md §3): users, user_profiles, user_sessions, user_preferences.
//!
//! `users` merges the accounts of all five systems, so email is optional (KG and WB accounts
//! have none) and `ck_users_login_identifier` demands an email or a username instead. This module
//! also creates the two enums shared across modules, `difficulty` and `question_type`, so they
//! exist before any group that uses them and are dropped only when everything else is gone.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, JsonDefault, Pattern, TableGroup};

pub const ROLE: DbEnum = DbEnum {
    name: "role",
    values: &["student", "educator", "admin"],
};
pub const CONTENT_ROLE: DbEnum = DbEnum {
    name: "content_role",
    values: &["author", "reviewer"],
};
pub const SKILL_LEVEL: DbEnum = DbEnum {
    name: "skill_level",
    values: &["beginner", "intermediate", "advanced", "expert"],
};
/// Shared: courses, stories, practice sessions, progress, groups and collaborative sessions.
pub const DIFFICULTY: DbEnum = DbEnum {
    name: "difficulty",
    values: &["beginner", "intermediate", "advanced"],
};
/// Shared: questions (assessments) and items (adaptive).
pub const QUESTION_TYPE: DbEnum = DbEnum {
    name: "question_type",
    values: &[
        "multiple_choice",
        "true_false",
        "short_answer",
        "essay",
        "fill_blank",
        "matching",
    ],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[
        &ROLE,
        &CONTENT_ROLE,
        &SKILL_LEVEL,
        &DIFFICULTY,
        &QUESTION_TYPE,
    ],
    tables: &[users, user_profiles, user_sessions, user_preferences],
    steps: &[],
};

crate::group_migration!(GROUP);

pub(crate) fn users(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Users::Table)
        .col(ddl.id(Users::Id))
        .col(ddl.string_null(Users::Email, 255))
        .col(ddl.string_null(Users::Username, 255))
        .col(ddl.string_null(Users::PasswordHash, 255))
        .col(ddl.string_null(Users::PasswordSalt, 255))
        .col(
            ddl.enumeration(Users::Role, &ROLE)
                .default(const { ROLE.value("student") }),
        )
        .col(ddl.enumeration_null(Users::ContentRole, &CONTENT_ROLE))
        .col(ddl.string_null(Users::FirstName, 100))
        .col(ddl.string_null(Users::LastName, 100))
        .col(ddl.string_null(Users::FullName, 255))
        .col(ddl.char_null(Users::CountryCode, 2))
        .col(ddl.boolean(Users::EmailVerified).default(false))
        .col(ddl.string_null(Users::VerificationToken, 255))
        .col(ddl.string_null(Users::PasswordResetToken, 255))
        .col(ddl.timestamptz_null(Users::PasswordResetExpires))
        .col(ddl.timestamptz_null(Users::PasswordChangedAt))
        .col(ddl.boolean(Users::MfaEnabled).default(false))
        .col(ddl.string_null(Users::MfaSecret, 255))
        .col(ddl.integer(Users::FailedLoginAttempts).default(0))
        .col(ddl.timestamptz_null(Users::LockedUntil))
        .col(ddl.integer(Users::LoginCount).default(0))
        .col(ddl.timestamptz_null(Users::LastLogin))
        .col(ddl.timestamptz_null(Users::LastActiveAt))
        .col(ddl.boolean(Users::GdprConsent).default(false))
        .col(ddl.timestamptz_null(Users::GdprConsentDate))
        .col(ddl.timestamptz_null(Users::DataRetentionUntil))
        .col(ddl.json_null(Users::Metadata))
        .col(ddl.boolean(Users::IsActive).default(true))
        .col(ddl.timestamptz_null(Users::DeletedAt))
        .col(ddl.created_at(Users::CreatedAt))
        .col(ddl.updated_at(Users::UpdatedAt))
        .unique("uq_users_email", [Users::Email])
        .unique("uq_users_username", [Users::Username])
        .check(
            "ck_users_login_identifier",
            Expr::col(Users::Email)
                .is_not_null()
                .or(Expr::col(Users::Username).is_not_null()),
        )
        .check(
            "ck_users_email_format",
            Expr::col(Users::Email).is_null().or(ddl.matches(
                Users::Email,
                Pattern {
                    regex: r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
                    case_insensitive: true,
                    sqlite: Expr::col(Users::Email).like("%_@_%._%"),
                },
            )),
        )
        .check(
            "ck_users_country_code",
            Expr::col(Users::CountryCode)
                .is_null()
                .or(Func::cust("LENGTH")
                    .arg(Expr::col(Users::CountryCode))
                    .eq(2)),
        )
        .check(
            "ck_users_counters",
            Expr::col(Users::FailedLoginAttempts)
                .gte(0)
                .and(Expr::col(Users::LoginCount).gte(0)),
        )
        .index("ix_users_role", [Users::Role])
        .index("ix_users_is_active", [Users::IsActive])
        .index("ix_users_created_at", [Users::CreatedAt])
        .index("ix_users_last_login", [Users::LastLogin])
}

pub(crate) fn user_profiles(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(UserProfiles::Table)
        .col(ddl.id(UserProfiles::Id))
        .col(ddl.uuid(UserProfiles::UserId))
        .col(ddl.string_null(UserProfiles::AvatarUrl, 500))
        .col(ddl.text_null(UserProfiles::Bio))
        .col(ddl.string_null(UserProfiles::Location, 255))
        .col(ddl.string(UserProfiles::Timezone, 50).default("UTC"))
        .col(ddl.string(UserProfiles::Language, 10).default("en"))
        .col(
            ddl.enumeration(UserProfiles::SkillLevel, &SKILL_LEVEL)
                .default(const { SKILL_LEVEL.value("beginner") }),
        )
        .col(ddl.json_null(UserProfiles::LearningGoals))
        .col(ddl.json_null(UserProfiles::Interests))
        .col(ddl.json_null(UserProfiles::AccessibilitySettings))
        .col(
            ddl.json(UserProfiles::PrivacySettings)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(
            ddl.json(UserProfiles::NotificationPreferences)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.created_at(UserProfiles::CreatedAt))
        .col(ddl.updated_at(UserProfiles::UpdatedAt))
        .foreign_key(
            "fk_user_profiles_user_id",
            UserProfiles::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique("uq_user_profiles_user_id", [UserProfiles::UserId])
        .check(
            "ck_user_profiles_language",
            language_check(ddl, UserProfiles::Language),
        )
        .index("ix_user_profiles_skill_level", [UserProfiles::SkillLevel])
        .index("ix_user_profiles_language", [UserProfiles::Language])
}

/// `^[a-z]{2}(-[A-Z]{2})?$` (AL `valid_language`), case-sensitive on every backend.
pub fn language_check(ddl: &Ddl, col: impl IntoIden) -> Expr {
    let col = col.into_iden();
    ddl.matches(
        col.clone(),
        Pattern {
            regex: "^[a-z]{2}(-[A-Z]{2})?$",
            case_insensitive: false,
            sqlite: Expr::col(col.clone())
                .binary(BinOper::Custom("GLOB"), "[a-z][a-z]")
                .or(Expr::col(col).binary(BinOper::Custom("GLOB"), "[a-z][a-z]-[A-Z][A-Z]")),
        },
    )
}

fn user_sessions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(UserSessions::Table)
        .col(ddl.id(UserSessions::Id))
        .col(ddl.uuid(UserSessions::UserId))
        .col(ddl.string(UserSessions::SessionToken, 255))
        .col(ddl.timestamptz(UserSessions::ExpiresAt))
        .col(ddl.string_null(UserSessions::IpAddress, 45))
        .col(ddl.text_null(UserSessions::UserAgent))
        .col(ddl.boolean(UserSessions::IsActive).default(true))
        .col(ddl.created_at(UserSessions::CreatedAt))
        .col(ddl.updated_at(UserSessions::UpdatedAt))
        .foreign_key(
            "fk_user_sessions_user_id",
            UserSessions::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_user_sessions_session_token",
            [UserSessions::SessionToken],
        )
        .check(
            "ck_user_sessions_expiry",
            Expr::col(UserSessions::ExpiresAt).gt(Expr::col(UserSessions::CreatedAt)),
        )
        .index(
            "ix_user_sessions_user_active",
            [UserSessions::UserId, UserSessions::IsActive],
        )
        .index("ix_user_sessions_expires_at", [UserSessions::ExpiresAt])
}

fn user_preferences(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(UserPreferences::Table)
        .col(ddl.id(UserPreferences::Id))
        .col(ddl.uuid(UserPreferences::UserId))
        .col(ddl.string(UserPreferences::PreferenceKey, 100))
        .col(ddl.json(UserPreferences::PreferenceValue))
        .col(ddl.created_at(UserPreferences::CreatedAt))
        .col(ddl.updated_at(UserPreferences::UpdatedAt))
        .foreign_key(
            "fk_user_preferences_user_id",
            UserPreferences::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_user_preferences_user_key",
            [UserPreferences::UserId, UserPreferences::PreferenceKey],
        )
        .index("ix_user_preferences_key", [UserPreferences::PreferenceKey])
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    Username,
    PasswordHash,
    PasswordSalt,
    Role,
    ContentRole,
    FirstName,
    LastName,
    FullName,
    CountryCode,
    EmailVerified,
    VerificationToken,
    PasswordResetToken,
    PasswordResetExpires,
    PasswordChangedAt,
    MfaEnabled,
    MfaSecret,
    FailedLoginAttempts,
    LockedUntil,
    LoginCount,
    LastLogin,
    LastActiveAt,
    GdprConsent,
    GdprConsentDate,
    DataRetentionUntil,
    Metadata,
    IsActive,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum UserProfiles {
    Table,
    Id,
    UserId,
    AvatarUrl,
    Bio,
    Location,
    Timezone,
    Language,
    SkillLevel,
    LearningGoals,
    Interests,
    AccessibilitySettings,
    PrivacySettings,
    NotificationPreferences,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum UserSessions {
    Table,
    Id,
    UserId,
    SessionToken,
    ExpiresAt,
    IpAddress,
    UserAgent,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum UserPreferences {
    Table,
    Id,
    UserId,
    PreferenceKey,
    PreferenceValue,
    CreatedAt,
    UpdatedAt,
}
