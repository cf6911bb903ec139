//! Rejection cases for the payments group. TODO(scaffold)
