//! Valid rows for the assessments group. TODO(scaffold)
