//! Valid rows for the writing group. TODO(scaffold)
