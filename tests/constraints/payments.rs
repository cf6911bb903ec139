//! Rejection cases for the payments group (SPEC.md §16): payments, subscriptions, refunds, and
//! the deferred `fk_enrollments_payment_id` this group adds (§1).

use super::*;
use crate::common::factories::{courses::*, enrollments::*, payments::*};

on_every_backend!(
    payments_group_rejects_invalid_rows,
    payments_group_rejects_invalid_rows
);

async fn payments_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, course_id, paid, enrolled) = (new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(course(b, course_id, ada)).await;
    let payment_row = c.accepted(payment(b, paid, bob, course_id)).await;
    c.accepted(enrollment(b, enrolled, bob, course_id).with("payment_id", paid))
        .await;
    let subscription_row = c.accepted(subscription(b, new(), bob)).await;
    let refund_row = c.accepted(refund(b, new(), paid, enrolled)).await;

    // payments
    let fresh = || payment(b, new(), bob, course_id);
    c.rejected(
        fresh().with("amount", dec("-0.01")),
        Check("ck_payments_amount"),
        "negative amount",
    )
    .await;
    c.rejected(
        fresh().with("currency", "GB"),
        Check("ck_payments_currency"),
        "two-letter currency",
    )
    .await;
    for (column, uq) in [
        (
            "stripe_payment_intent_id",
            "uq_payments_stripe_payment_intent_id",
        ),
        (
            "stripe_checkout_session_id",
            "uq_payments_stripe_checkout_session_id",
        ),
    ] {
        let case = format!("duplicate {column}");
        let row = fresh().with(column, payment_row.get(column));
        c.rejected(row, Unique(uq), &case).await;
    }
    for (column, fk) in [
        ("user_id", "fk_payments_user_id"),
        ("course_id", "fk_payments_course_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "status", "payment_status", "paid")
        .await;
    c.rejects_json(fresh(), "metadata").await;
    c.accepted(fresh()).await;
    // Without Stripe ids (NULLs never collide) and with the defaults: 'USD', 'pending'.
    for _ in 0..2 {
        c.accepted(
            fresh()
                .without("stripe_payment_intent_id")
                .without("stripe_checkout_session_id")
                .without("currency")
                .without("status")
                .without("metadata"),
        )
        .await;
    }

    // enrollments.payment_id: the deferred foreign key, added by this group.
    c.rejected(
        enrollment(b, new(), ada, course_id).with("payment_id", nobody()),
        ForeignKey("fk_enrollments_payment_id"),
        "orphan payment_id",
    )
    .await;

    // subscriptions
    let fresh = || subscription(b, new(), bob);
    c.rejected(
        fresh().with("current_period_end", at(0)),
        Check("ck_subscriptions_period"),
        "current_period_end equal to current_period_start",
    )
    .await;
    c.rejected(
        fresh().with("current_period_end", at(-1)),
        Check("ck_subscriptions_period"),
        "current_period_end before current_period_start",
    )
    .await;
    c.rejected(
        fresh().with(
            "stripe_subscription_id",
            subscription_row.get("stripe_subscription_id"),
        ),
        Unique("uq_subscriptions_stripe_subscription_id"),
        "duplicate stripe_subscription_id",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_subscriptions_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_enum(fresh(), "status", "subscription_status", "cancelled")
        .await;
    c.accepted(fresh()).await;

    // refunds
    let fresh = || refund(b, new(), paid, enrolled);
    for amount in ["0.00", "-0.01"] {
        let case = format!("amount {amount}");
        let row = fresh().with("amount", dec(amount));
        c.rejected(row, Check("ck_refunds_amount"), &case).await;
    }
    c.rejected(
        fresh().with("stripe_refund_id", refund_row.get("stripe_refund_id")),
        Unique("uq_refunds_stripe_refund_id"),
        "duplicate stripe_refund_id",
    )
    .await;
    for (column, fk) in [
        ("payment_id", "fk_refunds_payment_id"),
        ("enrollment_id", "fk_refunds_enrollment_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "status", "refund_status", "refunded")
        .await;
    c.accepted(fresh()).await;
    // A refund of a payment with no enrollment behind it (a subscription charge).
    c.accepted(fresh().without("enrollment_id")).await;

    c.finish("payments").await;
}
