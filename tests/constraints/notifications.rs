//! Rejection cases for the notifications group. TODO(scaffold)
