//! Valid rows for the payments group. TODO(scaffold)
