//! Rejection cases for the practice group. TODO(scaffold)
