//! Valid rows for the activity group. TODO(scaffold)
