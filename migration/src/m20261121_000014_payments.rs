//! Module 14 `payments` (SPEC.md §16): payments, subscriptions, refunds.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::TableGroup;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

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
