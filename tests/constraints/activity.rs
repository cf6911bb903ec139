//! Rejection cases for the activity group. TODO(scaffold)
