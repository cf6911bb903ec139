//! Valid rows for the courses group. TODO(scaffold)
