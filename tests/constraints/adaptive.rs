//! Rejection cases for the adaptive group. TODO(scaffold)
