//! The LMS side (modules `courses`, `enrollments`, `assessments`, `payments`): instructors'
//! courses of modules and lessons, learners enrolled in one to five courses each, their lesson
//! progress, quiz and assignment submissions, certificates, payments and refunds.
//!
//! The counters on courses (enrollment_count, total_reviews) follow from the enrollments, and
//! an enrollment's progress_percentage from its lesson_progress rows.

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
    ENROLLMENTS, LESSONS_PER_COURSE, LESSONS_PER_MODULE, MODULES_PER_COURSE, QUESTIONS_PER_QUIZ,
    SUBMISSIONS_PER_ENROLLMENT, enrollment_completed, lessons_completed, progress_rows,
};
use super::practice::kp_subject;

type Ts = DateTime<FixedOffset>;

const CATEGORIES: &[&str] = &[
    "Sign Language",
    "Languages",
    "Mathematics",
    "Computer Science",
    "Writing",
];

/// The course of enrollment `e`: the `j`-th enrollment of learner `k` is course `7k + j`, so a
/// learner's (at most five) courses are distinct.
pub fn course_of(ctx: &Ctx, e: u64) -> u64 {
    let (k, j) = ENROLLMENTS.locate(ctx, e);
    (k * 7 + j) % ctx.n.courses
}

/// The user index of the learner of enrollment `e`.
pub fn student_of(ctx: &Ctx, e: u64) -> u64 {
    learner(ctx, ENROLLMENTS.locate(ctx, e).0)
}

/// The enrollments of learner `k` (1 to 5).
pub fn enrollments_of(ctx: &Ctx, k: u64) -> std::ops::Range<u64> {
    let first = ENROLLMENTS.first(ctx, k);
    first..first + ENROLLMENTS.count(ctx, k)
}

/// The price of course `c`: every course is paid, 19.99 to 99.99 USD.
fn price(c: u64) -> i64 {
    1999 + (c % 5) as i64 * 2000
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum State {
    Active,
    Completed,
    Dropped,
}

pub fn state(e: u64) -> State {
    if enrollment_completed(e) {
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

/// What a course's counters and analytics add up from its enrollments and payments.
#[derive(Clone, Copy, Debug, Default)]
pub struct CourseTotals {
    pub enrollments: i32,
    pub active: i32,
    pub completed: i32,
    pub dropped: i32,
    /// Days from enrollment to completion, summed over the completed enrollments.
    pub completion_days: i64,
    /// Payments for the course less their refunds, in cents.
    pub revenue_cents: i64,
}

/// The totals of every course, in one pass over the enrollments: memory in the number of
/// courses, not of enrollments.
pub fn course_totals(ctx: &Ctx) -> Vec<CourseTotals> {
    let mut totals = vec![CourseTotals::default(); ctx.n.courses as usize];
    for e in 0..ctx.n.enrollments {
        let t = &mut totals[course_of(ctx, e) as usize];
        t.enrollments += 1;
        match state(e) {
            State::Active => t.active += 1,
            State::Dropped => t.dropped += 1,
            State::Completed => {
                t.completed += 1;
                if let (enrolled, Some(done)) = enrollment_times(ctx, e) {
                    t.completion_days += (done - enrolled).num_days();
                }
            }
        }
        if e.is_multiple_of(3) {
            let p = e / 3;
            t.revenue_cents += payment_amount(ctx, p) - refund_amount(ctx, p);
        }
    }
    totals
}

/// The course's average rating, given by the learners who completed it, if any did.
pub fn course_rating(ctx: &Ctx, c: u64, totals: &CourseTotals) -> Option<rust_decimal::Decimal> {
    (totals.completed > 0).then(|| dec(300 + (ctx.hash("courses.rating", c) % 201) as i64, 2))
}

pub fn courses(ctx: &Ctx) -> impl Iterator<Item = courses::ActiveModel> + Send + '_ {
    let totals = course_totals(ctx);
    (0..ctx.n.courses).map(move |c| {
        let mut rng = ctx.rng("courses", c);
        let created = ctx.created("courses", c);
        let t = totals[c as usize];
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
            enrollment_count: t.enrollments,
            // No table holds course reviews: those who completed the course reviewed it.
            average_rating: course_rating(ctx, c, &t),
            total_reviews: t.completed,
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

/// What was refunded of payment `p` (every fifth is refunded, in full or by half), in cents.
fn refund_amount(ctx: &Ctx, p: u64) -> i64 {
    if !p.is_multiple_of(5) {
        return 0;
    }
    let amount = payment_amount(ctx, p);
    if (p / 5).is_multiple_of(2) {
        amount
    } else {
        amount / 2
    }
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
            // Completed lessons of the course's lessons, as its lesson_progress rows say.
            progress_percentage: dec(
                (lessons_completed(e) * 10000 / LESSONS_PER_COURSE) as i64,
                2,
            ),
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
    (0..ctx.n.enrollments)
        .flat_map(move |e| (0..progress_rows(e)).map(move |o| progress(ctx, e, o)))
}

/// Progress of enrollment `e` in the `o`-th lesson of its course: the lessons before
/// [`lessons_completed`] are completed, the next one is in progress.
fn progress(ctx: &Ctx, e: u64, o: u64) -> lesson_progress::ActiveModel {
    // A slot per (enrollment, lesson): unique, and independent of the other enrollments' rows.
    let r = e * LESSONS_PER_COURSE + o;
    let mut rng = ctx.rng("lesson_progress", r);
    let (enrolled, _) = enrollment_times(ctx, e);
    let l = course_of(ctx, e) * LESSONS_PER_COURSE + o;
    let status = if o < lessons_completed(e) {
        ProgressStatus::Completed
    } else {
        ProgressStatus::InProgress
    };
    let created = enrolled + TimeDelta::hours(1 + 20 * o as i64);
    let done = status == ProgressStatus::Completed;
    lesson_progress::Model {
        id: ctx.id("lesson_progress", r, created),
        enrollment_id: ctx.id_of("enrollments", e),
        lesson_id: ctx.id_of("lessons", l),
        time_spent_seconds: rng.random_range(60..3600),
        completed_at: done.then(|| created + TimeDelta::minutes(rng.random_range(5..90))),
        quiz_score: (done && lesson_type(l) == LessonType::Quiz)
            .then(|| rng.random_range(40..=100)),
        attempts_count: rng.random_range(1..4),
        last_accessed_at: Some(created),
        status,
        created_at: created,
        updated_at: created,
    }
    .into_active_model()
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
        refunds::Model {
            id: ctx.id("refunds", i, created),
            payment_id: ctx.id_of("payments", p),
            enrollment_id: Some(ctx.id_of("enrollments", 3 * p)),
            stripe_refund_id: Some(format!("re_{i:06}{:012x}", ctx.hash("re", i) >> 16)),
            // Never more than the payment: full refunds, and half ones for every other.
            amount: dec(refund_amount(ctx, p), 2),
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

/// A Kedge bank question (SPEC-26-27 §26.4): what its row holds and its answers are checked
/// against. Choice questions have four distinct options and 0-based `answer_index`es into them.
pub struct KgQuestion {
    pub kind: QuestionType,
    pub allow_multiple: bool,
    /// Empty for questions without options.
    pub options: Vec<String>,
    pub answer_index: Vec<usize>,
    /// Fill-in-the-blank: the accepted answer of each blank (one or two blanks); short answer:
    /// the expected answer.
    pub blanks: Vec<String>,
    pub alternatives: Vec<String>,
    pub subject: &'static str,
}

impl KgQuestion {
    /// Kedge's `quizzes.type` of this question (the value map of SPEC-26-27 §26.4 reversed).
    pub fn kg_type(&self) -> &'static str {
        match (&self.kind, self.allow_multiple) {
            (QuestionType::MultipleChoice, false) => "single-choice",
            (QuestionType::MultipleChoice, true) => "multiple-choice",
            (QuestionType::FillBlank, _) => "fill-in-the-blank",
            (QuestionType::Essay, _) => "subjective",
            _ => "other",
        }
    }

    pub fn correct_answer(&self) -> serde_json::Value {
        match (&self.kind, self.allow_multiple) {
            (QuestionType::MultipleChoice, false) => json!(self.options[self.answer_index[0]]),
            (QuestionType::MultipleChoice, true) => json!(
                self.answer_index
                    .iter()
                    .map(|i| &self.options[*i])
                    .collect::<Vec<_>>()
            ),
            (QuestionType::FillBlank, _) if self.blanks.len() > 1 => json!(self.blanks),
            (QuestionType::Essay, _) => json!({"rubric": "complete sentences"}),
            _ => json!(self.blanks[0]),
        }
    }

    /// A learner's answer as Kedge stores it: option indices for choices (KG …031), text
    /// otherwise; `correct` says whether it is right.
    pub fn answer(&self, correct: bool, wrong: &str) -> serde_json::Value {
        match (&self.kind, self.allow_multiple) {
            (QuestionType::MultipleChoice, false) => {
                let right = self.answer_index[0];
                json!(if correct { right } else { (right + 1) % 4 })
            }
            (QuestionType::MultipleChoice, true) => {
                json!(if correct {
                    &self.answer_index[..]
                } else {
                    &self.answer_index[..1]
                })
            }
            (QuestionType::FillBlank, _) if self.blanks.len() > 1 => {
                json!(if correct {
                    // The blanks are one order-independent group.
                    vec![self.blanks[1].clone(), self.blanks[0].clone()]
                } else {
                    vec![self.blanks[0].clone(), wrong.to_owned()]
                })
            }
            (QuestionType::FillBlank | QuestionType::ShortAnswer, _) => json!(if correct {
                self.alternatives
                    .first()
                    .unwrap_or(&self.blanks[0])
                    .as_str()
            } else {
                wrong
            }),
            _ => json!(wrong),
        }
    }
}

/// Bank question `b` (question row `quiz_questions + b`). Ten kinds in turn: single choice
/// four times, multiple choice and fill-in-the-blank twice, an essay and an "other" (short
/// answer) once, so that KG rows never carry true_false or matching.
pub fn kg_question(ctx: &Ctx, b: u64) -> KgQuestion {
    let x = ctx.n.quiz_questions() + b;
    let mut rng = ctx.rng("questions.kg", b);
    let mut words: Vec<String> = Vec::with_capacity(4);
    while words.len() < 4 {
        let w: String = Word().fake_with_rng(&mut rng);
        let w = if words.contains(&w) {
            format!("{w}{}", words.len())
        } else {
            w
        };
        words.push(w);
    }
    let (kind, allow_multiple) = match b % 10 {
        1 | 6 => (QuestionType::MultipleChoice, true),
        2 | 7 => (QuestionType::FillBlank, false),
        4 => (QuestionType::Essay, false),
        9 => (QuestionType::ShortAnswer, false),
        _ => (QuestionType::MultipleChoice, false),
    };
    let first = rng.random_range(0..4);
    let mut q = KgQuestion {
        kind,
        allow_multiple,
        options: Vec::new(),
        answer_index: Vec::new(),
        blanks: Vec::new(),
        alternatives: Vec::new(),
        subject: kp_subject(x % ctx.n.knowledge_points),
    };
    match (&q.kind, allow_multiple) {
        (QuestionType::MultipleChoice, false) => {
            q.answer_index = vec![first];
        }
        (QuestionType::MultipleChoice, true) => {
            let mut both = vec![first, (first + 1 + rng.random_range(0..3)) % 4];
            both.sort_unstable();
            q.answer_index = both;
        }
        (QuestionType::FillBlank, _) => {
            let blanks = if b % 20 == 7 { 2 } else { 1 };
            q.blanks = words[..blanks].to_vec();
            q.alternatives = vec![words[0].to_uppercase(), format!("{}s", words[0])];
        }
        (QuestionType::ShortAnswer, _) => q.blanks = vec![words[0].clone()],
        _ => {}
    }
    if q.kind == QuestionType::MultipleChoice {
        q.options = words;
    }
    q
}

const QUESTION_TYPES: [QuestionType; 6] = [
    QuestionType::MultipleChoice,
    QuestionType::TrueFalse,
    QuestionType::ShortAnswer,
    QuestionType::MultipleChoice,
    QuestionType::FillBlank,
    QuestionType::Essay,
];

/// Quiz questions come from DZ (the KG columns stay NULL); bank questions from Kedge.
pub fn questions(ctx: &Ctx) -> impl Iterator<Item = questions::ActiveModel> + Send + '_ {
    let quiz_questions = ctx.n.quiz_questions();
    (0..quiz_questions + ctx.n.bank_questions()).map(move |x| {
        let mut rng = ctx.rng("questions", x);
        let created = ctx.created("questions", x);
        let in_quiz = x < quiz_questions;
        let kg = (!in_quiz).then(|| kg_question(ctx, x - quiz_questions));
        let mut row = questions::Model {
            id: ctx.id_of("questions", x),
            quiz_id: in_quiz.then(|| ctx.id_of("quizzes", x / QUESTIONS_PER_QUIZ)),
            // Bank questions (Kedge) belong to knowledge points; a third of quiz questions too.
            knowledge_point_id: (!in_quiz || x.is_multiple_of(3))
                .then(|| ctx.id_of("knowledge_points", x % ctx.n.knowledge_points)),
            allow_multiple: false,
            question_type: QuestionType::MultipleChoice,
            question_text: format!(
                "{}?",
                Sentence(5..12)
                    .fake_with_rng::<String, _>(&mut rng)
                    .trim_end_matches('.')
            ),
            question_media_url: None,
            options: None,
            correct_answer: json!(null),
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
            subject_id: None,
            alternative_answers: None,
            answer_index: None,
            hints: None,
            extra_properties: None,
            created_at: created,
            updated_at: created,
        };
        if let Some(q) = kg {
            row.correct_answer = q.correct_answer();
            row.options = (!q.options.is_empty()).then(|| json!(q.options));
            row.answer_index = (!q.answer_index.is_empty()).then(|| json!(q.answer_index));
            row.subject_id = Some(q.subject.to_owned());
            if q.kind == QuestionType::FillBlank {
                row.alternative_answers = Some(json!(q.alternatives));
                // One hint or null per blank.
                let hints: Vec<_> = (0..q.blanks.len())
                    .map(|i| {
                        (i == 0).then(|| {
                            let first = q.blanks[0].chars().next().unwrap_or('?');
                            format!("Starts with \"{first}\"")
                        })
                    })
                    .collect();
                row.hints = Some(json!(hints));
            }
            row.extra_properties = Some(if q.blanks.len() > 1 {
                json!({"order-independent-groups": [[0, 1]]})
            } else {
                json!({})
            });
            row.allow_multiple = q.allow_multiple;
            row.question_type = q.kind;
        } else {
            let kind = QUESTION_TYPES[x as usize % QUESTION_TYPES.len()].clone();
            let options: Vec<String> = (0..4).map(|_| Word().fake_with_rng(&mut rng)).collect();
            let (options, answer) = match kind {
                QuestionType::MultipleChoice => {
                    (Some(json!(options)), json!(options[rng.random_range(0..4)]))
                }
                QuestionType::TrueFalse => {
                    (Some(json!([true, false])), json!(rng.random_bool(0.5)))
                }
                QuestionType::Essay => (None, json!({"rubric": "complete sentences"})),
                _ => (None, json!(options[0])),
            };
            row.allow_multiple = kind == QuestionType::MultipleChoice && x % 4 == 3;
            row.question_type = kind;
            row.options = options;
            row.correct_answer = answer;
        }
        row.into_active_model()
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
