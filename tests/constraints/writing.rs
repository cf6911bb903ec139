//! Rejection cases for the writing group. TODO(scaffold)
