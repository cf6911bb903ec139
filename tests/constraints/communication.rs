//! Rejection cases for the communication group. TODO(scaffold)
