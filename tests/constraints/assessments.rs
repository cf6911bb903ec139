//! Rejection cases for the assessments group. TODO(scaffold)
