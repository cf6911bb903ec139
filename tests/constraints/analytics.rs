//! Rejection cases for the analytics group (SPEC.md §15): course_analytics, student_analytics,
//! analytics_events.

use super::*;
use crate::common::factories::{analytics::*, courses::*};

on_every_backend!(
    analytics_group_rejects_invalid_rows,
    analytics_group_rejects_invalid_rows
);

async fn analytics_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    // The 1:1 tables hold one row per course or user, so each has a spare parent (`spare_course`,
    // `cy`) that the copies below are for.
    let (ada, cy, course_id, spare_course, module, lesson_id) =
        (new(), new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, cy)).await;
    c.accepted(course(b, course_id, ada)).await;
    c.accepted(course(b, spare_course, ada)).await;
    c.accepted(course_module(module, course_id, 0)).await;
    c.accepted(lesson(b, lesson_id, module, 0)).await;
    c.accepted(course_analytics(course_id, lesson_id)).await;
    c.accepted(student_analytics(ada)).await;
    c.accepted(analytics_event(new(), ada)).await;

    // course_analytics
    let fresh = || course_analytics(spare_course, lesson_id);
    for (column, rate) in [
        ("completion_rate", "100.01"),
        ("completion_rate", "-0.01"),
        ("dropout_rate", "100.01"),
        ("dropout_rate", "-0.01"),
    ] {
        let case = format!("{column} {rate}");
        let row = fresh().with(column, dec(rate));
        c.rejected(row, Check("ck_course_analytics_rates"), &case)
            .await;
    }
    for counter in [
        "total_enrollments",
        "active_enrollments",
        "completion_count",
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_course_analytics_counters"), &case)
            .await;
    }
    c.rejected(
        fresh().with("total_revenue", dec("-0.01")),
        Check("ck_course_analytics_counters"),
        "negative total_revenue",
    )
    .await;
    for rating in ["5.01", "-0.01"] {
        let case = format!("average_rating {rating}");
        let row = fresh().with("average_rating", dec(rating));
        c.rejected(row, Check("ck_course_analytics_rating"), &case)
            .await;
    }
    for (column, fk) in [
        ("course_id", "fk_course_analytics_course_id"),
        (
            "most_difficult_lesson_id",
            "fk_course_analytics_most_difficult_lesson_id",
        ),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_json(fresh(), "engagement_metrics").await;
    c.accepted(fresh()).await;

    // student_analytics
    let fresh = || student_analytics(cy);
    for counter in [
        "total_courses_enrolled",
        "courses_completed",
        "courses_in_progress",
        "total_time_invested_minutes",
        "current_streak_days",
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_student_analytics_counters"), &case)
            .await;
    }
    for score in ["100.01", "-0.01"] {
        let case = format!("average_quiz_score {score}");
        let row = fresh().with("average_quiz_score", dec(score));
        c.rejected(row, Check("ck_student_analytics_score"), &case)
            .await;
    }
    c.rejected(
        fresh().with("longest_streak_days", 3),
        Check("ck_student_analytics_streaks"),
        "longest_streak_days < current_streak_days",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_student_analytics_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_json(fresh(), "badges_earned").await;
    c.rejects_json(fresh(), "skill_ratings").await;
    c.accepted(fresh()).await;

    // analytics_events
    let fresh = || analytics_event(new(), ada);
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_analytics_events_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_json(fresh(), "event_data").await;
    c.accepted(fresh()).await;
    // An anonymous event.
    c.accepted(fresh().without("user_id")).await;

    c.finish("analytics").await;
}
