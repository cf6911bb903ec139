//! Valid rows for the payments group: unique values (the Stripe ids) derive from the row's id, so
//! every fresh copy is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value};

pub fn payment(b: Backend, id: Uuid, user_id: Uuid, course_id: Uuid) -> Row {
    Row::new("payments")
        .with("id", id)
        .with("user_id", user_id)
        .with("course_id", course_id)
        .with("stripe_payment_intent_id", format!("pi_{}", id.simple()))
        .with("stripe_checkout_session_id", format!("cs_{}", id.simple()))
        .with("amount", dec("49.99"))
        .with("currency", "GBP")
        .with("status", enum_value(b, "payment_status", "succeeded"))
        .with("payment_method", "card")
        .with("metadata", json!({"coupon": null}))
}

pub fn subscription(b: Backend, id: Uuid, user_id: Uuid) -> Row {
    Row::new("subscriptions")
        .with("id", id)
        .with("user_id", user_id)
        .with("stripe_subscription_id", format!("sub_{}", id.simple()))
        .with("stripe_customer_id", format!("cus_{}", user_id.simple()))
        .with("plan_id", "pro-monthly")
        .with("status", enum_value(b, "subscription_status", "past_due"))
        .with("current_period_start", at(0))
        .with("current_period_end", at(24 * 30))
        .with("cancel_at_period_end", true)
}

pub fn refund(b: Backend, id: Uuid, payment_id: Uuid, enrollment_id: Uuid) -> Row {
    Row::new("refunds")
        .with("id", id)
        .with("payment_id", payment_id)
        .with("enrollment_id", enrollment_id)
        .with("stripe_refund_id", format!("re_{}", id.simple()))
        .with("amount", dec("0.01"))
        .with("reason", "requested_by_customer")
        .with("status", enum_value(b, "refund_status", "succeeded"))
}
