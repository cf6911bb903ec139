//! Users and what hangs off them directly (module `users`), and StorySign's stories (module
//! `content`): instructors author stories, learners rate them.

use chrono::TimeDelta;
use entity::sea_orm_active_enums::{
    ApprovalStatus, ContentRole, ContentStatus, Difficulty, Role, SkillLevel, VersionChangeType,
};
use entity::{
    content_approvals, stories, story_ratings, story_tags, story_versions, user_preferences,
    user_profiles, user_sessions, users,
};
use fake::Fake;
use fake::faker::address::en::{CityName, CountryName};
use fake::faker::internet::en::{IPv4, UserAgent};
use fake::faker::lorem::en::{Paragraph, Sentence, Words};
use fake::faker::name::en::{FirstName, LastName};
use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::IntoActiveModel;
use serde_json::json;
use uuid::Uuid;

use super::det::{Ctx, DAY_MS, dec, slug};
use super::plan::{
    PREFERENCES_PER_USER, RATINGS_PER_STORY, SESSIONS_PER_USER, TAGS_PER_STORY, VERSIONS_PER_STORY,
};

const CHANNELS: [&str; 3] = ["web", "ios", "android"];
pub const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "ES", "BR", "IN", "CN", "JP", "CA"];
pub const LANGUAGES: &[&str] = &["en", "en", "en", "es", "fr", "de", "pt-BR", "zh-CN"];
pub const TIMEZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Shanghai",
    "Asia/Tokyo",
];
pub const DIFFICULTIES: [Difficulty; 3] = [
    Difficulty::Beginner,
    Difficulty::Intermediate,
    Difficulty::Advanced,
];
pub const SKILLS: &[&str] = &[
    "fingerspelling",
    "vocabulary",
    "grammar",
    "comprehension",
    "fluency",
    "expression",
];

/// The id of user `i` (instructors first, then learners).
pub fn user(ctx: &Ctx, i: u64) -> Uuid {
    ctx.id_of("users", i)
}

/// The user index of learner `k`.
pub fn learner(ctx: &Ctx, k: u64) -> u64 {
    ctx.n.instructors + k % ctx.n.learners
}

/// The user index of the instructor for `x` (a course, a story...).
pub fn instructor(ctx: &Ctx, x: u64) -> u64 {
    x % ctx.n.instructors
}

/// First and last name of user `i` (also used by the profile).
fn names(ctx: &Ctx, i: u64) -> (String, String) {
    let mut rng = ctx.rng("users.name", i);
    (
        FirstName().fake_with_rng(&mut rng),
        LastName().fake_with_rng(&mut rng),
    )
}

/// The username of user `i`: unique through its index.
pub fn username(ctx: &Ctx, i: u64) -> String {
    let (first, last) = names(ctx, i);
    format!("{}.{}{i}", slug(&first), slug(&last))
}

pub fn users(ctx: &Ctx) -> impl Iterator<Item = users::ActiveModel> + Send + '_ {
    (0..ctx.n.users).map(move |i| {
        let mut rng = ctx.rng("users", i);
        let created = ctx.created("users", i);
        let (first, last) = names(ctx, i);
        let login = username(ctx, i);
        let role = match i {
            0 => Role::Admin,
            i if i < ctx.n.instructors => Role::Educator,
            _ => Role::Student,
        };
        let content_role = match (role.clone(), i % 3) {
            (Role::Educator, 1) => Some(ContentRole::Author),
            (Role::Educator, 2) => Some(ContentRole::Reviewer),
            _ => None,
        };
        // Kedge and WriteBot accounts have no email: one learner in ten.
        let email = (i % 10 != 9).then(|| format!("{login}@example.com"));
        let last_login = created + TimeDelta::days(rng.random_range(1..600));
        let consent = rng.random_bool(0.8);
        // Every third learner is a Kedge student in a school class: year, grade, class.
        let class = (role == Role::Student && i.is_multiple_of(3))
            .then(|| format!("{}{:02}{:02}", 2024 + i % 2, 1 + i / 3 % 3, 1 + i / 9 % 4));
        users::Model {
            id: user(ctx, i),
            email,
            username: Some(login),
            password_hash: Some(format!(
                "$argon2id$v=19$m=19456,t=2,p=1${:016x}${:016x}",
                ctx.hash("users.salt", i),
                ctx.hash("users.hash", i)
            )),
            password_salt: None,
            role,
            content_role,
            full_name: Some(format!("{first} {last}")),
            first_name: Some(first),
            last_name: Some(last),
            country_code: Some((*COUNTRIES.choose(&mut rng).unwrap_or(&"US")).to_owned()),
            email_verified: rng.random_bool(0.85),
            verification_token: None,
            password_reset_token: None,
            password_reset_expires: None,
            password_changed_at: Some(created + TimeDelta::days(rng.random_range(0..30))),
            mfa_enabled: rng.random_bool(0.2),
            mfa_secret: None,
            failed_login_attempts: rng.random_range(0..3),
            locked_until: None,
            login_count: rng.random_range(1..400),
            last_login: Some(last_login),
            last_active_at: Some(last_login + TimeDelta::minutes(rng.random_range(1..90))),
            gdpr_consent: consent,
            gdpr_consent_date: consent.then_some(created),
            data_retention_until: None,
            metadata: Some(json!({"source": "demo", "signup_channel": CHANNELS[i as usize % 3]})),
            is_active: i % 25 != 24,
            deleted_at: None,
            class,
            created_at: created,
            updated_at: last_login,
        }
        .into_active_model()
    })
}

pub fn user_profiles(ctx: &Ctx) -> impl Iterator<Item = user_profiles::ActiveModel> + Send + '_ {
    (0..ctx.n.users).map(move |i| {
        let mut rng = ctx.rng("user_profiles", i);
        let created = ctx.created("users", i);
        let level = [
            SkillLevel::Beginner,
            SkillLevel::Intermediate,
            SkillLevel::Advanced,
            SkillLevel::Expert,
        ][rng.random_range(0..4)]
        .clone();
        let city: String = CityName().fake_with_rng(&mut rng);
        let country: String = CountryName().fake_with_rng(&mut rng);
        user_profiles::Model {
            id: ctx.id("user_profiles", i, created),
            user_id: user(ctx, i),
            avatar_url: Some(format!("https://cdn.example.com/avatars/{}.png", username(ctx, i))),
            bio: Some(Paragraph(1..3).fake_with_rng(&mut rng)),
            location: Some(format!("{city}, {country}")),
            timezone: (*TIMEZONES.choose(&mut rng).unwrap_or(&"UTC")).to_owned(),
            language: (*LANGUAGES.choose(&mut rng).unwrap_or(&"en")).to_owned(),
            skill_level: level,
            learning_goals: Some(json!([SKILLS[i as usize % SKILLS.len()], "daily practice"])),
            interests: Some(json!(Words(2..5).fake_with_rng::<Vec<String>, _>(&mut rng))),
            accessibility_settings: Some(json!({"captions": rng.random_bool(0.5), "high_contrast": rng.random_bool(0.1)})),
            privacy_settings: json!({"profile_visible": rng.random_bool(0.7), "share_progress": rng.random_bool(0.5)}),
            notification_preferences: json!({"email": true, "push": rng.random_bool(0.6), "digest": "weekly"}),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn user_preferences(
    ctx: &Ctx,
) -> impl Iterator<Item = user_preferences::ActiveModel> + Send + '_ {
    (0..ctx.n.users * PREFERENCES_PER_USER).map(move |r| {
        let i = r / PREFERENCES_PER_USER;
        let mut rng = ctx.rng("user_preferences", r);
        let created = ctx.created("users", i) + TimeDelta::minutes(5 + r as i64 % 3);
        let (key, value) = match r % PREFERENCES_PER_USER {
            0 => ("theme", json!(["light", "dark", "system"][rng.random_range(0..3)])),
            1 => ("notifications", json!(rng.random_bool(0.7))),
            _ => (
                "practiceSettings",
                json!({"defaultQuestionCount": rng.random_range(5..30), "defaultTimeLimit": rng.random_range(10..60), "showAnswerImmediately": rng.random_bool(0.5)}),
            ),
        };
        user_preferences::Model {
            id: ctx.id("user_preferences", r, created),
            user_id: user(ctx, i),
            preference_key: key.to_owned(),
            preference_value: value,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn user_sessions(ctx: &Ctx) -> impl Iterator<Item = user_sessions::ActiveModel> + Send + '_ {
    (0..ctx.n.users * SESSIONS_PER_USER).map(move |r| {
        let i = r / SESSIONS_PER_USER;
        let mut rng = ctx.rng("user_sessions", r);
        let created = ctx.created("users", i) + TimeDelta::days(rng.random_range(0..700));
        let expires = created + TimeDelta::days(30);
        user_sessions::Model {
            id: ctx.id("user_sessions", r, created),
            user_id: user(ctx, i),
            // A SHA-256-sized hex digest, as the spec asks instead of the raw token.
            session_token: format!(
                "{:016x}{:016x}{:016x}{:016x}",
                ctx.hash("user_sessions.token.a", r),
                ctx.hash("user_sessions.token.b", r),
                ctx.hash("user_sessions.token.c", r),
                ctx.hash("user_sessions.token.d", r)
            ),
            expires_at: expires,
            ip_address: Some(IPv4().fake_with_rng(&mut rng)),
            user_agent: Some(UserAgent().fake_with_rng(&mut rng)),
            is_active: r % SESSIONS_PER_USER == 1,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

/// The sentences of story `s`, for the story, its versions and the practice of it.
pub fn story_sentences(ctx: &Ctx, s: u64) -> Vec<String> {
    let mut rng = ctx.rng("stories.sentences", s);
    (0..8)
        .map(|_| Sentence(4..9).fake_with_rng(&mut rng))
        .collect()
}

pub fn story_title(ctx: &Ctx, s: u64) -> String {
    let mut rng = ctx.rng("stories.title", s);
    let words: Vec<String> = Words(2..5).fake_with_rng(&mut rng);
    let mut title = words.join(" ");
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    title
}

pub fn stories(ctx: &Ctx) -> impl Iterator<Item = stories::ActiveModel> + Send + '_ {
    (0..ctx.n.stories).map(move |s| {
        let mut rng = ctx.rng("stories", s);
        let created = ctx.created("stories", s);
        let sentences = story_sentences(ctx, s);
        let content = sentences.join(" ");
        let words = content.split_whitespace().count() as i32;
        let published = s % 5 != 4;
        let status = if published {
            ContentStatus::Published
        } else {
            [ContentStatus::Draft, ContentStatus::PendingReview][s as usize % 2].clone()
        };
        // The average of this story's ratings, as the application maintains it.
        let ratings: Vec<i16> = (0..RATINGS_PER_STORY)
            .map(|k| rating(ctx, s * RATINGS_PER_STORY + k))
            .collect();
        let avg = ratings.iter().map(|r| i64::from(*r)).sum::<i64>() * 100 / ratings.len() as i64;
        stories::Model {
            id: ctx.id_of("stories", s),
            title: story_title(ctx, s),
            description: Some(Sentence(8..16).fake_with_rng(&mut rng)),
            content,
            sentences: json!(sentences),
            language: "en".to_owned(),
            content_type: "story".to_owned(),
            difficulty_level: DIFFICULTIES[s as usize % 3].clone(),
            learning_objectives: Some(json!([SKILLS[s as usize % SKILLS.len()]])),
            skill_areas: Some(json!([
                SKILLS[s as usize % SKILLS.len()],
                SKILLS[(s as usize + 1) % SKILLS.len()]
            ])),
            story_metadata: Some(json!({"illustrated": rng.random_bool(0.5)})),
            status,
            is_public: published,
            is_featured: s.is_multiple_of(7),
            sentence_count: sentences.len() as i32,
            word_count: words,
            estimated_duration: Some(rng.random_range(3..20)),
            avg_rating: dec(avg, 2),
            rating_count: RATINGS_PER_STORY as i32,
            // The story sessions of this story: story session m practises story m % stories.
            practice_count: (ctx.n.story_sessions() / ctx.n.stories
                + u64::from(s < ctx.n.story_sessions() % ctx.n.stories))
                as i32,
            view_count: rng.random_range(0..5000),
            created_by: Some(user(ctx, instructor(ctx, s))),
            published_at: published.then(|| created + TimeDelta::days(2)),
            created_at: created,
            updated_at: created + TimeDelta::days(2),
        }
        .into_active_model()
    })
}

pub fn story_tags(ctx: &Ctx) -> impl Iterator<Item = story_tags::ActiveModel> + Send + '_ {
    const TAGS: &[(&str, &str)] = &[
        ("animals", "theme"),
        ("family", "theme"),
        ("school", "setting"),
        ("travel", "setting"),
        ("food", "theme"),
        ("weather", "theme"),
        ("numbers", "skill"),
        ("colors", "skill"),
    ];
    (0..ctx.n.stories * TAGS_PER_STORY).map(move |r| {
        let s = r / TAGS_PER_STORY;
        let k = r % TAGS_PER_STORY;
        let created = ctx.created("stories", s) + TimeDelta::hours(1 + k as i64);
        // Three distinct tags per story: consecutive entries of the list.
        let (name, category) = TAGS[(s + k) as usize % TAGS.len()];
        story_tags::Model {
            id: ctx.id("story_tags", r, created),
            story_id: ctx.id_of("stories", s),
            tag_name: name.to_owned(),
            tag_category: Some(category.to_owned()),
            tag_value: None,
            is_system_tag: k == 0,
            weight: dec(100 + 25 * k as i64, 2),
            created_at: created,
        }
        .into_active_model()
    })
}

pub fn story_versions(ctx: &Ctx) -> impl Iterator<Item = story_versions::ActiveModel> + Send + '_ {
    (0..ctx.n.stories * VERSIONS_PER_STORY).map(move |r| {
        let s = r / VERSIONS_PER_STORY;
        let v = r % VERSIONS_PER_STORY;
        let created = ctx.created("stories", s) + TimeDelta::days(v as i64);
        let sentences = story_sentences(ctx, s);
        let mut rng = ctx.rng("story_versions", r);
        story_versions::Model {
            id: ctx.id("story_versions", r, created),
            story_id: ctx.id_of("stories", s),
            version_number: v as i32 + 1,
            title: story_title(ctx, s),
            description: None,
            content: sentences.join(" "),
            sentences: json!(sentences),
            version_metadata: Some(json!({"editor": "web"})),
            change_summary: Some(Sentence(3..8).fake_with_rng(&mut rng)),
            change_type: if v == 0 {
                VersionChangeType::Create
            } else {
                VersionChangeType::Edit
            },
            changed_by: Some(user(ctx, instructor(ctx, s))),
            // One current version per story: the latest.
            is_current: v + 1 == VERSIONS_PER_STORY,
            created_at: created,
        }
        .into_active_model()
    })
}

/// The rating of story rating `r` (1–5, mostly good).
fn rating(ctx: &Ctx, r: u64) -> i16 {
    [3, 4, 4, 5, 5, 2, 5, 4][(ctx.hash("story_ratings.rating", r) % 8) as usize]
}

pub fn story_ratings(ctx: &Ctx) -> impl Iterator<Item = story_ratings::ActiveModel> + Send + '_ {
    (0..ctx.n.stories * RATINGS_PER_STORY).map(move |r| {
        let s = r / RATINGS_PER_STORY;
        let mut rng = ctx.rng("story_ratings", r);
        let created = ctx.created("stories", s) + TimeDelta::days(3 + rng.random_range(0..300));
        story_ratings::Model {
            id: ctx.id("story_ratings", r, created),
            story_id: ctx.id_of("stories", s),
            // Five consecutive learners: distinct per story.
            user_id: user(ctx, learner(ctx, s * 7 + r % RATINGS_PER_STORY)),
            rating: rating(ctx, r),
            review_text: rng
                .random_bool(0.6)
                .then(|| Sentence(5..15).fake_with_rng(&mut rng)),
            difficulty_rating: Some(rng.random_range(1..=5)),
            engagement_rating: Some(rng.random_range(1..=5)),
            educational_value_rating: rng.random_bool(0.7).then(|| rng.random_range(1..=5)),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn content_approvals(
    ctx: &Ctx,
) -> impl Iterator<Item = content_approvals::ActiveModel> + Send + '_ {
    (0..ctx.n.stories).map(move |s| {
        let mut rng = ctx.rng("content_approvals", s);
        let created = ctx.created("stories", s) + TimeDelta::days(1);
        let status = if s % 5 == 4 {
            [ApprovalStatus::Pending, ApprovalStatus::NeedsRevision][s as usize % 2].clone()
        } else {
            ApprovalStatus::Approved
        };
        let reviewed = status != ApprovalStatus::Pending;
        content_approvals::Model {
            id: ctx.id("content_approvals", s, created),
            story_id: ctx.id_of("stories", s),
            reviewer_id: Some(user(ctx, instructor(ctx, s + 1))),
            review_notes: reviewed.then(|| Sentence(5..12).fake_with_rng(&mut rng)),
            content_quality_score: reviewed.then(|| rng.random_range(3..=5)),
            educational_value_score: reviewed.then(|| rng.random_range(3..=5)),
            technical_accuracy_score: reviewed.then(|| rng.random_range(2..=5)),
            reviewed_at: reviewed.then(|| created + TimeDelta::milliseconds(DAY_MS / 2)),
            status,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}
