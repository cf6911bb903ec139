//! Rejection cases for the communication group (SPEC.md §13): messages, discussion_threads,
//! discussion_posts, announcements.

use super::*;
use crate::common::factories::{communication::*, courses::*};

on_every_backend!(
    communication_group_rejects_invalid_rows,
    communication_group_rejects_invalid_rows
);

async fn communication_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, course_id, first, thread, post) = (new(), new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(course(b, course_id, ada)).await;
    c.accepted(message(first, ada, bob)).await;
    c.accepted(discussion_thread(thread, course_id, ada)).await;
    c.accepted(discussion_post(post, thread, bob)).await;
    c.accepted(announcement(new(), course_id, ada)).await;

    // messages
    let fresh = || message(new(), bob, ada);
    let to_self = fresh().with("recipient_id", bob);
    if b == Backend::MySql {
        // ‡ The MySQL family forbids a CHECK on a column an ON DELETE CASCADE writes (error
        // 3823), so ck_messages_not_self exists only on PostgreSQL and SQLite (SPEC.md §17.5).
        c.accepted(to_self).await;
    } else {
        c.rejected(
            to_self,
            Check("ck_messages_not_self"),
            "sender is the recipient",
        )
        .await;
    }
    for (column, fk) in [
        ("sender_id", "fk_messages_sender_id"),
        ("recipient_id", "fk_messages_recipient_id"),
        ("parent_message_id", "fk_messages_parent_message_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_json(fresh(), "attachments").await;
    c.accepted(fresh().with("parent_message_id", first)).await;

    // discussion_threads
    let fresh = || discussion_thread(new(), course_id, bob);
    for counter in ["view_count", "reply_count"] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_discussion_threads_counters"), &case)
            .await;
    }
    for (column, fk) in [
        ("course_id", "fk_discussion_threads_course_id"),
        ("author_id", "fk_discussion_threads_author_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.accepted(fresh()).await;

    // discussion_posts: copies reply to the first post.
    let fresh = || discussion_post(new(), thread, ada).with("parent_post_id", post);
    c.rejected(
        fresh().with("upvote_count", -1),
        Check("ck_discussion_posts_upvotes"),
        "negative upvote_count",
    )
    .await;
    for (column, fk) in [
        ("thread_id", "fk_discussion_posts_thread_id"),
        ("author_id", "fk_discussion_posts_author_id"),
        ("parent_post_id", "fk_discussion_posts_parent_post_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_json(fresh(), "edit_history").await;
    c.accepted(fresh()).await;

    // announcements
    let fresh = || announcement(new(), course_id, ada);
    for (column, fk) in [
        ("course_id", "fk_announcements_course_id"),
        ("educator_id", "fk_announcements_educator_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.accepted(fresh()).await;

    c.finish("communication").await;
}
