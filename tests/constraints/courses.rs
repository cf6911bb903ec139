//! Rejection cases for the courses group. TODO(scaffold)
