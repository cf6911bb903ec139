//! Rejection cases for the analytics group. TODO(scaffold)
