//! Practice (modules `progress`, `practice`, `adaptive`): one `practice_sessions` table holds
//! three kinds of session, cycling by index: StorySign story practice (index % 4 is 0 or 1,
//! with sentence attempts), Kedge quiz practice (2, with answers) and adaptive item practice
//! (3, with attempts). Sessions run across both years, so their attempts do too.
//!
//! A session's counters are those of its rows: correct, incorrect and completed items count its
//! answers, attempts or practised sentences. A Kedge session lists its questions in order,
//! answers twenty of them and skips up to three (skipped questions have no answer row);
//! `last_question_index` is where it ended or, if abandoned, where it would resume. All its
//! questions belong to one subject. Question reports point at a question a learner answered in
//! such a session.

use chrono::{DateTime, FixedOffset, TimeDelta};
use entity::sea_orm_active_enums::{
    ItemStatus, PracticeSessionStatus, PracticeStrategy, QuestionReportStatus, QuestionReportType,
    QuestionType, SessionType,
};
use entity::{
    attachments, attempts, items, knowledge_points, knowledge_points_metadata, practice_answers,
    practice_sessions, question_reports, sentence_attempts, student_mistakes, student_weaknesses,
    system_config, user_progress,
};
use fake::Fake;
use fake::faker::internet::en::{IPv4, UserAgent};
use fake::faker::lorem::en::{Sentence, Word, Words};
use rand::Rng;
use sea_orm::IntoActiveModel;
use serde_json::json;

use super::det::{Ctx, SETUP, dec};
use super::learning::kg_question;
use super::people::{DIFFICULTIES, SKILLS, instructor, learner, story_sentences, user};
use super::plan::{
    ANSWERS_PER_SESSION, ATTEMPTS_PER_SESSION, MISTAKES, REPORTS_PER_SCALE, SENTENCES_PER_SESSION,
    SKILLS_PER_LEARNER, SYSTEM_CONFIG_ROWS, TRIES_PER_SENTENCE, WEAKNESSES,
};

type Ts = DateTime<FixedOffset>;

const TOPICS: &[&str] = &[
    "Algebra", "Geometry", "Reading", "Grammar", "Physics", "History",
];
const DEVICES: &[&str] = &["ios", "android", "web"];

/// Subject codes of Kedge's application config (knowledge points, questions and sessions).
pub const SUBJECTS: [&str; 2] = ["history", "math"];
const SUBJECT_TOPICS: [[&str; 3]; 2] = [
    ["Ancient History", "Modern History", "World History"],
    ["Algebra", "Geometry", "Statistics"],
];

/// The subject of knowledge point `i`: they alternate, so that the bank questions of a subject
/// are every other one (a question's knowledge point is its index modulo an even count).
pub fn kp_subject(i: u64) -> &'static str {
    SUBJECTS[(i % 2) as usize]
}

/// Questions a Kedge session skips (0 to 3): the `j`-th sits at position `7j + 6`.
fn skipped(ctx: &Ctx, k: u64) -> u64 {
    ctx.hash("practice_sessions.skipped", k) % 4
}

/// Questions an abandoned Kedge session listed but never reached.
const UNREACHED: u64 = 2;

/// Position in quiz session `k`'s question list of its answer `a`.
fn answer_position(skipped: u64, a: u64) -> u64 {
    a + skipped.min(a / 6)
}

/// Question index at position `p` of quiz session `k`: bank questions two apart, so all of
/// one subject (the parity of `k`), and distinct for the at most 25 positions of a session
/// since the bank has at least 50 questions.
fn session_question(ctx: &Ctx, k: u64, p: u64) -> u64 {
    ctx.n.quiz_questions() + (2 * (7 * k + p) + k % 2) % ctx.n.bank_questions()
}

/// Session index of the `k`-th story, quiz and adaptive session.
fn story_session(k: u64) -> u64 {
    4 * (k / 2) + k % 2
}

fn quiz_session(k: u64) -> u64 {
    4 * k + 2
}

fn adaptive_session(k: u64) -> u64 {
    4 * k + 3
}

/// The user index practising session `s`.
fn session_user(ctx: &Ctx, s: u64) -> u64 {
    learner(ctx, s * 3 + s / 7)
}

fn session_start(ctx: &Ctx, s: u64) -> Ts {
    ctx.created("practice_sessions", s)
}

/// Whether answer `r` of the quiz sessions is correct (also counted by its session).
fn answer_correct(ctx: &Ctx, r: u64) -> bool {
    ctx.hash("practice_answers.correct", r) % 100 < 68
}

/// Whether attempt `r` of the adaptive sessions is correct (also counted by its session).
fn attempt_correct(ctx: &Ctx, r: u64) -> bool {
    ctx.hash("attempts.correct", r) % 100 < 62
}

/// Question index of answer `r`: a bank question, distinct from the session's other ones.
fn answer_question(ctx: &Ctx, r: u64) -> u64 {
    let k = r / ANSWERS_PER_SESSION;
    let a = r % ANSWERS_PER_SESSION;
    session_question(ctx, k, answer_position(skipped(ctx, k), a))
}

/// When answer `r` was given.
fn answered_at(ctx: &Ctx, r: u64) -> Ts {
    let s = quiz_session(r / ANSWERS_PER_SESSION);
    session_start(ctx, s) + TimeDelta::seconds(30 * (r % ANSWERS_PER_SESSION) as i64 + 10)
}

/// What answer `r` says, as stored in practice_answers.user_answer.
fn answer_value(ctx: &Ctx, r: u64) -> serde_json::Value {
    let q = kg_question(ctx, answer_question(ctx, r) - ctx.n.quiz_questions());
    let mut rng = ctx.rng("practice_answers.value", r);
    let wrong: String = Word().fake_with_rng(&mut rng);
    q.answer(answer_correct(ctx, r), &wrong)
}

/// Sentence attempt `r`'s accuracy in ten-thousandths; 6000 and more is a success.
fn sentence_accuracy(ctx: &Ctx, r: u64) -> i64 {
    3000 + (ctx.hash("sentence_attempts.accuracy", r) % 7001) as i64
}

pub fn practice_sessions(
    ctx: &Ctx,
) -> impl Iterator<Item = practice_sessions::ActiveModel> + Send + '_ {
    (0..ctx.n.sessions).map(move |s| {
        let mut rng = ctx.rng("practice_sessions", s);
        let started = session_start(ctx, s);
        let k = s / 4;
        let abandoned = s % 29 == 28;
        let status = if abandoned {
            PracticeSessionStatus::Abandoned
        } else {
            PracticeSessionStatus::Completed
        };
        let mut row = practice_sessions::Model {
            id: ctx.id_of("practice_sessions", s),
            user_id: user(ctx, session_user(ctx, s)),
            session_type: SessionType::Practice,
            status,
            story_id: None,
            session_name: None,
            strategy: None,
            difficulty_level: None,
            skill_areas: None,
            knowledge_point_ids: None,
            question_ids: None,
            session_data: None,
            story_content: None,
            performance_metrics: None,
            total_items: None,
            completed_items: 0,
            correct_items: 0,
            overall_score: None,
            points_earned: None,
            time_limit_minutes: None,
            started_at: Some(started),
            completed_at: None,
            duration_ms: None,
            average_difficulty: None,
            device_type: None,
            app_version: None,
            subject_id: None,
            incorrect_items: 0,
            skipped_items: 0,
            auto_advance_delay: None,
            last_question_index: None,
            created_at: started,
            updated_at: started,
        };
        let duration_ms: i64 = rng.random_range(120_000..2_400_000);
        match s % 4 {
            0 | 1 => {
                let story = (k * 2 + s % 2) % ctx.n.stories;
                let sentences = story_sentences(ctx, story);
                // Every sentence practised, a success if one of its tries was; an abandoned
                // session stopped before the story's last sentences.
                let per_session = SENTENCES_PER_SESSION * TRIES_PER_SENTENCE;
                let r0 = (2 * k + s % 4) * per_session;
                let correct = (0..SENTENCES_PER_SESSION)
                    .filter(|j| {
                        (0..TRIES_PER_SENTENCE).any(|t| {
                            sentence_accuracy(ctx, r0 + j * TRIES_PER_SENTENCE + t) >= 6000
                        })
                    })
                    .count() as i32;
                let practised = SENTENCES_PER_SESSION as i32;
                let total = if abandoned {
                    sentences.len() as i32
                } else {
                    practised
                };
                row.session_type =
                    [SessionType::Individual, SessionType::Practice][s as usize % 2].clone();
                row.story_id = Some(ctx.id_of("stories", story));
                row.session_name = Some(format!("Story practice {}", k + 1));
                row.difficulty_level = Some(DIFFICULTIES[story as usize % 3].clone());
                row.skill_areas = Some(json!([SKILLS[story as usize % SKILLS.len()]]));
                row.session_data = Some(json!({"camera": "front", "mirror": true}));
                row.story_content =
                    Some(json!({"sentences": &sentences[..SENTENCES_PER_SESSION as usize]}));
                row.performance_metrics =
                    Some(json!({"avg_confidence": rng.random_range(50..99) as f64 / 100.0}));
                row.total_items = Some(total);
                row.completed_items = practised;
                row.correct_items = correct;
                row.incorrect_items = practised - correct;
                row.overall_score = Some(dec(rng.random_range(4000..=10000), 4));
            }
            2 => {
                let r0 = k * ANSWERS_PER_SESSION;
                let correct = (r0..r0 + ANSWERS_PER_SESSION)
                    .filter(|r| answer_correct(ctx, *r))
                    .count() as i32;
                let skips = skipped(ctx, k);
                let answered = ANSWERS_PER_SESSION + skips;
                let listed = if abandoned {
                    answered + UNREACHED
                } else {
                    answered
                };
                let questions: Vec<_> = (0..listed)
                    .map(|p| ctx.id_of("questions", session_question(ctx, k, p)))
                    .collect();
                let kps: Vec<_> = (0..3)
                    .map(|p| {
                        let x = session_question(ctx, k, p);
                        ctx.id_of("knowledge_points", x % ctx.n.knowledge_points)
                    })
                    .collect();
                row.subject_id = Some(
                    kp_subject(session_question(ctx, k, 0) % ctx.n.knowledge_points).to_owned(),
                );
                row.strategy = Some(
                    [
                        PracticeStrategy::Random,
                        PracticeStrategy::Sequential,
                        PracticeStrategy::Adaptive,
                        PracticeStrategy::Review,
                        PracticeStrategy::Weakness,
                    ][k as usize % 5]
                        .clone(),
                );
                row.knowledge_point_ids = Some(json!(kps));
                row.question_ids = Some(json!(questions));
                row.total_items = Some(listed as i32);
                row.completed_items = ANSWERS_PER_SESSION as i32;
                row.correct_items = correct;
                row.incorrect_items = ANSWERS_PER_SESSION as i32 - correct;
                row.skipped_items = skips as i32;
                // The last question shown or, abandoned, the first one not yet answered.
                row.last_question_index =
                    Some(if abandoned { answered } else { answered - 1 } as i32);
                row.auto_advance_delay = Some([0, 2, 3, 5][k as usize % 4]);
                row.points_earned = Some(correct * 5);
                row.time_limit_minutes = Some([15, 30, 45][k as usize % 3]);
            }
            _ => {
                let r0 = (s / 4) * ATTEMPTS_PER_SESSION;
                let correct = (r0..r0 + ATTEMPTS_PER_SESSION)
                    .filter(|r| attempt_correct(ctx, *r))
                    .count() as i32;
                row.session_type = [
                    SessionType::Practice,
                    SessionType::Review,
                    SessionType::MockTest,
                    SessionType::Placement,
                ][k as usize % 4]
                    .clone();
                row.skill_areas = Some(json!([TOPICS[k as usize % TOPICS.len()]]));
                row.total_items = Some(ATTEMPTS_PER_SESSION as i32);
                row.completed_items = ATTEMPTS_PER_SESSION as i32;
                row.correct_items = correct;
                row.incorrect_items = ATTEMPTS_PER_SESSION as i32 - correct;
                row.average_difficulty = Some(dec(rng.random_range(-1500..2000), 3));
                row.device_type = Some(DEVICES[k as usize % 3].to_owned());
                row.app_version = Some(format!("3.{}.{}", k % 4, k % 10));
            }
        }
        if !abandoned {
            row.completed_at = Some(started + TimeDelta::milliseconds(duration_ms));
            row.duration_ms = Some(duration_ms);
            row.updated_at = started + TimeDelta::milliseconds(duration_ms);
        }
        row.into_active_model()
    })
}

pub fn sentence_attempts(
    ctx: &Ctx,
) -> impl Iterator<Item = sentence_attempts::ActiveModel> + Send + '_ {
    let per_session = SENTENCES_PER_SESSION * TRIES_PER_SENTENCE;
    (0..ctx.n.story_sessions() * per_session).map(move |r| {
        let k = r / per_session;
        let s = story_session(k);
        let sentence = (r % per_session) / TRIES_PER_SENTENCE;
        let attempt = r % TRIES_PER_SENTENCE + 1;
        let mut rng = ctx.rng("sentence_attempts", r);
        let story = ((s / 4) * 2 + s % 2) % ctx.n.stories;
        let at = session_start(ctx, s) + TimeDelta::seconds(20 * (r % per_session) as i64 + 5);
        let start_frame: i32 = rng.random_range(0..2000);
        let accuracy = sentence_accuracy(ctx, r);
        sentence_attempts::Model {
            id: ctx.id("sentence_attempts", r, at),
            session_id: ctx.id_of("practice_sessions", s),
            sentence_index: sentence as i32,
            attempt_number: attempt as i32,
            target_sentence: story_sentences(ctx, story)[sentence as usize].clone(),
            landmark_data: Some(json!({"frames": rng.random_range(30..240), "hands": 2})),
            gesture_sequence: Some(json!(Words(2..5).fake_with_rng::<Vec<String>, _>(&mut rng))),
            confidence_score: Some(dec(rng.random_range(4000..=10000), 4)),
            accuracy_score: Some(dec(accuracy, 4)),
            fluency_score: Some(dec(rng.random_range(3000..=10000), 4)),
            ai_feedback: Some(Sentence(5..12).fake_with_rng(&mut rng)),
            suggestions: Some(json!(
                ["slow down", "keep hands in frame"][..(r % 2 + 1) as usize]
            )),
            detected_errors: (accuracy < 6000)
                .then(|| json!([{"type": "handshape", "at": start_frame}])),
            attempted_at: at,
            duration_ms: Some(rng.random_range(800..9000)),
            is_successful: Some(accuracy >= 6000),
            video_start_frame: Some(start_frame),
            video_end_frame: Some(start_frame + rng.random_range(30..300)),
            created_at: at,
        }
        .into_active_model()
    })
}

pub fn user_progress(ctx: &Ctx) -> impl Iterator<Item = user_progress::ActiveModel> + Send + '_ {
    (0..ctx.n.learners * SKILLS_PER_LEARNER).map(move |r| {
        let k = r / SKILLS_PER_LEARNER;
        let j = r % SKILLS_PER_LEARNER;
        let mut rng = ctx.rng("user_progress", r);
        let u = learner(ctx, k);
        let created = ctx.created("users", u) + TimeDelta::days(1);
        let total: i32 = rng.random_range(5..500);
        let streak: i32 = rng.random_range(0..30);
        let level: i64 = rng.random_range(0..=1000);
        user_progress::Model {
            id: ctx.id("user_progress", r, created),
            user_id: user(ctx, u),
            skill_area: SKILLS[((k + j) % SKILLS.len() as u64) as usize].to_owned(),
            skill_category: Some(["receptive", "expressive"][j as usize % 2].to_owned()),
            current_level: dec(level, 2),
            experience_points: dec(rng.random_range(0..500_000), 2),
            total_practice_time: rng.random_range(0..360_000),
            total_sessions: rng.random_range(1..200),
            total_attempts: total,
            successful_attempts: rng.random_range(0..=total),
            average_score: Some(dec(rng.random_range(3000..=10000), 4)),
            average_confidence: Some(dec(rng.random_range(3000..=10000), 4)),
            average_accuracy: Some(dec(rng.random_range(3000..=10000), 4)),
            average_fluency: Some(dec(rng.random_range(3000..=10000), 4)),
            milestones: Some(json!([{"name": "first session"}, {"name": "10 sessions"}])),
            learning_streak: streak,
            longest_streak: streak + rng.random_range(0..20),
            last_practice_date: Some(created + TimeDelta::days(rng.random_range(30..650))),
            current_difficulty: DIFFICULTIES[(level / 400) as usize].clone(),
            target_level: Some(dec(rng.random_range(level..=1000), 2)),
            weekly_goal_minutes: Some([30, 60, 90, 120][r as usize % 4]),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn knowledge_points(
    ctx: &Ctx,
) -> impl Iterator<Item = knowledge_points::ActiveModel> + Send + '_ {
    (0..ctx.n.knowledge_points).map(move |i| {
        let created = ctx.created("knowledge_points", i);
        let subject = kp_subject(i);
        let topic = SUBJECT_TOPICS[(i % 2) as usize][(i / 2 % 3) as usize];
        let volume = i / 12 + 1;
        let unit = i % 4 + 1;
        knowledge_points::Model {
            id: ctx.id_of("knowledge_points", i),
            code: format!("{}-V{volume}-U{unit}-{i:05}", &topic[..3].to_uppercase()),
            topic: topic.to_owned(),
            volume: Some(format!("Volume {volume}")),
            unit: Some(format!("Unit {unit}")),
            lesson: Some(format!("Lesson {}", i % 3 + 1)),
            sub: i.is_multiple_of(2).then(|| format!("Part {}", i % 5 + 1)),
            subject_id: Some(subject.to_owned()),
            // The (volume, unit) groups interleave in blocks of twelve; 1-based within a group.
            sort_index: (i % 12 / 4 + 1) as i32,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn knowledge_points_metadata(
    ctx: &Ctx,
) -> impl Iterator<Item = knowledge_points_metadata::ActiveModel> + Send + '_ {
    let n = 5 * ctx.n.scale;
    (0..n).map(move |i| {
        let created = ctx.at_in("knowledge_points_metadata", i, n, super::det::SETUP);
        let (key, value) = match i % 5 {
            0 => ("curriculum.version", json!(format!("2024.{}", i / 5))),
            1 => ("curriculum.grades", json!([7, 8, 9])),
            2 => ("import.source", json!({"system": "kedge", "batch": i / 5})),
            3 => ("review.threshold", json!(60)),
            _ => ("display.locale", json!("zh-CN")),
        };
        knowledge_points_metadata::Model {
            id: ctx.id("knowledge_points_metadata", i, created),
            meta_key: format!("{key}.{}", i / 5),
            meta_value: value,
            description: Some(format!("Demo setting {key}")),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn practice_answers(
    ctx: &Ctx,
) -> impl Iterator<Item = practice_answers::ActiveModel> + Send + '_ {
    (0..ctx.n.quiz_sessions() * ANSWERS_PER_SESSION).map(move |r| {
        let s = quiz_session(r / ANSWERS_PER_SESSION);
        let mut rng = ctx.rng("practice_answers", r);
        let at = answered_at(ctx, r);
        let spent: i32 = rng.random_range(5..120);
        practice_answers::Model {
            id: ctx.id("practice_answers", r, at),
            session_id: ctx.id_of("practice_sessions", s),
            question_id: ctx.id_of("questions", answer_question(ctx, r)),
            user_answer: Some(answer_value(ctx, r)),
            is_correct: answer_correct(ctx, r),
            time_spent_seconds: Some(spent),
            answered_at: at,
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    })
}

pub fn student_weaknesses(
    ctx: &Ctx,
) -> impl Iterator<Item = student_weaknesses::ActiveModel> + Send + '_ {
    (0..ctx.n.learners * WEAKNESSES.mean).map(move |r| {
        let (k, j) = WEAKNESSES.locate(ctx, r);
        let mut rng = ctx.rng("student_weaknesses", r);
        let created =
            ctx.created("users", learner(ctx, k)) + TimeDelta::days(rng.random_range(60..600));
        let total: i32 = rng.random_range(3..60);
        let correct = rng.random_range(0..=total);
        student_weaknesses::Model {
            id: ctx.id("student_weaknesses", r, created),
            user_id: user(ctx, learner(ctx, k)),
            knowledge_point_id: ctx.id_of("knowledge_points", (k * 5 + j) % ctx.n.knowledge_points),
            weakness_score: dec(10000 - i64::from(correct) * 10000 / i64::from(total), 2),
            total_attempts: total,
            correct_attempts: correct,
            last_attempt_at: Some(created),
            improvement_trend: dec(rng.random_range(-2500..2500), 2),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn student_mistakes(
    ctx: &Ctx,
) -> impl Iterator<Item = student_mistakes::ActiveModel> + Send + '_ {
    (0..ctx.n.learners * MISTAKES.mean).map(move |r| {
        let (k, j) = MISTAKES.locate(ctx, r);
        let mut rng = ctx.rng("student_mistakes", r);
        let session = quiz_session((k * 3 + j) % ctx.n.quiz_sessions());
        let last = session_start(ctx, session) + TimeDelta::minutes(5);
        let mastered = r.is_multiple_of(5);
        student_mistakes::Model {
            id: ctx.id("student_mistakes", r, last),
            user_id: user(ctx, learner(ctx, k)),
            question_id: ctx.id_of(
                "questions",
                ctx.n.quiz_questions() + (k * 3 + j) % ctx.n.bank_questions(),
            ),
            practice_session_id: Some(ctx.id_of("practice_sessions", session)),
            mistake_count: rng.random_range(1..6),
            last_mistake_at: last,
            is_mastered: mastered,
            mastered_at: mastered.then(|| last + TimeDelta::days(4)),
            review_count: rng.random_range(0..5),
            next_review_at: (!mastered).then(|| last + TimeDelta::days(3)),
            created_at: last,
            updated_at: last,
        }
        .into_active_model()
    })
}

/// Question reports: a few learners report a question they answered in a Kedge session.
pub fn question_reports(
    ctx: &Ctx,
) -> impl Iterator<Item = question_reports::ActiveModel> + Send + '_ {
    let n = REPORTS_PER_SCALE * ctx.n.scale;
    (0..n).map(move |i| {
        // Distinct sessions: 8 * 6 < 50 quiz sessions per unit of scale.
        let k = (i * 8 + 5) % ctx.n.quiz_sessions();
        let s = quiz_session(k);
        let r = k * ANSWERS_PER_SESSION + (i * 7) % ANSWERS_PER_SESSION;
        let x = answer_question(ctx, r);
        let q = kg_question(ctx, x - ctx.n.quiz_questions());
        let mut rng = ctx.rng("question_reports", i);
        let created = answered_at(ctx, r) + TimeDelta::minutes(2 + (i % 30) as i64);
        let status = [
            QuestionReportStatus::Pending,
            QuestionReportStatus::Resolved,
            QuestionReportStatus::Reviewing,
            QuestionReportStatus::Dismissed,
            QuestionReportStatus::Resolved,
            QuestionReportStatus::Pending,
        ][i as usize % 6]
            .clone();
        let closed = matches!(
            status,
            QuestionReportStatus::Resolved | QuestionReportStatus::Dismissed
        );
        let resolved_at = closed.then(|| ctx.past(created + TimeDelta::days(1 + (i % 5) as i64)));
        let note = match status {
            QuestionReportStatus::Resolved => Some("Corrected the question and its answer key."),
            QuestionReportStatus::Dismissed => Some("The question is right as written."),
            _ => None,
        };
        question_reports::Model {
            id: ctx.id("question_reports", i, created),
            question_id: ctx.id_of("questions", x),
            user_id: user(ctx, session_user(ctx, s)),
            session_id: Some(ctx.id_of("practice_sessions", s)),
            report_type: [
                QuestionReportType::WrongAnswer,
                QuestionReportType::UnclearWording,
                QuestionReportType::DisplayError,
                QuestionReportType::WrongAssociation,
                QuestionReportType::Duplicate,
                QuestionReportType::Other,
            ][i as usize % 6]
                .clone(),
            reason: Some(Sentence(4..12).fake_with_rng(&mut rng)),
            user_answer: Some(answer_value(ctx, r).to_string()),
            // The question as the learner saw it, in Kedge's terms.
            question_context: Some(json!({
                "type": q.kg_type(),
                "options": (!q.options.is_empty()).then_some(&q.options),
                "answer_index": (!q.answer_index.is_empty()).then_some(&q.answer_index),
                "subject_id": q.subject,
            })),
            status,
            resolved_by: closed.then(|| user(ctx, instructor(ctx, i))),
            resolved_at,
            resolution_note: note.map(str::to_owned),
            created_at: created,
            updated_at: resolved_at.unwrap_or(created),
        }
        .into_active_model()
    })
}

/// Site-wide settings Kedge reads by key. Not `show_demo_accounts`: learndb seeds no demo
/// accounts to advertise (SPEC-26-27 §26.3).
const SYSTEM_CONFIG: [(&str, &str); SYSTEM_CONFIG_ROWS as usize] = [
    (
        "practice.defaults",
        "Question count, time limit and auto-advance delay of a new practice session",
    ),
    ("practice.subjects", "Subjects offered for practice"),
    (
        "reports.reason_max_length",
        "Longest reason a question report may give",
    ),
    ("maintenance", "Maintenance banner"),
];

pub fn system_config(ctx: &Ctx) -> impl Iterator<Item = system_config::ActiveModel> + Send + '_ {
    (0..SYSTEM_CONFIG_ROWS).map(move |i| {
        let created = ctx.at_in("system_config", i, SYSTEM_CONFIG_ROWS, SETUP);
        let (key, description) = SYSTEM_CONFIG[i as usize];
        let value = match i {
            0 => json!({"questionCount": 20, "timeLimitMinutes": 30, "autoAdvanceDelay": 3}),
            1 => json!(SUBJECTS),
            2 => json!(500),
            _ => json!({"enabled": false, "message": null}),
        };
        system_config::Model {
            id: ctx.id("system_config", i, created),
            config_key: key.to_owned(),
            config_value: value,
            description: Some(description.to_owned()),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn attachments(ctx: &Ctx) -> impl Iterator<Item = attachments::ActiveModel> + Send + '_ {
    let n = 20 * ctx.n.scale;
    (0..n).map(move |i| {
        let mut rng = ctx.rng("attachments", i);
        let created = ctx.at_in("attachments", i, n, super::det::ACTIVITY);
        let (ext, mime) = [
            ("png", "image/png"),
            ("jpg", "image/jpeg"),
            ("pdf", "application/pdf"),
            ("mp4", "video/mp4"),
        ][i as usize % 4];
        let file_id = format!("{:016x}{i:06}", ctx.hash("attachments.file", i));
        let name: String = Word().fake_with_rng(&mut rng);
        attachments::Model {
            id: ctx.id("attachments", i, created),
            file_path: format!("uploads/{}/{file_id}.{ext}", created.format("%Y/%m")),
            file_id,
            file_extension: ext.to_owned(),
            mime_type: mime.to_owned(),
            file_size: rng.random_range(1_000..20_000_000),
            file_hash: Some(format!(
                "{:016x}{:016x}{:016x}{:016x}",
                ctx.hash("sha.a", i),
                ctx.hash("sha.b", i),
                ctx.hash("sha.c", i),
                ctx.hash("sha.d", i)
            )),
            original_filename: Some(format!("{name}.{ext}")),
            uploaded_by: Some(user(ctx, learner(ctx, i * 2))),
            upload_purpose: Some(
                ["question_image", "avatar", "submission"][i as usize % 3].to_owned(),
            ),
            metadata: json!({"width": 800, "height": 600}),
            is_public: i.is_multiple_of(3),
            access_count: rng.random_range(0..100),
            last_accessed_at: Some(ctx.past(created + TimeDelta::days(rng.random_range(0..60)))),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn items(ctx: &Ctx) -> impl Iterator<Item = items::ActiveModel> + Send + '_ {
    (0..ctx.n.items).map(move |i| {
        let mut rng = ctx.rng("items", i);
        let created = ctx.created("items", i);
        let topic = TOPICS[i as usize % TOPICS.len()];
        let status = if i % 8 == 7 {
            ItemStatus::UnderReview
        } else {
            ItemStatus::Published
        };
        let published = status == ItemStatus::Published;
        let choices: Vec<String> = (0..4).map(|_| Word().fake_with_rng(&mut rng)).collect();
        items::Model {
            id: ctx.id_of("items", i),
            slug: format!("{}-{i:05}", topic.to_lowercase()),
            content: json!({"stem": Sentence(6..14).fake_with_rng::<String, _>(&mut rng)}),
            correct: json!([rng.random_range(0..4)]),
            choices: json!(choices),
            explanation: Some(
                json!({"text": Sentence(6..12).fake_with_rng::<String, _>(&mut rng)}),
            ),
            difficulty: dec(rng.random_range(-3000..=3000), 3),
            discrimination: dec(rng.random_range(500..2500), 3),
            guessing: dec(rng.random_range(150..=300), 3),
            topics: json!([topic]),
            jurisdictions: json!(["US"]),
            item_type: if i % 5 == 4 {
                QuestionType::TrueFalse
            } else {
                QuestionType::MultipleChoice
            },
            cognitive_level: ["knowledge", "comprehension", "application", "analysis"]
                [i as usize % 4]
                .to_owned(),
            media_refs: json!([]),
            external_refs: json!([]),
            estimated_time: rng.random_range(30..180),
            points: 1,
            tags: json!([topic.to_lowercase(), "core"]),
            version: 1,
            status,
            created_by: Some(user(ctx, instructor(ctx, i))),
            reviewed_by: Some(user(ctx, instructor(ctx, i + 1))),
            approved_by: published.then(|| user(ctx, 0)),
            published_at: published.then(|| created + TimeDelta::days(1)),
            usage_count: rng.random_range(0..5000),
            avg_response_time: rng.random_range(5_000..90_000),
            success_rate: dec(rng.random_range(2000..=9500), 4),
            is_active: true,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn attempts(ctx: &Ctx) -> impl Iterator<Item = attempts::ActiveModel> + Send + '_ {
    (0..ctx.n.adaptive_sessions() * ATTEMPTS_PER_SESSION).map(move |r| {
        let k = r / ATTEMPTS_PER_SESSION;
        let a = r % ATTEMPTS_PER_SESSION;
        let s = adaptive_session(k);
        let mut rng = ctx.rng("attempts", r);
        let taken: i32 = rng.random_range(2_000..90_000);
        // Received by the server shortly after the client recorded it.
        let attempted = session_start(ctx, s) + TimeDelta::seconds(45 * a as i64);
        let created = attempted + TimeDelta::milliseconds(i64::from(taken % 1000) + 150);
        let correct = attempt_correct(ctx, r);
        let ability: i64 = rng.random_range(-2000..2000);
        let interval = rng.random_range(1..30);
        attempts::Model {
            id: ctx.id("attempts", r, created),
            user_id: user(ctx, session_user(ctx, s)),
            item_id: ctx.id_of("items", (k * 11 + a) % ctx.n.items),
            session_id: ctx.id_of("practice_sessions", s),
            selected: json!([rng.random_range(0..4)]),
            correct,
            quality: Some(if correct { rng.random_range(3..=5) } else { rng.random_range(0..3) }),
            confidence: Some(rng.random_range(1..=5)),
            time_taken_ms: taken,
            hints_used: rng.random_range(0..3),
            client_attempt_id: ctx.id("attempts.client", r, attempted),
            device_type: Some(DEVICES[k as usize % 3].to_owned()),
            app_version: Some(format!("3.{}.{}", k % 4, k % 10)),
            ip_address: Some(IPv4().fake_with_rng(&mut rng)),
            user_agent: Some(UserAgent().fake_with_rng(&mut rng)),
            sm2_state_before: Some(json!({"ef": 2.5, "interval": interval})),
            sm2_state_after: Some(json!({"ef": if correct { 2.6 } else { 2.3 }, "interval": if correct { interval * 2 } else { 1 }})),
            bkt_state_before: Some(json!({"p_known": 0.4})),
            bkt_state_after: Some(json!({"p_known": if correct { 0.55 } else { 0.3 }})),
            irt_ability_before: Some(json!({"theta": ability as f64 / 1000.0})),
            irt_ability_after: Some(json!({"theta": (ability + if correct { 50 } else { -50 }) as f64 / 1000.0})),
            attempted_at: attempted,
            created_at: created,
        }
        .into_active_model()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kedge_session_answers_or_skips_each_of_its_questions_once() {
        // UNIQUE (session_id, question_id) on practice_answers (SPEC-26-27 §26.2.5).
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        for scale in [1, 2, 7] {
            let ctx = Ctx::new(scale, 42, day);
            for k in 0..ctx.n.quiz_sessions() {
                let listed = ANSWERS_PER_SESSION + skipped(&ctx, k) + UNREACHED;
                let mut questions: Vec<_> =
                    (0..listed).map(|p| session_question(&ctx, k, p)).collect();
                let answered: Vec<_> = (0..ANSWERS_PER_SESSION)
                    .map(|a| answer_question(&ctx, k * ANSWERS_PER_SESSION + a))
                    .collect();
                assert!(answered.iter().all(|x| questions.contains(x)));
                questions.sort_unstable();
                questions.dedup();
                assert_eq!(
                    questions.len() as u64,
                    listed,
                    "session {k} at scale {scale}"
                );
            }
        }
    }
}
