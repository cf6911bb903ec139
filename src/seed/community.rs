//! People together (modules `collaborative`, `plugins`, `communication`, `notifications`,
//! `analytics`): learning groups and their sessions, plugins, messages and discussions,
//! notifications, per-course and per-student analytics and the event stream.

use chrono::{DateTime, FixedOffset, TimeDelta};
use entity::sea_orm_active_enums::{
    AnalyticsPeriodType, CollaborativeSessionStatus, DataSharingLevel, GroupPrivacyLevel,
    GroupRole, NotificationType, PluginStatus, Priority,
};
use entity::{
    analytics_events, announcements, collaborative_sessions, course_analytics, discussion_posts,
    discussion_threads, group_analytics, group_memberships, learning_groups, messages,
    notifications, plugin_data, plugins, student_analytics,
};
use fake::Fake;
use fake::faker::company::en::{Bs, Buzzword, CompanyName};
use fake::faker::lorem::en::{Paragraph, Sentence, Word};
use rand::Rng;
use sea_orm::IntoActiveModel;
use serde_json::json;

use super::det::{ACTIVITY, Ctx, dec};
use super::learning::{State, course_rating, course_totals, enrollments_of, state};
use super::people::{DIFFICULTIES, SKILLS, TIMEZONES, instructor, learner, user};
use super::plan::{
    ANNOUNCEMENTS_PER_COURSE, DATA_PER_PLUGIN, LESSONS_PER_MODULE, MEETINGS_PER_GROUP,
    MEMBERS_PER_GROUP, MODULES_PER_COURSE, POSTS_PER_THREAD, THREADS_PER_COURSE, WEEKS_PER_GROUP,
};

type Ts = DateTime<FixedOffset>;

/// The user index of member `j` of group `g`: the creating instructor, then seven learners.
fn member(ctx: &Ctx, g: u64, j: u64) -> u64 {
    if j == 0 {
        instructor(ctx, g)
    } else {
        learner(ctx, g * (MEMBERS_PER_GROUP - 1) + j - 1)
    }
}

pub fn learning_groups(
    ctx: &Ctx,
) -> impl Iterator<Item = learning_groups::ActiveModel> + Send + '_ {
    (0..ctx.n.groups).map(move |g| {
        let mut rng = ctx.rng("learning_groups", g);
        let created = ctx.created("learning_groups", g);
        let privacy = [
            GroupPrivacyLevel::Public,
            GroupPrivacyLevel::Private,
            GroupPrivacyLevel::InviteOnly,
        ][g as usize % 3]
            .clone();
        let public = privacy == GroupPrivacyLevel::Public;
        learning_groups::Model {
            id: ctx.id_of("learning_groups", g),
            name: format!(
                "{} circle {}",
                Buzzword().fake_with_rng::<String, _>(&mut rng),
                g + 1
            ),
            description: Some(Sentence(6..14).fake_with_rng(&mut rng)),
            creator_id: user(ctx, member(ctx, g, 0)),
            privacy_level: privacy,
            is_public: public,
            join_code: Some(format!("G{g:05}{:06X}", ctx.hash("join", g) >> 40)),
            max_members: Some(30),
            requires_approval: g % 3 == 2,
            skill_focus: Some(json!([SKILLS[g as usize % SKILLS.len()]])),
            difficulty_level: Some(DIFFICULTIES[g as usize % 3].clone()),
            learning_goals: Some(json!(["practice weekly", "finish a story"])),
            tags: Some(json!([Word().fake_with_rng::<String, _>(&mut rng)])),
            language: "en".to_owned(),
            timezone: Some(TIMEZONES[g as usize % TIMEZONES.len()].to_owned()),
            last_activity_at: Some(created + TimeDelta::days(rng.random_range(100..650))),
            total_sessions: MEETINGS_PER_GROUP as i32,
            is_active: true,
            archived_at: None,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn group_memberships(
    ctx: &Ctx,
) -> impl Iterator<Item = group_memberships::ActiveModel> + Send + '_ {
    (0..ctx.n.groups * MEMBERS_PER_GROUP).map(move |r| {
        let g = r / MEMBERS_PER_GROUP;
        let j = r % MEMBERS_PER_GROUP;
        let mut rng = ctx.rng("group_memberships", r);
        let joined = ctx.created("learning_groups", g) + TimeDelta::days(j as i64 * 3);
        let left = j == MEMBERS_PER_GROUP - 1 && g.is_multiple_of(2);
        let role = match j {
            0 => GroupRole::Owner,
            1 => GroupRole::Moderator,
            6 => GroupRole::Observer,
            _ => GroupRole::Member,
        };
        group_memberships::Model {
            id: ctx.id("group_memberships", r, joined),
            group_id: ctx.id_of("learning_groups", g),
            user_id: user(ctx, member(ctx, g, j)),
            role,
            is_active: !left,
            joined_at: joined,
            left_at: left.then(|| joined + TimeDelta::days(rng.random_range(10..200))),
            invited_by: (j > 0).then(|| user(ctx, member(ctx, g, 0))),
            approved_by: (j > 0 && g % 3 == 2).then(|| user(ctx, member(ctx, g, 0))),
            approved_at: (j > 0 && g % 3 == 2).then(|| joined + TimeDelta::hours(6)),
            data_sharing_level: [
                DataSharingLevel::None,
                DataSharingLevel::Basic,
                DataSharingLevel::Detailed,
                DataSharingLevel::Full,
            ][j as usize % 4]
                .clone(),
            share_progress: true,
            share_performance: j.is_multiple_of(2),
            share_practice_sessions: j.is_multiple_of(3),
            allow_peer_feedback: true,
            notify_new_sessions: true,
            notify_group_updates: j % 4 != 3,
            notify_peer_achievements: true,
            custom_role_name: (j == 1).then(|| "Practice lead".to_owned()),
            member_notes: None,
            created_at: joined,
            updated_at: joined,
        }
        .into_active_model()
    })
}

pub fn collaborative_sessions(
    ctx: &Ctx,
) -> impl Iterator<Item = collaborative_sessions::ActiveModel> + Send + '_ {
    (0..ctx.n.groups * MEETINGS_PER_GROUP).map(move |r| {
        let g = r / MEETINGS_PER_GROUP;
        let m = r % MEETINGS_PER_GROUP;
        let mut rng = ctx.rng("collaborative_sessions", r);
        let created = ctx.created("learning_groups", g) + TimeDelta::days(30 + 90 * m as i64);
        let start = created + TimeDelta::days(7);
        let end = start + TimeDelta::minutes(60);
        let status = [
            CollaborativeSessionStatus::Completed,
            CollaborativeSessionStatus::Completed,
            CollaborativeSessionStatus::Scheduled,
        ][m as usize]
            .clone();
        let done = status == CollaborativeSessionStatus::Completed;
        let story = (g + m) % ctx.n.stories;
        let participants: Vec<_> = (0..4).map(|j| user(ctx, member(ctx, g, j))).collect();
        collaborative_sessions::Model {
            id: ctx.id("collaborative_sessions", r, created),
            session_name: format!("Group story night {}", m + 1),
            description: Some(Sentence(5..12).fake_with_rng(&mut rng)),
            host_id: user(ctx, member(ctx, g, 0)),
            group_id: ctx.id_of("learning_groups", g),
            story_id: Some(ctx.id_of("stories", story)),
            story_content: Some(json!({"story_index": story})),
            session_config: Some(json!({"turns": "round_robin", "minutes_per_turn": 5})),
            participant_ids: Some(json!(participants)),
            max_participants: Some(8),
            scheduled_start: Some(start),
            scheduled_end: Some(end),
            actual_start: done.then(|| start + TimeDelta::minutes(rng.random_range(0..10))),
            actual_end: done.then(|| end + TimeDelta::minutes(rng.random_range(0..15))),
            status,
            session_data: done.then(|| json!({"turns_taken": rng.random_range(4..20)})),
            performance_summary: done
                .then(|| json!({"average_score": rng.random_range(50..100) as f64 / 100.0})),
            allow_peer_feedback: true,
            enable_voice_chat: m.is_multiple_of(2),
            enable_text_chat: true,
            record_session: m == 0,
            is_public: g.is_multiple_of(3),
            requires_approval: false,
            difficulty_level: Some(DIFFICULTIES[story as usize % 3].clone()),
            skill_focus: Some(json!([SKILLS[g as usize % SKILLS.len()]])),
            tags: Some(json!(["group", "story"])),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn group_analytics(
    ctx: &Ctx,
) -> impl Iterator<Item = group_analytics::ActiveModel> + Send + '_ {
    (0..ctx.n.groups * WEEKS_PER_GROUP).map(move |r| {
        let g = r / WEEKS_PER_GROUP;
        let w = r % WEEKS_PER_GROUP;
        let mut rng = ctx.rng("group_analytics", r);
        let start = ctx.created("learning_groups", g) + TimeDelta::weeks(1 + w as i64);
        let end = start + TimeDelta::weeks(1);
        let total = MEMBERS_PER_GROUP as i32;
        let sessions: i32 = rng.random_range(1..20);
        group_analytics::Model {
            id: ctx.id("group_analytics", r, end),
            group_id: ctx.id_of("learning_groups", g),
            period_start: start,
            period_end: end,
            period_type: AnalyticsPeriodType::Weekly,
            total_members: total,
            active_members: rng.random_range(1..=total),
            total_sessions: sessions,
            collaborative_sessions: rng.random_range(0..=sessions.min(2)),
            total_practice_time: rng.random_range(600..36_000),
            average_group_score: Some(dec(rng.random_range(4000..=9800), 4)),
            average_completion_rate: Some(dec(rng.random_range(3000..=10000), 4)),
            skill_progress: Some(
                json!({SKILLS[g as usize % SKILLS.len()]: rng.random_range(1..10)}),
            ),
            peer_feedback_count: rng.random_range(0..30),
            group_interactions: rng.random_range(0..200),
            milestones_achieved: Some(json!([])),
            group_achievements: Some(json!(["consistent week"])),
            anonymized_data: Some(json!({"k_anonymity": 5})),
            created_at: end,
            updated_at: end,
        }
        .into_active_model()
    })
}

pub fn plugins(ctx: &Ctx) -> impl Iterator<Item = plugins::ActiveModel> + Send + '_ {
    (0..ctx.n.plugins).map(move |p| {
        let mut rng = ctx.rng("plugins", p);
        let created = ctx.created("plugins", p);
        let status = [
            PluginStatus::Active,
            PluginStatus::Active,
            PluginStatus::Installed,
            PluginStatus::Disabled,
            PluginStatus::Error,
        ][p as usize % 5]
            .clone();
        let error = status == PluginStatus::Error;
        let word: String = Word().fake_with_rng(&mut rng);
        let version = format!("{}.{}.{}", 1 + p % 3, p % 7, p % 4);
        plugins::Model {
            id: ctx.id_of("plugins", p),
            name: format!("{word}-plugin-{p}"),
            manifest: json!({"name": format!("{word}-plugin-{p}"), "version": version, "permissions": ["read:progress"]}),
            version,
            description: Some(Bs().fake_with_rng(&mut rng)),
            author: Some(CompanyName().fake_with_rng(&mut rng)),
            status,
            installed_by: Some(user(ctx, 0)),
            error_message: error.then(|| "manifest signature expired".to_owned()),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn plugin_data(ctx: &Ctx) -> impl Iterator<Item = plugin_data::ActiveModel> + Send + '_ {
    (0..ctx.n.plugins * DATA_PER_PLUGIN).map(move |r| {
        let p = r / DATA_PER_PLUGIN;
        let j = r % DATA_PER_PLUGIN;
        let mut rng = ctx.rng("plugin_data", r);
        let created = ctx.created("plugins", p) + TimeDelta::days(1 + j as i64 * 20);
        // The first key is the plugin's own (no user); the others belong to three learners.
        let owner = (j > 0).then(|| user(ctx, learner(ctx, p * 3 + j)));
        plugin_data::Model {
            id: ctx.id("plugin_data", r, created),
            plugin_id: ctx.id_of("plugins", p),
            user_id: owner,
            data_key: if j == 0 {
                "config".to_owned()
            } else {
                "state".to_owned()
            },
            data_value: if j == 0 {
                json!({"enabled_features": ["hints"], "refresh_minutes": 15})
            } else {
                json!({"last_run": created.to_rfc3339(), "score": rng.random_range(0..100)})
            },
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

/// When message `i` was sent: messages come in conversations of three, in order.
fn message_at(ctx: &Ctx, i: u64) -> Ts {
    ctx.at_in("messages", i, 150 * ctx.n.scale, ACTIVITY)
}

pub fn messages(ctx: &Ctx) -> impl Iterator<Item = messages::ActiveModel> + Send + '_ {
    (0..150 * ctx.n.scale).map(move |i| {
        let mut rng = ctx.rng("messages", i);
        let c = i / 3;
        let at = message_at(ctx, i);
        let (student, teacher) = (user(ctx, learner(ctx, c)), user(ctx, instructor(ctx, c)));
        let (sender, recipient) = if i % 3 == 1 {
            (teacher, student)
        } else {
            (student, teacher)
        };
        let read = i % 4 != 3;
        messages::Model {
            id: ctx.id("messages", i, at),
            sender_id: sender,
            recipient_id: recipient,
            conversation_id: ctx.id("conversations", c, message_at(ctx, c * 3)),
            subject: i
                .is_multiple_of(3)
                .then(|| Sentence(2..6).fake_with_rng(&mut rng)),
            content: Paragraph(1..3).fake_with_rng(&mut rng),
            attachments: json!([]),
            is_read: read,
            read_at: read.then(|| at + TimeDelta::minutes(rng.random_range(1..600))),
            parent_message_id: (!i.is_multiple_of(3))
                .then(|| ctx.id("messages", i - 1, message_at(ctx, i - 1))),
            deleted_by_sender: None,
            deleted_by_recipient: None,
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    })
}

/// The course of discussion thread `t`.
fn thread_course(t: u64) -> u64 {
    t / THREADS_PER_COURSE
}

fn post_at(ctx: &Ctx, t: u64, j: u64) -> Ts {
    ctx.created("discussion_threads", t) + TimeDelta::hours(3 * j as i64 + 1)
}

pub fn discussion_threads(
    ctx: &Ctx,
) -> impl Iterator<Item = discussion_threads::ActiveModel> + Send + '_ {
    (0..ctx.n.courses * THREADS_PER_COURSE).map(move |t| {
        let mut rng = ctx.rng("discussion_threads", t);
        let created = ctx.created("discussion_threads", t);
        discussion_threads::Model {
            id: ctx.id_of("discussion_threads", t),
            course_id: ctx.id_of("courses", thread_course(t)),
            author_id: user(ctx, learner(ctx, t * 5)),
            category: ["general", "questions", "assignments", "resources"][t as usize % 4]
                .to_owned(),
            title: format!(
                "{}?",
                Sentence(3..8)
                    .fake_with_rng::<String, _>(&mut rng)
                    .trim_end_matches('.')
            ),
            content: Paragraph(1..3).fake_with_rng(&mut rng),
            is_pinned: t.is_multiple_of(THREADS_PER_COURSE),
            is_locked: t % 11 == 10,
            view_count: rng.random_range(5..500),
            reply_count: POSTS_PER_THREAD as i32,
            last_activity_at: post_at(ctx, t, POSTS_PER_THREAD - 1),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn discussion_posts(
    ctx: &Ctx,
) -> impl Iterator<Item = discussion_posts::ActiveModel> + Send + '_ {
    (0..ctx.n.courses * THREADS_PER_COURSE * POSTS_PER_THREAD).map(move |r| {
        let t = r / POSTS_PER_THREAD;
        let j = r % POSTS_PER_THREAD;
        let mut rng = ctx.rng("discussion_posts", r);
        let at = post_at(ctx, t, j);
        let edited = j % 3 == 2;
        // Replies answer the first post; the instructor's reply (j = 2) is the solution.
        let author = if j == 2 {
            instructor(ctx, thread_course(t))
        } else {
            learner(ctx, t * 5 + j + 1)
        };
        discussion_posts::Model {
            id: ctx.id("discussion_posts", r, at),
            thread_id: ctx.id_of("discussion_threads", t),
            author_id: user(ctx, author),
            parent_post_id: (j > 0).then(|| ctx.id("discussion_posts", r - j, post_at(ctx, t, 0))),
            content: Paragraph(1..3).fake_with_rng(&mut rng),
            upvote_count: rng.random_range(0..40),
            is_solution: j == 2,
            edited_at: edited.then(|| at + TimeDelta::minutes(10)),
            edit_history: if edited {
                json!([{"at": at.to_rfc3339(), "reason": "typo"}])
            } else {
                json!([])
            },
            is_deleted: r % 37 == 36,
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    })
}

pub fn announcements(ctx: &Ctx) -> impl Iterator<Item = announcements::ActiveModel> + Send + '_ {
    (0..ctx.n.courses * ANNOUNCEMENTS_PER_COURSE).map(move |r| {
        let c = r / ANNOUNCEMENTS_PER_COURSE;
        let mut rng = ctx.rng("announcements", r);
        let created = ctx.created("courses", c) + TimeDelta::days(10 + 200 * (r % 2) as i64);
        let published = r.is_multiple_of(ANNOUNCEMENTS_PER_COURSE);
        announcements::Model {
            id: ctx.id("announcements", r, created),
            course_id: ctx.id_of("courses", c),
            educator_id: user(ctx, instructor(ctx, c)),
            title: Sentence(3..7).fake_with_rng(&mut rng),
            content: Paragraph(1..3).fake_with_rng(&mut rng),
            scheduled_for: (!published).then(|| created + TimeDelta::days(7)),
            published_at: published.then_some(created),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

const CHANNELS: [&str; 3] = ["in_app", "email", "push"];

const NOTIFICATION_TYPES: [NotificationType; 10] = [
    NotificationType::NewMessage,
    NotificationType::AssignmentDue,
    NotificationType::GradePosted,
    NotificationType::CourseUpdate,
    NotificationType::Announcement,
    NotificationType::DiscussionReply,
    NotificationType::EnrollmentConfirmed,
    NotificationType::CertificateIssued,
    NotificationType::PaymentReceived,
    NotificationType::RefundProcessed,
];

pub fn notifications(ctx: &Ctx) -> impl Iterator<Item = notifications::ActiveModel> + Send + '_ {
    let n = 600 * ctx.n.scale;
    (0..n).map(move |i| {
        let mut rng = ctx.rng("notifications", i);
        let at = ctx.at_in("notifications", i, n, ACTIVITY);
        let kind = NOTIFICATION_TYPES[(ctx.hash("notifications.type", i) % 10) as usize].clone();
        let read = rng.random_bool(0.6);
        notifications::Model {
            id: ctx.id("notifications", i, at),
            recipient_id: user(ctx, (i * 7) % ctx.n.users),
            title: format!("{kind:?}")
                .chars()
                .fold(String::new(), |mut s, ch| {
                    if ch.is_uppercase() && !s.is_empty() {
                        s.push(' ');
                    }
                    s.push(ch);
                    s
                }),
            content: Sentence(6..14).fake_with_rng(&mut rng),
            action_url: Some(format!("https://app.example.com/n/{i}")),
            priority: [
                Priority::Normal,
                Priority::Normal,
                Priority::Normal,
                Priority::High,
                Priority::Urgent,
            ][i as usize % 5]
                .clone(),
            is_read: read,
            read_at: read.then(|| at + TimeDelta::minutes(rng.random_range(1..3000))),
            metadata: json!({"channel": CHANNELS[i as usize % 3]}),
            expires_at: i.is_multiple_of(4).then(|| at + TimeDelta::days(30)),
            notification_type: kind,
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    })
}

pub fn course_analytics(
    ctx: &Ctx,
) -> impl Iterator<Item = course_analytics::ActiveModel> + Send + '_ {
    let totals = course_totals(ctx);
    (0..ctx.n.courses).map(move |c| {
        let mut rng = ctx.rng("course_analytics", c);
        let created = ctx.created("courses", c) + TimeDelta::days(1);
        // The course's enrollments, payments and refunds, as written.
        let t = totals[c as usize];
        let rate = |part: i32| dec(i64::from(part) * 10000 / i64::from(t.enrollments.max(1)), 2);
        course_analytics::Model {
            course_id: ctx.id_of("courses", c),
            total_enrollments: t.enrollments,
            active_enrollments: t.active,
            completion_count: t.completed,
            completion_rate: rate(t.completed),
            average_rating: course_rating(ctx, c, &t),
            total_revenue: dec(t.revenue_cents, 2),
            average_time_to_completion_days: (t.completed > 0)
                .then(|| (t.completion_days / i64::from(t.completed)) as i32),
            dropout_rate: rate(t.dropped),
            most_difficult_lesson_id: Some(ctx.id_of(
                "lessons",
                c * MODULES_PER_COURSE * LESSONS_PER_MODULE + rng.random_range(0..LESSONS_PER_MODULE),
            )),
            engagement_metrics: json!({"avg_minutes_per_week": rng.random_range(10..200), "forum_posts": rng.random_range(0..100)}),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn student_analytics(
    ctx: &Ctx,
) -> impl Iterator<Item = student_analytics::ActiveModel> + Send + '_ {
    (0..ctx.n.learners).map(move |k| {
        let mut rng = ctx.rng("student_analytics", k);
        let created = ctx.created("users", learner(ctx, k)) + TimeDelta::days(1);
        // The learner's enrollments as written: dropped ones are neither done nor in progress.
        let enrolled = enrollments_of(ctx, k);
        let count = |wanted: State| enrolled.clone().filter(|e| state(*e) == wanted).count() as i32;
        let current: i32 = rng.random_range(0..20);
        student_analytics::Model {
            user_id: user(ctx, learner(ctx, k)),
            total_courses_enrolled: enrolled.clone().count() as i32,
            courses_completed: count(State::Completed),
            courses_in_progress: count(State::Active),
            average_quiz_score: Some(dec(rng.random_range(4000..=10000), 2)),
            total_time_invested_minutes: rng.random_range(30..6000),
            current_streak_days: current,
            longest_streak_days: current + rng.random_range(0..40),
            badges_earned: json!(["first_lesson", "week_streak"][..(k % 2 + 1) as usize]),
            skill_ratings: json!({SKILLS[k as usize % SKILLS.len()]: rng.random_range(1..=5)}),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn analytics_events(
    ctx: &Ctx,
) -> impl Iterator<Item = analytics_events::ActiveModel> + Send + '_ {
    let n = 800 * ctx.n.scale;
    (0..n).map(move |i| {
        let mut rng = ctx.rng("analytics_events", i);
        let at = ctx.at_in("analytics_events", i, n, ACTIVITY);
        let kind = [
            "page_view",
            "lesson_started",
            "lesson_completed",
            "video_played",
            "quiz_submitted",
            "search",
        ][i as usize % 6];
        analytics_events::Model {
            id: ctx.id("analytics_events", i, at),
            // One event in ten comes from a visitor who is not signed in.
            user_id: (!i.is_multiple_of(10)).then(|| user(ctx, learner(ctx, i))),
            event_type: kind.to_owned(),
            event_data: json!({"path": format!("/courses/{}", i % ctx.n.courses), "duration_ms": rng.random_range(100..60_000)}),
            occurred_at: at,
            created_at: at,
        }
        .into_active_model()
    })
}
