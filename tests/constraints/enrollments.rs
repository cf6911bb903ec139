//! Rejection cases for the enrollments group. TODO(scaffold)
