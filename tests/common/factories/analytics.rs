//! Valid rows for the analytics group. TODO(scaffold)
