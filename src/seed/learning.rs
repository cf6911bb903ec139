//! The LMS side (modules `courses`, `enrollments`, `assessments`, `payments`): instructors'
//! courses of modules and lessons, learners enrolled in three courses each, their lesson
//! progress, quiz and assignment submissions, certificates, payments and refunds.

use chrono::{DateTime, FixedOffset, TimeDelta};
use entity::sea_orm_active_enums::{
    AssignmentGradingStatus, CourseStatus, EnrollmentStatus, GradingStatus, LessonType,
    PaymentStatus, ProgressStatus, QuestionDifficulty, QuestionType, QuizType, RefundStatus,
    SubscriptionStatus,
};
use entity::{
    assignment_submissions, assignments, certificates, course_modules, courses, enrollments,
    lesson_progress, lessons, payments, questions, quiz_submissions, quizzes, refunds,
    subscriptions,
};
use fake::Fake;
use fake::faker::company::en::{Buzzword, CatchPhrase};
use fake::faker::lorem::en::{Paragraph, Sentence, Word};
use rand::Rng;
use sea_orm::IntoActiveModel;
use serde_json::json;

use super::det::{Ctx, dec, slug};
use super::people::{DIFFICULTIES, instructor, learner, user};
use super::plan::{
    COURSES_PER_LEARNER, LESSONS_PER_MODULE, MODULES_PER_COURSE, PROGRESS_PER_ENROLLMENT,
    QUESTIONS_PER_QUIZ, SUBMISSIONS_PER_ENROLLMENT,
};

type Ts = DateTime<FixedOffset>;

const CATEGORIES: &[&str] = &[
    "Sign Language",
    "Languages",
    "Mathematics",
    "Computer Science",
    "Writing",
];

/// The course of enrollment `e`: learner `e / 3` takes three distinct courses.
pub fn course_of(ctx: &Ctx, e: u64) -> u64 {
    let (k, j) = (e / COURSES_PER_LEARNER, e % COURSES_PER_LEARNER);
    (k * 7 + j) % ctx.n.courses
}

/// The user index of the learner of enrollment `e`.
pub fn student_of(ctx: &Ctx, e: u64) -> u64 {
    learner(ctx, e / COURSES_PER_LEARNER)
}

/// The price of course `c`: every course is paid, 19.99 to 99.99 USD.
fn price(c: u64) -> i64 {
    1999 + (c % 5) as i64 * 2000
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Completed,
    Dropped,
}

fn state(e: u64) -> State {
    if e.is_multiple_of(5) {
        State::Completed
    } else if e.is_multiple_of(7) {
        State::Dropped
    } else {
        State::Active
    }
}

/// When enrollment `e` started and, if it did, completed.
fn enrollment_times(ctx: &Ctx, e: u64) -> (Ts, Option<Ts>) {
    let enrolled = ctx.created("enrollments", e);
    let days = 20 + (ctx.hash("enrollments.completion", e) % 100) as i64;
    (
        enrolled,
        (state(e) == State::Completed).then(|| ctx.past(enrolled + TimeDelta::days(days))),
    )
}

pub fn courses(ctx: &Ctx) -> impl Iterator<Item = courses::ActiveModel> + Send + '_ {
    (0..ctx.n.courses).map(move |c| {
        let mut rng = ctx.rng("courses", c);
        let created = ctx.created("courses", c);
        let title: String = CatchPhrase().fake_with_rng(&mut rng);
        let published = c % 6 != 5;
        courses::Model {
            id: ctx.id_of("courses", c),
            instructor_id: user(ctx, instructor(ctx, c)),
            slug: format!("{}-{c}", slug(&title.replace(' ', "-"))),
            title,
            description: Paragraph(2..4).fake_with_rng(&mut rng),
            category: CATEGORIES[c as usize % CATEGORIES.len()].to_owned(),
            difficulty: DIFFICULTIES[c as usize % 3].clone(),
            price: dec(price(c), 2),
            currency: "USD".to_owned(),
            enrollment_limit: c.is_multiple_of(3).then_some(500),
            enrollment_count: (ctx.n.enrollments / ctx.n.courses) as i32,
            average_rating: Some(dec(rng.random_range(300..=500), 2)),
            total_reviews: rng.random_range(0..200),
            status: if published {
                CourseStatus::Published
            } else {
                CourseStatus::Draft
            },
            published_at: published.then(|| created + TimeDelta::days(3)),
            thumbnail_url: Some(format!("https://cdn.example.com/courses/{c}.jpg")),
            created_at: created,
            updated_at: created + TimeDelta::days(3),
        }
        .into_active_model()
    })
}

pub fn course_modules(ctx: &Ctx) -> impl Iterator<Item = course_modules::ActiveModel> + Send + '_ {
    (0..ctx.n.modules()).map(move |m| {
        let mut rng = ctx.rng("course_modules", m);
        let created = ctx.created("course_modules", m);
        let order = m % MODULES_PER_COURSE;
        course_modules::Model {
            id: ctx.id_of("course_modules", m),
            course_id: ctx.id_of("courses", m / MODULES_PER_COURSE),
            title: format!(
                "Module {}: {}",
                order + 1,
                Buzzword().fake_with_rng::<String, _>(&mut rng)
            ),
            description: Some(Sentence(6..14).fake_with_rng(&mut rng)),
            order_number: order as i32,
            duration_minutes: rng.random_range(30..240),
            prerequisite_module_id: (order > 0).then(|| ctx.id_of("course_modules", m - 1)),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

/// The lesson type of lesson `l`: in each module a video, two texts, an assignment, a quiz.
fn lesson_type(l: u64) -> LessonType {
    match l % LESSONS_PER_MODULE {
        0 => LessonType::Video,
        3 => LessonType::Assignment,
        4 => LessonType::Quiz,
        _ => LessonType::Text,
    }
}

pub fn lessons(ctx: &Ctx) -> impl Iterator<Item = lessons::ActiveModel> + Send + '_ {
    (0..ctx.n.lessons()).map(move |l| {
        let mut rng = ctx.rng("lessons", l);
        let created = ctx.created("lessons", l);
        let kind = lesson_type(l);
        lessons::Model {
            id: ctx.id_of("lessons", l),
            module_id: ctx.id_of("course_modules", l / LESSONS_PER_MODULE),
            title: Sentence(2..5).fake_with_rng(&mut rng),
            description: Some(Sentence(6..12).fake_with_rng(&mut rng)),
            content_url: (kind == LessonType::Video)
                .then(|| format!("https://videos.example.com/lessons/{l}.mp4")),
            content_text: (kind == LessonType::Text)
                .then(|| Paragraph(3..6).fake_with_rng(&mut rng)),
            duration_minutes: Some(rng.random_range(5..45)),
            order_number: (l % LESSONS_PER_MODULE) as i32,
            is_preview: l.is_multiple_of(LESSONS_PER_MODULE) && l.is_multiple_of(2),
            metadata: json!({"format": format!("{kind:?}").to_lowercase()}),
            lesson_type: kind,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

fn payment_amount(ctx: &Ctx, p: u64) -> i64 {
    price(course_of(ctx, 3 * p))
}

pub fn payments(ctx: &Ctx) -> impl Iterator<Item = payments::ActiveModel> + Send + '_ {
    (0..ctx.n.payments).map(move |p| {
        let created = ctx.created("payments", p);
        let e = 3 * p;
        payments::Model {
            id: ctx.id_of("payments", p),
            user_id: user(ctx, student_of(ctx, e)),
            course_id: Some(ctx.id_of("courses", course_of(ctx, e))),
            stripe_payment_intent_id: Some(format!("pi_{p:06}{:012x}", ctx.hash("pi", p) >> 16)),
            stripe_checkout_session_id: Some(format!("cs_{p:06}{:012x}", ctx.hash("cs", p) >> 16)),
            amount: dec(payment_amount(ctx, p), 2),
            currency: "USD".to_owned(),
            status: if p.is_multiple_of(5) {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::Succeeded
            },
            payment_method: Some(
                ["card", "card", "paypal", "apple_pay"][p as usize % 4].to_owned(),
            ),
            metadata: Some(json!({"enrollment_index": e})),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn subscriptions(ctx: &Ctx) -> impl Iterator<Item = subscriptions::ActiveModel> + Send + '_ {
    (0..10 * ctx.n.scale).map(move |i| {
        let created = ctx.at_in("subscriptions", i, 10 * ctx.n.scale, super::det::ACTIVITY);
        let status = [
            SubscriptionStatus::Active,
            SubscriptionStatus::Active,
            SubscriptionStatus::Active,
            SubscriptionStatus::Canceled,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Unpaid,
        ][i as usize % 6]
            .clone();
        subscriptions::Model {
            id: ctx.id("subscriptions", i, created),
            user_id: user(ctx, learner(ctx, i * 4)),
            stripe_subscription_id: format!("sub_{i:06}{:012x}", ctx.hash("sub", i) >> 16),
            stripe_customer_id: format!("cus_{i:06}{:08x}", ctx.hash("cus", i) >> 32),
            plan_id: ["monthly", "yearly", "monthly_plus"][i as usize % 3].to_owned(),
            cancel_at_period_end: status == SubscriptionStatus::Canceled,
            status,
            current_period_start: created,
            current_period_end: created + TimeDelta::days(30),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn enrollments(ctx: &Ctx) -> impl Iterator<Item = enrollments::ActiveModel> + Send + '_ {
    (0..ctx.n.enrollments).map(move |e| {
        let mut rng = ctx.rng("enrollments", e);
        let (enrolled, completed) = enrollment_times(ctx, e);
        let st = state(e);
        let last = completed
            .unwrap_or_else(|| ctx.past(enrolled + TimeDelta::days(rng.random_range(1..60))));
        enrollments::Model {
            id: ctx.id_of("enrollments", e),
            student_id: user(ctx, student_of(ctx, e)),
            course_id: ctx.id_of("courses", course_of(ctx, e)),
            enrolled_at: enrolled,
            completed_at: completed,
            progress_percentage: match st {
                State::Completed => dec(10000, 2),
                _ => dec(rng.random_range(0..9500), 2),
            },
            last_accessed_at: Some(last),
            payment_id: e.is_multiple_of(3).then(|| ctx.id_of("payments", e / 3)),
            status: match st {
                State::Active => EnrollmentStatus::Active,
                State::Completed => EnrollmentStatus::Completed,
                State::Dropped => EnrollmentStatus::Dropped,
            },
            created_at: enrolled,
            updated_at: last,
        }
        .into_active_model()
    })
}

pub fn lesson_progress(
    ctx: &Ctx,
) -> impl Iterator<Item = lesson_progress::ActiveModel> + Send + '_ {
    (0..ctx.n.enrollments * PROGRESS_PER_ENROLLMENT).map(move |r| {
        let e = r / PROGRESS_PER_ENROLLMENT;
        let o = r % PROGRESS_PER_ENROLLMENT;
        let mut rng = ctx.rng("lesson_progress", r);
        let (enrolled, _) = enrollment_times(ctx, e);
        // The lessons of the course's first two modules, in order.
        let l = course_of(ctx, e) * MODULES_PER_COURSE * LESSONS_PER_MODULE + o;
        let reached = if state(e) == State::Completed {
            PROGRESS_PER_ENROLLMENT
        } else {
            ctx.hash("lesson_progress.reached", e) % (PROGRESS_PER_ENROLLMENT + 1)
        };
        let status = match o.cmp(&reached) {
            std::cmp::Ordering::Less => ProgressStatus::Completed,
            std::cmp::Ordering::Equal => ProgressStatus::InProgress,
            std::cmp::Ordering::Greater => ProgressStatus::NotStarted,
        };
        let created = enrolled + TimeDelta::hours(1 + 20 * o as i64);
        let done = status == ProgressStatus::Completed;
        let started = status != ProgressStatus::NotStarted;
        lesson_progress::Model {
            id: ctx.id("lesson_progress", r, created),
            enrollment_id: ctx.id_of("enrollments", e),
            lesson_id: ctx.id_of("lessons", l),
            time_spent_seconds: if started {
                rng.random_range(60..3600)
            } else {
                0
            },
            completed_at: done.then(|| created + TimeDelta::minutes(rng.random_range(5..90))),
            quiz_score: (done && lesson_type(l) == LessonType::Quiz)
                .then(|| rng.random_range(40..=100)),
            attempts_count: if started { rng.random_range(1..4) } else { 0 },
            last_accessed_at: started.then_some(created),
            status,
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn certificates(ctx: &Ctx) -> impl Iterator<Item = certificates::ActiveModel> + Send + '_ {
    (0..ctx.n.certificates()).map(move |i| {
        let e = i * 5;
        let (_, completed) = enrollment_times(ctx, e);
        let issued = completed.unwrap_or_else(|| ctx.created("enrollments", e));
        let code = format!("LDB-{e:07}-{:08X}", ctx.hash("certificates", i) >> 32);
        certificates::Model {
            id: ctx.id("certificates", i, issued),
            enrollment_id: ctx.id_of("enrollments", e),
            pdf_url: format!("https://certificates.example.com/{code}.pdf"),
            verification_url: format!("https://example.com/verify/{code}"),
            certificate_id: code,
            issued_at: issued,
            metadata: Some(json!({"course_index": course_of(ctx, e), "grade": "pass"})),
            created_at: issued,
        }
        .into_active_model()
    })
}

pub fn refunds(ctx: &Ctx) -> impl Iterator<Item = refunds::ActiveModel> + Send + '_ {
    (0..ctx.n.refunds()).map(move |i| {
        let p = i * 5;
        let created = ctx.created("payments", p) + TimeDelta::days(7);
        let amount = payment_amount(ctx, p);
        refunds::Model {
            id: ctx.id("refunds", i, created),
            payment_id: ctx.id_of("payments", p),
            enrollment_id: Some(ctx.id_of("enrollments", 3 * p)),
            stripe_refund_id: Some(format!("re_{i:06}{:012x}", ctx.hash("re", i) >> 16)),
            // Never more than the payment: full refunds, and half ones for every other.
            amount: dec(
                if i.is_multiple_of(2) {
                    amount
                } else {
                    amount / 2
                },
                2,
            ),
            reason: Some(
                ["requested_by_customer", "duplicate", "course_cancelled"][i as usize % 3]
                    .to_owned(),
            ),
            status: if i % 4 == 3 {
                RefundStatus::Pending
            } else {
                RefundStatus::Succeeded
            },
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn quizzes(ctx: &Ctx) -> impl Iterator<Item = quizzes::ActiveModel> + Send + '_ {
    (0..ctx.n.modules()).map(move |q| {
        let mut rng = ctx.rng("quizzes", q);
        let created = ctx.created("quizzes", q);
        let windowed = q.is_multiple_of(3);
        quizzes::Model {
            id: ctx.id_of("quizzes", q),
            lesson_id: ctx.id_of("lessons", q * LESSONS_PER_MODULE + 4),
            title: format!(
                "Quiz: {}",
                Sentence(2..5).fake_with_rng::<String, _>(&mut rng)
            ),
            description: Some(Sentence(6..12).fake_with_rng(&mut rng)),
            quiz_type: [QuizType::Formative, QuizType::Summative, QuizType::Practice]
                [q as usize % 3]
                .clone(),
            time_limit_minutes: q.is_multiple_of(2).then_some(20),
            passing_score_percentage: 70,
            max_attempts: (q % 4) as i32,
            randomize_questions: q % 2 == 1,
            randomize_options: q % 3 == 1,
            show_correct_answers: true,
            show_explanations: true,
            available_from: windowed.then_some(created),
            available_until: windowed.then(|| created + TimeDelta::days(700)),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

const QUESTION_TYPES: [QuestionType; 6] = [
    QuestionType::MultipleChoice,
    QuestionType::TrueFalse,
    QuestionType::ShortAnswer,
    QuestionType::MultipleChoice,
    QuestionType::FillBlank,
    QuestionType::Essay,
];

pub fn questions(ctx: &Ctx) -> impl Iterator<Item = questions::ActiveModel> + Send + '_ {
    let quiz_questions = ctx.n.quiz_questions();
    (0..quiz_questions + ctx.n.bank_questions()).map(move |x| {
        let mut rng = ctx.rng("questions", x);
        let created = ctx.created("questions", x);
        let in_quiz = x < quiz_questions;
        let kind = QUESTION_TYPES[x as usize % QUESTION_TYPES.len()].clone();
        let options: Vec<String> = (0..4).map(|_| Word().fake_with_rng(&mut rng)).collect();
        let (options, answer) = match kind {
            QuestionType::MultipleChoice => {
                (Some(json!(options)), json!(options[rng.random_range(0..4)]))
            }
            QuestionType::TrueFalse => (Some(json!([true, false])), json!(rng.random_bool(0.5))),
            QuestionType::Essay => (None, json!({"rubric": "complete sentences"})),
            _ => (None, json!(options[0])),
        };
        questions::Model {
            id: ctx.id_of("questions", x),
            subject_id: None,
            alternative_answers: None,
            answer_index: None,
            hints: None,
            extra_properties: None,
            quiz_id: in_quiz.then(|| ctx.id_of("quizzes", x / QUESTIONS_PER_QUIZ)),
            // Bank questions (Kedge) belong to knowledge points; a third of quiz questions too.
            knowledge_point_id: (!in_quiz || x.is_multiple_of(3))
                .then(|| ctx.id_of("knowledge_points", x % ctx.n.knowledge_points)),
            allow_multiple: kind == QuestionType::MultipleChoice && x % 4 == 3,
            question_type: kind,
            question_text: format!(
                "{}?",
                Sentence(5..12)
                    .fake_with_rng::<String, _>(&mut rng)
                    .trim_end_matches('.')
            ),
            question_media_url: None,
            options,
            correct_answer: answer,
            explanation: Some(Sentence(6..14).fake_with_rng(&mut rng)),
            original_paragraph: (!in_quiz).then(|| Paragraph(2..4).fake_with_rng(&mut rng)),
            images: (!in_quiz).then(|| json!([])),
            tags: Some(json!([Word().fake_with_rng::<String, _>(&mut rng)])),
            points: rng.random_range(1..5),
            order_number: in_quiz.then_some((x % QUESTIONS_PER_QUIZ) as i32),
            difficulty: [
                QuestionDifficulty::Easy,
                QuestionDifficulty::Medium,
                QuestionDifficulty::Hard,
            ][rng.random_range(0..3)]
            .clone(),
            created_at: created,
            updated_at: created,
            subject_id: None,
            alternative_answers: None,
            answer_index: None,
            hints: None,
            extra_properties: None,
        }
        .into_active_model()
    })
}

/// The quiz (one per module) a submission of enrollment `e` answers, `t` in 0..2.
fn quiz_of(ctx: &Ctx, e: u64, t: u64) -> u64 {
    course_of(ctx, e) * MODULES_PER_COURSE + t
}

pub fn quiz_submissions(
    ctx: &Ctx,
) -> impl Iterator<Item = quiz_submissions::ActiveModel> + Send + '_ {
    (0..ctx.n.enrollments * SUBMISSIONS_PER_ENROLLMENT).map(move |r| {
        let e = r / SUBMISSIONS_PER_ENROLLMENT;
        let t = r % SUBMISSIONS_PER_ENROLLMENT;
        let mut rng = ctx.rng("quiz_submissions", r);
        let (enrolled, _) = enrollment_times(ctx, e);
        let started = enrolled + TimeDelta::days(3 + 7 * t as i64);
        let taken = rng.random_range(120..1500);
        let score = rng.random_range(3000..=10000);
        let graded = r % 6 == 5;
        let c = course_of(ctx, e);
        quiz_submissions::Model {
            id: ctx.id("quiz_submissions", r, started),
            quiz_id: ctx.id_of("quizzes", quiz_of(ctx, e, t)),
            student_id: user(ctx, student_of(ctx, e)),
            enrollment_id: ctx.id_of("enrollments", e),
            attempt_number: 1,
            started_at: started,
            submitted_at: Some(started + TimeDelta::seconds(taken)),
            time_taken_seconds: Some(taken as i32),
            score_percentage: Some(dec(score, 2)),
            points_earned: Some(dec(score / 20, 2)),
            answers: json!(
                (0..QUESTIONS_PER_QUIZ)
                    .map(|k| json!({"question": k, "answer": rng.random_range(0..4)}))
                    .collect::<Vec<_>>()
            ),
            grading_status: if graded {
                GradingStatus::Graded
            } else {
                GradingStatus::AutoGraded
            },
            feedback: graded.then(|| Sentence(4..10).fake_with_rng(&mut rng)),
            graded_at: graded.then(|| started + TimeDelta::days(2)),
            graded_by: graded.then(|| user(ctx, instructor(ctx, c))),
            created_at: started,
            updated_at: started + TimeDelta::seconds(taken),
        }
        .into_active_model()
    })
}

pub fn assignments(ctx: &Ctx) -> impl Iterator<Item = assignments::ActiveModel> + Send + '_ {
    (0..ctx.n.modules()).map(move |a| {
        let mut rng = ctx.rng("assignments", a);
        let created = ctx.created("assignments", a);
        assignments::Model {
            id: ctx.id_of("assignments", a),
            lesson_id: ctx.id_of("lessons", a * LESSONS_PER_MODULE + 3),
            title: format!(
                "Assignment: {}",
                Sentence(2..5).fake_with_rng::<String, _>(&mut rng)
            ),
            description: Some(Sentence(8..16).fake_with_rng(&mut rng)),
            instructions: Paragraph(2..4).fake_with_rng(&mut rng),
            due_date: created + TimeDelta::days(90 + 30 * (a % MODULES_PER_COURSE) as i64),
            late_submission_allowed: a.is_multiple_of(2),
            late_penalty_percentage: if a.is_multiple_of(2) { 10 } else { 0 },
            max_points: 100,
            requires_file_upload: a % 3 != 2,
            allowed_file_types: json!(["pdf", "docx", "txt"]),
            max_file_size_mb: 10,
            rubric: Some(json!({"clarity": 40, "accuracy": 40, "style": 20})),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

/// Row index of the first revision submitted for enrollment `e` (every fourth gets two).
fn submission_row(e: u64) -> u64 {
    e + e.div_ceil(4)
}

pub fn assignment_submissions(
    ctx: &Ctx,
) -> impl Iterator<Item = assignment_submissions::ActiveModel> + Send + '_ {
    (0..ctx.n.enrollments).flat_map(move |e| {
        let revisions = if e.is_multiple_of(4) { 2 } else { 1 };
        (1..=revisions).map(move |revision| submission(ctx, e, revision, revisions))
    })
}

fn submission(
    ctx: &Ctx,
    e: u64,
    revision: u64,
    revisions: u64,
) -> assignment_submissions::ActiveModel {
    let r = submission_row(e) + revision - 1;
    let mut rng = ctx.rng("assignment_submissions", r);
    let (enrolled, _) = enrollment_times(ctx, e);
    let submitted = enrolled + TimeDelta::days(10 + 5 * revision as i64);
    let c = course_of(ctx, e);
    // A first revision that got a second one was sent back; the last one is graded or waiting.
    let status = if revision < revisions {
        AssignmentGradingStatus::RevisionRequested
    } else {
        [
            AssignmentGradingStatus::Graded,
            AssignmentGradingStatus::Graded,
            AssignmentGradingStatus::Submitted,
            AssignmentGradingStatus::UnderReview,
        ][e as usize % 4]
            .clone()
    };
    let graded = matches!(
        status,
        AssignmentGradingStatus::Graded | AssignmentGradingStatus::RevisionRequested
    );
    let id_at = |row: u64, rev: u64| {
        ctx.id(
            "assignment_submissions",
            row,
            enrolled + TimeDelta::days(10 + 5 * rev as i64),
        )
    };
    assignment_submissions::Model {
        id: id_at(r, revision),
        assignment_id: ctx.id_of("assignments", c * MODULES_PER_COURSE),
        student_id: user(ctx, student_of(ctx, e)),
        enrollment_id: ctx.id_of("enrollments", e),
        file_url: Some(format!(
            "https://files.example.com/submissions/{e}-{revision}.pdf"
        )),
        file_name: Some(format!("essay-v{revision}.pdf")),
        file_size_bytes: Some(rng.random_range(20_000..4_000_000)),
        submission_text: Some(Paragraph(1..3).fake_with_rng(&mut rng)),
        submitted_at: submitted,
        is_late: rng.random_bool(0.1),
        points_awarded: graded.then(|| dec(rng.random_range(5000..=10000), 2)),
        feedback: graded.then(|| Sentence(5..12).fake_with_rng(&mut rng)),
        grading_status: status,
        graded_at: graded.then(|| submitted + TimeDelta::days(2)),
        graded_by: graded.then(|| user(ctx, instructor(ctx, c))),
        revision_number: revision as i32,
        parent_submission_id: (revision > 1).then(|| id_at(r - 1, revision - 1)),
        created_at: submitted,
        updated_at: submitted,
    }
    .into_active_model()
}
