//! One row factory per table, by table group (SPEC.md §1 order). A factory returns a valid row
//! whose unique values derive from its id; tests change only the fields they are about.

pub mod activity;
pub mod adaptive;
pub mod analytics;
pub mod assessments;
pub mod collaborative;
pub mod communication;
pub mod content;
pub mod courses;
pub mod enrollments;
pub mod notifications;
pub mod payments;
pub mod plugins;
pub mod practice;
pub mod practice_later;
pub mod progress;
pub mod users;
pub mod writing;
