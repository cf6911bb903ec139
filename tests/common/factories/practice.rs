//! Valid rows for the practice group. TODO(scaffold)
