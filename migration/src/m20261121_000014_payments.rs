//! Module 14 `payments` (SPEC.md §16): payments, subscriptions, refunds.
//!
//! The DZ Stripe records. Money is `numeric(10,2)` with a three-letter `currency`; each Stripe id
//! is unique. Financial records outlive what they were for: deleting a course or an enrollment
//! clears `payments.course_id` and `refunds.enrollment_id` (SET NULL, where DZ cascaded); only
//! deleting the user (or, for a refund, its payment) removes them.
//!
//! This group also adds the deferred `fk_enrollments_payment_id` (SPEC.md §1): `ALTER TABLE …
//! ADD CONSTRAINT` on PostgreSQL and the MySQL family, dropped again by `down()`; on SQLite it is
//! part of `enrollments` already. No deviations from SPEC.md.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, Step, TableDef, TableGroup};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000003_courses::Courses;
use crate::m20261121_000004_enrollments::{Enrollments, fk_enrollments_payment_id};

pub const PAYMENT_STATUS: DbEnum = DbEnum {
    name: "payment_status",
    values: &["pending", "succeeded", "failed", "refunded"],
};
pub const SUBSCRIPTION_STATUS: DbEnum = DbEnum {
    name: "subscription_status",
    values: &["active", "canceled", "past_due", "unpaid"],
};
pub const REFUND_STATUS: DbEnum = DbEnum {
    name: "refund_status",
    values: &["pending", "succeeded", "failed"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&PAYMENT_STATUS, &SUBSCRIPTION_STATUS, &REFUND_STATUS],
    tables: &[payments, subscriptions, refunds],
    steps: &[Step::ForeignKey(fk_enrollments_payment_id)],
};

crate::group_migration!(GROUP);

pub(crate) fn payments(ddl: &Ddl) -> TableDef {
    ddl.table(Payments::Table)
        .col(ddl.id(Payments::Id))
        .col(ddl.uuid(Payments::UserId))
        .col(ddl.uuid_null(Payments::CourseId))
        .col(ddl.string_null(Payments::StripePaymentIntentId, 255))
        .col(ddl.string_null(Payments::StripeCheckoutSessionId, 255))
        .col(ddl.decimal(Payments::Amount, 10, 2))
        .col(ddl.char(Payments::Currency, 3).default("USD"))
        .col(
            ddl.enumeration(Payments::Status, &PAYMENT_STATUS)
                .default(const { PAYMENT_STATUS.value("pending") }),
        )
        .col(ddl.string_null(Payments::PaymentMethod, 50))
        .col(ddl.json_null(Payments::Metadata))
        .col(ddl.created_at(Payments::CreatedAt))
        .col(ddl.updated_at(Payments::UpdatedAt))
        .foreign_key(
            "fk_payments_user_id",
            Payments::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_payments_course_id",
            Payments::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_payments_stripe_payment_intent_id",
            [Payments::StripePaymentIntentId],
        )
        .unique(
            "uq_payments_stripe_checkout_session_id",
            [Payments::StripeCheckoutSessionId],
        )
        .check("ck_payments_amount", Expr::col(Payments::Amount).gte(0))
        .check(
            "ck_payments_currency",
            Func::cust("LENGTH")
                .arg(Expr::col(Payments::Currency))
                .eq(3),
        )
        .index("ix_payments_user_id", [Payments::UserId])
        .index("ix_payments_course_id", [Payments::CourseId])
        .index("ix_payments_status", [Payments::Status])
        .index("ix_payments_created_at", [Payments::CreatedAt])
}

fn subscriptions(ddl: &Ddl) -> TableDef {
    ddl.table(Subscriptions::Table)
        .col(ddl.id(Subscriptions::Id))
        .col(ddl.uuid(Subscriptions::UserId))
        .col(ddl.string(Subscriptions::StripeSubscriptionId, 255))
        .col(ddl.string(Subscriptions::StripeCustomerId, 255))
        .col(ddl.string(Subscriptions::PlanId, 100))
        .col(
            ddl.enumeration(Subscriptions::Status, &SUBSCRIPTION_STATUS)
                .default(const { SUBSCRIPTION_STATUS.value("active") }),
        )
        .col(ddl.timestamptz(Subscriptions::CurrentPeriodStart))
        .col(ddl.timestamptz(Subscriptions::CurrentPeriodEnd))
        .col(ddl.boolean(Subscriptions::CancelAtPeriodEnd).default(false))
        .col(ddl.created_at(Subscriptions::CreatedAt))
        .col(ddl.updated_at(Subscriptions::UpdatedAt))
        .foreign_key(
            "fk_subscriptions_user_id",
            Subscriptions::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_subscriptions_stripe_subscription_id",
            [Subscriptions::StripeSubscriptionId],
        )
        .check(
            "ck_subscriptions_period",
            Expr::col(Subscriptions::CurrentPeriodEnd)
                .gt(Expr::col(Subscriptions::CurrentPeriodStart)),
        )
        .index("ix_subscriptions_user_id", [Subscriptions::UserId])
        .index("ix_subscriptions_status", [Subscriptions::Status])
        .index(
            "ix_subscriptions_stripe_customer_id",
            [Subscriptions::StripeCustomerId],
        )
        .index(
            "ix_subscriptions_period_end",
            [Subscriptions::CurrentPeriodEnd],
        )
}

fn refunds(ddl: &Ddl) -> TableDef {
    ddl.table(Refunds::Table)
        .col(ddl.id(Refunds::Id))
        .col(ddl.uuid(Refunds::PaymentId))
        .col(ddl.uuid_null(Refunds::EnrollmentId))
        .col(ddl.string_null(Refunds::StripeRefundId, 255))
        .col(ddl.decimal(Refunds::Amount, 10, 2))
        .col(ddl.string_null(Refunds::Reason, 500))
        .col(
            ddl.enumeration(Refunds::Status, &REFUND_STATUS)
                .default(const { REFUND_STATUS.value("pending") }),
        )
        .col(ddl.created_at(Refunds::CreatedAt))
        .col(ddl.updated_at(Refunds::UpdatedAt))
        .foreign_key(
            "fk_refunds_payment_id",
            Refunds::PaymentId,
            Payments::Table,
            Payments::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_refunds_enrollment_id",
            Refunds::EnrollmentId,
            Enrollments::Table,
            Enrollments::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_refunds_stripe_refund_id", [Refunds::StripeRefundId])
        .check("ck_refunds_amount", Expr::col(Refunds::Amount).gt(0))
        .index("ix_refunds_payment_id", [Refunds::PaymentId])
        .index("ix_refunds_enrollment_id", [Refunds::EnrollmentId])
        .index("ix_refunds_status", [Refunds::Status])
        .index("ix_refunds_created_at", [Refunds::CreatedAt])
}

#[derive(DeriveIden)]
pub enum Payments {
    Table,
    Id,
    UserId,
    CourseId,
    StripePaymentIntentId,
    StripeCheckoutSessionId,
    Amount,
    Currency,
    Status,
    PaymentMethod,
    Metadata,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Subscriptions {
    Table,
    Id,
    UserId,
    StripeSubscriptionId,
    StripeCustomerId,
    PlanId,
    Status,
    CurrentPeriodStart,
    CurrentPeriodEnd,
    CancelAtPeriodEnd,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Refunds {
    Table,
    Id,
    PaymentId,
    EnrollmentId,
    StripeRefundId,
    Amount,
    Reason,
    Status,
    CreatedAt,
    UpdatedAt,
}
