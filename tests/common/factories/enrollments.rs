//! Valid rows for the enrollments group. TODO(scaffold)
