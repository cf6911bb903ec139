#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Course platform flows, written as a service would write them: only the `entity` crate and
//! `sea-orm`, on PostgreSQL, MariaDB and SQLite.
//!
//! 1. A learner signs up (user, profile, preferences), enrols in a course with modules and
//!    lessons, progresses through the lessons, submits a quiz that is auto-graded and receives
//!    a certificate.
//! 2. An instructor publishes a course; a learner pays for it and the payment is partly
//!    refunded; a subscription goes past due.
//!
//! No flow sets `id`, `created_at` or `updated_at`: the entity crate fills them, and every
//! write is checked for a UUIDv7 id and UTC timestamps (`common::service`). Each flow then reads
//! what a service reads: related rows through relations (`find_related`, the 2.0 entity loader
//! and its `ModelEx`), counts and totals, enum and JSON values.

mod common;

use chrono::TimeDelta;
use common::service::{assert_read_back, at, dec, insert, sign_up, update};
use common::{Backend, TestDb};
use entity::prelude::*;
use entity::sea_orm_active_enums::{
    CourseStatus, Difficulty, EnrollmentStatus, GradingStatus, LessonType, PaymentStatus,
    ProgressStatus, QuestionDifficulty, QuestionType, QuizType, RefundStatus, Role, SkillLevel,
    SubscriptionStatus,
};
use entity::{
    certificates, course_modules, courses, enrollments, lesson_progress, lessons, payments,
    questions, quiz_submissions, quizzes, refunds, subscriptions, user_preferences, user_profiles,
    users,
};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, JoinType, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};
use serde_json::{Value as JsonValue, json};

on_every_backend!(
    a_learner_signs_up_learns_passes_a_quiz_and_is_certified,
    learner_journey
);
on_every_backend!(
    a_course_is_published_bought_partly_refunded_and_a_subscription_lapses,
    commerce
);

/// A course of `instructor` with two modules (the second requires the first), each of two
/// lessons; the last lesson of the second module is a quiz.
async fn course_with_lessons(
    db: &DatabaseConnection,
    instructor: &users::Model,
    slug: &str,
) -> (courses::Model, Vec<lessons::Model>) {
    let course = insert(
        db,
        courses::ActiveModel {
            instructor_id: Set(instructor.id),
            title: Set("Sign language for beginners".into()),
            description: Set("Fingerspelling, greetings and first stories.".into()),
            slug: Set(slug.into()),
            category: Set("languages".into()),
            difficulty: Set(Difficulty::Beginner),
            price: Set(dec("49.90")),
            currency: Set("EUR".into()),
            enrollment_limit: Set(Some(30)),
            ..Default::default()
        },
    )
    .await;
    let mut all_lessons = Vec::new();
    let mut previous: Option<course_modules::Model> = None;
    for (order, title) in [(1, "Fingerspelling"), (2, "Greetings")] {
        let module = insert(
            db,
            course_modules::ActiveModel {
                course_id: Set(course.id),
                title: Set(title.into()),
                order_number: Set(order),
                duration_minutes: Set(45),
                prerequisite_module_id: Set(previous.as_ref().map(|m| m.id)),
                ..Default::default()
            },
        )
        .await;
        for (lesson_order, lesson_type) in [(1, LessonType::Video), (2, LessonType::Text)] {
            let lesson_type = if order == 2 && lesson_order == 2 {
                LessonType::Quiz
            } else {
                lesson_type
            };
            all_lessons.push(
                insert(
                    db,
                    lessons::ActiveModel {
                        module_id: Set(module.id),
                        title: Set(format!("{title} {lesson_order}")),
                        lesson_type: Set(lesson_type),
                        duration_minutes: Set(Some(15)),
                        order_number: Set(lesson_order),
                        is_preview: Set(order == 1 && lesson_order == 1),
                        metadata: Set(json!({"captions": ["en", "de"], "hd": true})),
                        ..Default::default()
                    },
                )
                .await,
            );
        }
        previous = Some(module);
    }
    (course, all_lessons)
}

async fn learner_journey(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;

    // Sign-up: the user, a profile and two preferences.
    let learner = sign_up(db, "ada", Role::Student).await;
    assert_read_back(db, &learner).await;
    assert!(
        learner.is_active && !learner.email_verified,
        "column defaults"
    );
    assert_eq!(learner.created_at, learner.updated_at);
    let profile = insert(
        db,
        user_profiles::ActiveModel {
            user_id: Set(learner.id),
            timezone: Set("Europe/Berlin".into()),
            language: Set("de-DE".into()),
            skill_level: Set(SkillLevel::Beginner),
            interests: Set(Some(json!(["stories", "fingerspelling"]))),
            accessibility_settings: Set(Some(json!({"captions": true, "font_scale": 1.25}))),
            privacy_settings: Set(json!({"profile": "private", "show_progress": false})),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        profile.notification_preferences,
        json!({}),
        "JSON column default"
    );
    for (key, value) in [
        ("ui.theme", json!({"theme": "dark"})),
        (
            "practice.daily_goal",
            json!({"minutes": 20, "days": ["mon", "wed"]}),
        ),
    ] {
        insert(
            db,
            user_preferences::ActiveModel {
                user_id: Set(learner.id),
                preference_key: Set(key.into()),
                preference_value: Set(value),
                ..Default::default()
            },
        )
        .await;
    }
    let signed_up = users::Entity::load()
        .filter(users::Column::Id.eq(learner.id))
        .with(user_profiles::Entity)
        .with(user_preferences::Entity)
        .one(db)
        .await
        .unwrap()
        .expect("the learner reads back through the loader");
    let loaded_profile = signed_up.user_profiles.as_ref().expect("profile loaded");
    assert_eq!(loaded_profile.language, "de-DE");
    assert_eq!(
        loaded_profile.accessibility_settings,
        Some(json!({"captions": true, "font_scale": 1.25}))
    );
    let mut keys: Vec<&str> = signed_up
        .user_preferences
        .iter()
        .map(|p| p.preference_key.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["practice.daily_goal", "ui.theme"]);

    // The course an instructor built, and the enrolment.
    let instructor = sign_up(db, "grace", Role::Educator).await;
    let (course, course_lessons) = course_with_lessons(db, &instructor, "asl-101").await;
    let structure = courses::Entity::load()
        .filter(courses::Column::Id.eq(course.id))
        .with((course_modules::Entity, lessons::Entity))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut modules: Vec<_> = structure.course_modules.iter().collect();
    modules.sort_by_key(|m| m.order_number);
    assert_eq!(
        modules
            .iter()
            .map(|m| (m.title.as_str(), m.lessons.len()))
            .collect::<Vec<_>>(),
        [("Fingerspelling", 2), ("Greetings", 2)]
    );
    assert_eq!(modules[1].prerequisite_module_id, Some(modules[0].id));
    assert_eq!(course.status, CourseStatus::Draft, "enum default");

    let enrollment = insert(
        db,
        enrollments::ActiveModel {
            student_id: Set(learner.id),
            course_id: Set(course.id),
            enrolled_at: Set(at("2026-03-01T12:00:00Z")),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(enrollment.status, EnrollmentStatus::Active);
    assert_eq!(enrollment.progress_percentage, Decimal::ZERO);
    let mut counted = course.clone().into_active_model();
    counted.enrollment_count = Set(course.enrollment_count + 1);
    let course = update(db, counted).await;
    assert_eq!(course.enrollment_count, 1);
    assert_eq!(
        learner
            .find_related(enrollments::Entity)
            .count(db)
            .await
            .unwrap(),
        1
    );

    // Progress through every lesson: started, then completed with the time spent.
    let started = at("2026-03-02T18:00:00Z");
    for (i, lesson) in course_lessons.iter().enumerate() {
        let opened = started + TimeDelta::minutes(20 * i as i64);
        let progress = insert(
            db,
            lesson_progress::ActiveModel {
                enrollment_id: Set(enrollment.id),
                lesson_id: Set(lesson.id),
                status: Set(ProgressStatus::InProgress),
                last_accessed_at: Set(Some(opened)),
                attempts_count: Set(1),
                ..Default::default()
            },
        )
        .await;
        let mut done = progress.clone().into_active_model();
        done.status = Set(ProgressStatus::Completed);
        done.time_spent_seconds = Set(600 + 60 * i as i32);
        done.completed_at = Set(Some(opened + TimeDelta::minutes(15)));
        let done = update(db, done).await;
        assert!(done.updated_at >= progress.updated_at);
        assert_eq!(
            done.created_at, progress.created_at,
            "created_at never moves"
        );
        assert_eq!(done.completed_at, Some(opened + TimeDelta::minutes(15)));
        assert_read_back(db, &done).await;
    }
    let completed = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::EnrollmentId.eq(enrollment.id))
        .filter(lesson_progress::Column::Status.eq(ProgressStatus::Completed))
        .count(db)
        .await
        .unwrap();
    assert_eq!(completed, 4);
    let progress_rows = enrollment
        .find_related(lesson_progress::Entity)
        .all(db)
        .await
        .unwrap();
    let seconds: i32 = progress_rows.iter().map(|p| p.time_spent_seconds).sum();
    assert_eq!(seconds, 600 + 660 + 720 + 780);
    let mut progressed = enrollment.clone().into_active_model();
    progressed.progress_percentage = Set(Decimal::from(completed * 100) / Decimal::from(4));
    progressed.last_accessed_at = Set(Some(started + TimeDelta::minutes(75)));
    let enrollment = update(db, progressed).await;
    assert_eq!(enrollment.progress_percentage, dec("100.00"));

    // The quiz of the last lesson, three questions, and an auto-graded submission.
    let quiz_lesson = course_lessons.last().unwrap();
    assert_eq!(quiz_lesson.lesson_type, LessonType::Quiz);
    let quiz = insert(
        db,
        quizzes::ActiveModel {
            lesson_id: Set(quiz_lesson.id),
            title: Set("Greetings check".into()),
            quiz_type: Set(QuizType::Summative),
            time_limit_minutes: Set(Some(10)),
            passing_score_percentage: Set(60),
            max_attempts: Set(3),
            ..Default::default()
        },
    )
    .await;
    let bank = [
        (
            QuestionType::MultipleChoice,
            "Which sign means hello?",
            Some(json!(["A", "B", "C"])),
            json!("B"),
            2,
        ),
        (
            QuestionType::TrueFalse,
            "Fingerspelling uses one hand.",
            None,
            json!(true),
            1,
        ),
        (
            QuestionType::FillBlank,
            "Good ___ (greeting before noon)",
            None,
            json!(["morning"]),
            2,
        ),
    ];
    for (order, (kind, text, options, correct, points)) in bank.into_iter().enumerate() {
        insert(
            db,
            questions::ActiveModel {
                quiz_id: Set(Some(quiz.id)),
                question_type: Set(kind),
                question_text: Set(text.into()),
                options: Set(options),
                correct_answer: Set(correct),
                points: Set(points),
                order_number: Set(Some(order as i32 + 1)),
                difficulty: Set(QuestionDifficulty::Easy),
                tags: Set(Some(json!({"unit": 2}))),
                ..Default::default()
            },
        )
        .await;
    }
    // The service grades against the questions it reads through the loader.
    let quiz_ex = quizzes::Entity::load()
        .filter(quizzes::Column::Id.eq(quiz.id))
        .with(questions::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(quiz_ex.questions.len(), 3);
    let answers: Vec<(uuid::Uuid, JsonValue)> = quiz_ex
        .questions
        .iter()
        .map(|q| {
            let answer = match q.question_type {
                QuestionType::TrueFalse => json!(false), // the one wrong answer
                _ => q.correct_answer.clone(),
            };
            (q.id, answer)
        })
        .collect();
    let total_points: i32 = quiz_ex.questions.iter().map(|q| q.points).sum();
    let earned: i32 = quiz_ex
        .questions
        .iter()
        .zip(&answers)
        .filter(|(q, (_, a))| &q.correct_answer == a)
        .map(|(q, _)| q.points)
        .sum();
    assert_eq!((earned, total_points), (4, 5));
    let answers_json = json!(
        answers
            .iter()
            .map(|(id, a)| json!({"question_id": id.to_string(), "answer": a}))
            .collect::<Vec<_>>()
    );
    let submitted_at = at("2026-03-02T19:30:00.123456Z");
    let submission = insert(
        db,
        quiz_submissions::ActiveModel {
            quiz_id: Set(quiz.id),
            student_id: Set(learner.id),
            enrollment_id: Set(enrollment.id),
            attempt_number: Set(1),
            started_at: Set(submitted_at - TimeDelta::minutes(7)),
            submitted_at: Set(Some(submitted_at)),
            time_taken_seconds: Set(Some(420)),
            score_percentage: Set(Some(
                Decimal::from(earned * 100) / Decimal::from(total_points),
            )),
            points_earned: Set(Some(Decimal::from(earned))),
            answers: Set(answers_json.clone()),
            graded_at: Set(Some(submitted_at)),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &submission).await;
    assert_eq!(submission.grading_status, GradingStatus::AutoGraded);
    assert_eq!(submission.score_percentage, Some(dec("80.00")));
    assert_eq!(
        submission.submitted_at,
        Some(submitted_at),
        "microseconds kept"
    );
    assert_eq!(submission.answers, answers_json);
    assert!(
        submission.score_percentage.unwrap() >= Decimal::from(quiz.passing_score_percentage),
        "passed"
    );
    // The submission's student, through the relation the generator named for `student_id`.
    // Two foreign keys of quiz_submissions point at users (student_id, graded_by), so the
    // generator names the relations Users1/Users2 and implements no `Related<users>`: a
    // service joins through the relation it means.
    let student = users::Entity::find()
        .join_rev(
            JoinType::InnerJoin,
            quiz_submissions::Relation::Users1.def(),
        )
        .filter(quiz_submissions::Column::Id.eq(submission.id))
        .one(db)
        .await
        .unwrap();
    assert_eq!(student.map(|s| s.id), Some(learner.id));

    // Completion and the certificate.
    let mut finished = enrollment.clone().into_active_model();
    finished.status = Set(EnrollmentStatus::Completed);
    finished.completed_at = Set(Some(submitted_at));
    let enrollment = update(db, finished).await;
    let certificate = insert(
        db,
        certificates::ActiveModel {
            enrollment_id: Set(enrollment.id),
            certificate_id: Set("LDB-2026-000001".into()),
            pdf_url: Set("https://certs.example.com/LDB-2026-000001.pdf".into()),
            verification_url: Set("https://certs.example.com/verify/LDB-2026-000001".into()),
            metadata: Set(Some(json!({"score": 80, "course": course.slug}))),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        certificate.issued_at.offset().local_minus_utc(),
        0,
        "database default in UTC"
    );
    let record = enrollments::Entity::load()
        .filter(enrollments::Column::Id.eq(enrollment.id))
        .with(certificates::Entity)
        .with(lesson_progress::Entity)
        .with(quiz_submissions::Entity)
        .with(courses::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, EnrollmentStatus::Completed);
    assert_eq!(
        record
            .certificates
            .as_ref()
            .map(|c| c.certificate_id.as_str()),
        Some("LDB-2026-000001")
    );
    assert_eq!(record.lesson_progresses.len(), 4);
    assert_eq!(record.quiz_submissions.len(), 1);
    assert_eq!(
        record.courses.as_ref().map(|c| c.slug.as_str()),
        Some("asl-101")
    );
    assert_eq!(
        certificate
            .find_related(enrollments::Entity)
            .one(db)
            .await
            .unwrap()
            .map(|e| e.student_id),
        Some(learner.id)
    );
}

async fn commerce(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;

    // The instructor publishes: a draft course, then the published one.
    let instructor = sign_up(db, "linus", Role::Educator).await;
    let (draft, _) = course_with_lessons(db, &instructor, "asl-201").await;
    let mut publishing = draft.clone().into_active_model();
    publishing.status = Set(CourseStatus::Published);
    publishing.published_at = Set(Some(at("2026-04-01T08:00:00Z")));
    let course = update(db, publishing).await;
    assert_eq!(course.status, CourseStatus::Published);
    assert_eq!(course.created_at, draft.created_at);
    assert!(course.updated_at >= draft.updated_at);
    let published = courses::Entity::find()
        .filter(courses::Column::InstructorId.eq(instructor.id))
        .filter(courses::Column::Status.eq(CourseStatus::Published))
        .all(db)
        .await
        .unwrap();
    assert_eq!(published, std::slice::from_ref(&course));

    // The learner pays: a pending payment that succeeds, then the paid enrolment.
    let learner = sign_up(db, "margaret", Role::Student).await;
    let pending = insert(
        db,
        payments::ActiveModel {
            user_id: Set(learner.id),
            course_id: Set(Some(course.id)),
            stripe_payment_intent_id: Set(Some("pi_3Q0flows".into())),
            stripe_checkout_session_id: Set(Some("cs_test_flows".into())),
            amount: Set(course.price),
            currency: Set(course.currency.clone()),
            payment_method: Set(Some("card".into())),
            metadata: Set(Some(json!({"card": {"brand": "visa", "last4": "4242"}}))),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(pending.status, PaymentStatus::Pending);
    let mut paid = pending.clone().into_active_model();
    paid.status = Set(PaymentStatus::Succeeded);
    let payment = update(db, paid).await;
    assert_read_back(db, &payment).await;
    let enrollment = insert(
        db,
        enrollments::ActiveModel {
            student_id: Set(learner.id),
            course_id: Set(course.id),
            payment_id: Set(Some(payment.id)),
            ..Default::default()
        },
    )
    .await;

    // A partial refund of 10.00 of the 49.90.
    let refund = insert(
        db,
        refunds::ActiveModel {
            payment_id: Set(payment.id),
            enrollment_id: Set(Some(enrollment.id)),
            stripe_refund_id: Set(Some("re_flows_1".into())),
            amount: Set(dec("10.00")),
            reason: Set(Some("requested_by_customer: lesson 3 unavailable".into())),
            status: Set(RefundStatus::Succeeded),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &refund).await;
    let payment_ex = payments::Entity::load()
        .filter(payments::Column::Id.eq(payment.id))
        .with(refunds::Entity)
        .with(enrollments::Entity)
        .with(courses::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let refunded: Decimal = payment_ex.refunds.iter().map(|r| r.amount).sum();
    assert_eq!(payment_ex.amount - refunded, dec("39.90"));
    assert_eq!(
        payment_ex.status,
        PaymentStatus::Succeeded,
        "partly refunded"
    );
    assert_eq!(payment_ex.enrollments.len(), 1);
    assert_eq!(payment_ex.courses.as_ref().map(|c| c.id), Some(course.id));
    assert_eq!(
        payment_ex.metadata,
        Some(json!({"card": {"brand": "visa", "last4": "4242"}}))
    );
    // The same total as the database computes it.
    let refunded_sql: Option<Decimal> = refunds::Entity::find()
        .select_only()
        .column_as(refunds::Column::Amount.sum(), "total")
        .filter(refunds::Column::PaymentId.eq(payment.id))
        .into_tuple()
        .one(db)
        .await
        .unwrap()
        .flatten();
    assert_eq!(refunded_sql, Some(dec("10.00")));
    // From the enrolment back to its payment, and the instructor's revenue.
    let enrolment_ex = enrollments::Entity::load()
        .filter(enrollments::Column::Id.eq(enrollment.id))
        .with(payments::Entity)
        .with(refunds::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        enrolment_ex.payments.as_ref().map(|p| p.id),
        Some(payment.id)
    );
    assert_eq!(enrolment_ex.refunds.len(), 1);
    let revenue: Decimal = course
        .find_related(payments::Entity)
        .filter(payments::Column::Status.eq(PaymentStatus::Succeeded))
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|p| p.amount)
        .sum();
    assert_eq!(revenue - refunded, dec("39.90"));

    // A monthly subscription that goes past due.
    let period_start = at("2026-04-01T00:00:00Z");
    let subscription = insert(
        db,
        subscriptions::ActiveModel {
            user_id: Set(learner.id),
            stripe_subscription_id: Set("sub_flows_1".into()),
            stripe_customer_id: Set("cus_flows_1".into()),
            plan_id: Set("pro-monthly".into()),
            current_period_start: Set(period_start),
            current_period_end: Set(period_start + TimeDelta::days(30)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert!(!subscription.cancel_at_period_end);
    let mut lapsed = subscription.clone().into_active_model();
    lapsed.status = Set(SubscriptionStatus::PastDue);
    let lapsed = update(db, lapsed).await;
    assert_read_back(db, &lapsed).await;
    assert_eq!(
        lapsed.current_period_end,
        period_start + TimeDelta::days(30)
    );
    let past_due = subscriptions::Entity::find()
        .filter(subscriptions::Column::Status.eq(SubscriptionStatus::PastDue))
        .order_by_asc(subscriptions::Column::CurrentPeriodEnd)
        .all(db)
        .await
        .unwrap();
    assert_eq!(past_due, std::slice::from_ref(&lapsed));
    let learner_ex = users::Entity::load()
        .filter(users::Column::Id.eq(learner.id))
        .with(subscriptions::Entity)
        .with(payments::Entity)
        .with(enrollments::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            learner_ex.subscriptions.len(),
            learner_ex.payments.len(),
            learner_ex.enrollments.len()
        ),
        (1, 1, 1)
    );
    assert_eq!(
        learner_ex.subscriptions.get(0).map(|s| s.status.clone()),
        Some(SubscriptionStatus::PastDue)
    );
    // The typed enum decodes every value the database holds for the column.
    let statuses: Vec<SubscriptionStatus> = Subscriptions::find()
        .select_only()
        .column(subscriptions::Column::Status)
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    assert_eq!(statuses, [SubscriptionStatus::PastDue]);
}
